"""Timer handlers of the core (auto-discovered by dutyops.timers)."""

from . import idempotency
from .timers import handler


@handler(idempotency.PRUNE_TIMER)
def prune_idempotency_records(timer, now):
    """Stored answers to Idempotency-Keys are kept 24 h (dutyops.idempotency)."""
    idempotency.prune(now)
