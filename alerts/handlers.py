"""Timer handlers of the alerts domain (auto-discovered by dutyops.timers)."""

from dutyops.timers import handler

from . import notify, services


@handler(services.T_DEADLINE)
def deadline(timer, now):
    p = timer.payload
    services.deadline_passed(p["alert"], p["phase"], p["round"], now)


@handler(services.T_STEP)
def chase_step(timer, now):
    p = timer.payload
    services.chase_step(p["alert"], p["phase"], p["round"], p["step"], p["action"], now)


@handler(notify.T_DELIVERY)
def delivery(timer, now):
    notify.attempt(timer.payload["delivery"], timer.payload["attempt"], now)


@handler(services.T_CASE_DUE)
def case_due(timer, now):
    services.case_timer(timer.payload["case"], timer.payload["when"])


@handler(services.T_CASE_RECHECK)
def case_recheck(timer, now):
    services.case_recheck_due(timer.payload["case"])


@handler(services.T_CIRCULAR)
def circular(timer, now):
    """Generate last month's circular, then arm next month's."""
    services.generate_circular(timer.payload["period"])
    services._schedule_circular(now)
