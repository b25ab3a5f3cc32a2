from .duty import (  # noqa: F401
    Absence,
    CalendarFeed,
    CheckIn,
    DutyLogEntry,
    DutyRule,
    Handover,
    Holiday,
    Leave,
    PostCheck,
    Rotation,
    Shift,
    ShiftOfficer,
    SwapRequest,
)
from .idempotency import IdempotencyRecord  # noqa: F401
from .org import Department, Person, Role  # noqa: F401
from .timers import Timer  # noqa: F401
