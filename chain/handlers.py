"""Timer handlers of the chain domain (auto-discovered by dutyops.timers)."""

from dutyops.timers import handler

from . import outbox, services


@handler(services.PUMP_TIMER)
def pump(timer, now):
    outbox.handle(timer.payload["link"], now)
