"""Timer handlers of the duty domain (auto-discovered by dutyops.timers)."""

from . import idempotency, selectors, services
from .timers import handler


@handler(services.CHECKIN_TIMER)
def missed_checkin(timer, now):
    """Shift start + grace: whoever has not checked in is recorded absent, once."""
    services.record_missed_checkins(timer.payload["shift"], timer.due_at, now)


@handler(services.SHIFT_START_TIMER)
def shift_started(timer, now):
    """A shift begins: tell the boards who is on duty now."""
    shift = selectors.shifts_with_people().filter(pk=timer.payload["shift"]).first()
    if shift is None or shift.ends_at <= now:
        return  # gone, or so late that announcing it would mislead the board
    services.emit_shift_changed(shift, "started", None)


@handler(idempotency.PRUNE_TIMER)
def prune_idempotency_records(timer, now):
    """Stored answers to Idempotency-Keys are kept 24 h (dutyops.idempotency)."""
    idempotency.prune(now)
