from .idempotency import IdempotencyRecord  # noqa: F401
from .org import Department, Person, Role  # noqa: F401
from .timers import Timer  # noqa: F401
from .tokens import ApiToken  # noqa: F401
