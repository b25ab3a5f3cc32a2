"""Timer handlers of the incidents domain (auto-discovered by dutyops.timers)."""

from dutyops.timers import handler

from . import clocks


@handler(clocks.CLOCK_TIMER)
def report_clock_due(timer, now):
    """A statutory reporting deadline passed: raise report.overdue if still unmet."""
    clocks.clock_due(timer.payload.get("clock"), now)
