"""Schedule, cancel and fire durable timers.

Every deadline in DutyOps (missed check-in, statutory report clocks, sign-for
and feedback deadlines, escalation steps) is a Timer row. The worker fires
due timers with SELECT ... FOR UPDATE SKIP LOCKED, running the handler and
marking the timer fired in one transaction: each fires exactly once, however
many workers run, and a worker that was down catches up on start.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import autodiscover_modules

from .models import Timer

log = logging.getLogger(__name__)

_handlers = {}
_discovered = []


def discover():
    """Import every app's handlers.py, where @handler registrations live."""
    if not _discovered:
        autodiscover_modules("handlers")
        _discovered.append(True)


def handler(kind):
    """Register `fn(timer, now)` to run when a timer of `kind` comes due."""

    def register(fn):
        _handlers[kind] = fn
        return fn

    return register


def schedule(kind, key, due_at, **payload):
    """Create the timer once; scheduling the same kind+key again changes nothing."""
    timer, _ = Timer.objects.get_or_create(kind=kind, key=key, defaults={"due_at": due_at, "payload": payload})
    return timer


def reschedule(kind, key, due_at, **payload):
    """Move a pending timer (e.g. a grade change moves a report clock)."""
    timer, created = Timer.objects.get_or_create(kind=kind, key=key, defaults={"due_at": due_at, "payload": payload})
    if not created and timer.fired_at is None:
        timer.due_at, timer.payload, timer.cancelled_at = due_at, payload, None
        timer.save(update_fields=["due_at", "payload", "cancelled_at"])
    return timer


def cancel(kind=None, key=None, key_prefix=None):
    """Cancel pending timers by exact key or by key prefix."""
    qs = Timer.objects.filter(fired_at__isnull=True, cancelled_at__isnull=True)
    if kind:
        qs = qs.filter(kind=kind)
    if key is not None:
        qs = qs.filter(key=key)
    if key_prefix is not None:
        qs = qs.filter(key__startswith=key_prefix)
    return qs.update(cancelled_at=timezone.now())


def fire_due(now=None, batch=100):
    """Fire up to `batch` due timers; returns how many fired. Safe to run in many workers.

    One transaction per timer: the handler's writes, its events and the
    `fired_at` mark commit together (exactly once), and no lock is held across
    timers, so a handler never waits on a request that waits on this worker.
    """
    discover()
    started = timezone.now()
    now = now or started
    fired = 0
    while fired < batch and _fire_one(now, started):
        fired += 1
    return fired


def _fire_one(now, started):
    with transaction.atomic():
        timer = (
            Timer.objects.select_for_update(skip_locked=True)
            # Timers scheduled by this very pass (a retry, the next step) wait for the next one.
            .filter(fired_at__isnull=True, cancelled_at__isnull=True, due_at__lte=now, created_at__lte=started)
            .order_by("due_at")
            .first()
        )
        if timer is None:
            return False
        fn = _handlers.get(timer.kind)
        try:
            with transaction.atomic():
                if fn is not None:
                    fn(timer, now)
                else:
                    log.warning("no handler for timer kind %s; marking it fired", timer.kind)
        except Exception:
            # A failing handler must not block the others: its writes are rolled
            # back, it is marked so it does not loop, and the operator sees the error.
            log.exception("timer %s failed", timer)
        timer.fired_at = timezone.now()
        timer.save(update_fields=["fired_at"])
    return True
