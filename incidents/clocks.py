"""Statutory reporting clocks (电话/书面报告, 续报, 终报): each incident carries the
clocks its grade, category and status call for, each backed by a durable timer; a
clock met by an upward report of its kind stops; one that passes unmet turns the
incident overdue, on the stream.

The clocks are the duty room's own reporting up the line (BRIEF: "a grade I/II
event phoned up within 30 minutes of receipt and reported in writing within 1
hour; follow-ups at a set cadence until the final report"): the phone and
written clocks are met by an upward first report (首报; a written one, arriving in
writing, meets the phone clock too); the follow-up cadence restarts at each
upward follow-up (续报); the final clock is met by an upward final report (终报).
A report received at intake, or an upward report of another kind, meets none.
The phone and written records kept here before upward reports had a kind
(incidents.UpwardReport, read-only) were first reports and still count as such."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from dutyops import timers
from dutyops.models import Timer
from dutyops.providers import Providers
from realtime.services import emit

from . import selectors
from .models import OPEN_STATUSES, Incident, IncidentClock, ReportKind, Status, UpwardReport

CLOCK_TIMER = "incidents.clock"

# Upward reports kept by a higher floor (chain): fn(incident) -> [(kind, method, sent_at)],
# kind first/follow_up/final, method phone/written. They meet the clocks below.
upward_reports = Providers("upward reports of an incident")


def _upward(incident):
    return [row for rows in upward_reports.collect(incident) for row in rows]


def audience(incident):
    """The rooms an incident's events reach besides the office: its own and the one it went to."""
    return [d for d in (incident.duty_room_id, incident.transferred_to_id) if d]


def wanted_clocks(incident, now, follow_up=None):
    """{kind: due_at} of the clocks this incident should carry now. `follow_up`: its
    follow-up clock when one is running (the cadence counts on from its start)."""
    policy = selectors.policy_for(incident.grade, incident.category)
    wanted = {}
    if policy is None or incident.status in (Status.MERGED, Status.TRANSFERRED):
        return wanted
    if incident.status in OPEN_STATUSES:
        if policy.phone_minutes is not None:
            wanted[IncidentClock.Kind.PHONE] = incident.reported_at + timedelta(minutes=policy.phone_minutes)
        if policy.written_minutes is not None:
            wanted[IncidentClock.Kind.WRITTEN] = incident.reported_at + timedelta(minutes=policy.written_minutes)
        if policy.follow_up_minutes and incident.status in (Status.RESPONDING, Status.STABILISED):
            # Follow-ups are due N minutes after the latest upward follow-up (续报); a
            # clock armed just now (status change) counts from now, a running one from
            # its start.
            interval = timedelta(minutes=policy.follow_up_minutes)
            since = follow_up.due_at - interval if follow_up is not None and follow_up.pending else now
            sent = [at for kind, _method, at in _upward(incident) if kind == ReportKind.FOLLOW_UP]
            wanted[IncidentClock.Kind.FOLLOW_UP] = max([since, *sent]) + interval
    elif incident.status == Status.CLOSED and policy.final_days is not None:
        wanted[IncidentClock.Kind.FINAL] = (incident.closed_at or now) + timedelta(days=policy.final_days)
    return wanted


def _timer_key(incident, kind, due):
    # The due time is part of the key: a fired timer cannot be re-armed, so a
    # moved deadline gets a fresh timer.
    return f"incident:{incident.pk}:{kind}:{int(due.timestamp())}"


def start_clocks(incident, wanted):
    """A new incident's clocks: nothing to reconcile, so two bulk inserts."""
    if not wanted:
        return
    clocks = IncidentClock.objects.bulk_create(
        [IncidentClock(incident=incident, kind=kind, due_at=due) for kind, due in wanted.items()]
    )
    Timer.objects.bulk_create(
        [
            Timer(
                kind=CLOCK_TIMER, key=_timer_key(incident, c.kind, c.due_at), due_at=c.due_at, payload={"clock": c.pk}
            )
            for c in clocks
        ],
        ignore_conflicts=True,
    )


def _satisfied(incident, kinds):
    """{kind: when it was met} for the clocks among `kinds` that were (see the module
    docstring): phone by the first upward first report, written by the first written
    one, final by the first upward final report."""
    met = {}
    first_report = [k for k in kinds if k in (IncidentClock.Kind.PHONE, IncidentClock.Kind.WRITTEN)]
    sent = _upward(incident) if first_report or IncidentClock.Kind.FINAL in kinds else []
    if first_report:
        met.update(
            UpwardReport.objects.filter(incident=incident, method__in=first_report)
            .order_by()
            .values("method")
            .annotate(first=Min("sent_at"))
            .values_list("method", "first")
        )
        for kind, method, at in sent:
            if kind != ReportKind.FIRST:
                continue
            meets = [IncidentClock.Kind.PHONE] + ([IncidentClock.Kind.WRITTEN] if method == "written" else [])
            for clock in meets:
                if clock in first_report and (met.get(clock) is None or at < met[clock]):
                    met[clock] = at
    if IncidentClock.Kind.FINAL in kinds:
        finals = [at for kind, _method, at in sent if kind == ReportKind.FINAL]
        met[IncidentClock.Kind.FINAL] = min(finals, default=None)
    return met


def recompute_clocks(incident, now=None):
    """Bring the incident's clocks (and their timers) in line with its grade,
    category, status and reports. The caller saves the incident."""
    now = now or timezone.now()
    clocks = {c.kind: c for c in IncidentClock.objects.select_for_update().filter(incident=incident)}
    follow_up = clocks.get(IncidentClock.Kind.FOLLOW_UP)
    wanted = wanted_clocks(incident, now, follow_up)
    satisfied = _satisfied(incident, wanted)
    for kind in IncidentClock.Kind.values:
        clock = clocks.get(kind)
        prefix = f"incident:{incident.pk}:{kind}:"
        due = wanted.get(kind)
        if due is None:
            if clock is not None and clock.pending:
                clock.cancelled_at = now
                clock.save(update_fields=["cancelled_at"])
                timers.cancel(kind=CLOCK_TIMER, key_prefix=prefix)
            continue
        met = satisfied.get(kind)
        if clock is not None and (clock.due_at, clock.satisfied_at, clock.cancelled_at) == (due, met, None):
            continue  # unchanged: its timer is already right
        existed = clock is not None
        if not existed:
            clock = IncidentClock(incident=incident, kind=kind, due_at=due)
        elif clock.due_at != due:
            clock.overdue_at = None  # a moved deadline (e.g. regrading) starts afresh
        clock.due_at, clock.cancelled_at, clock.satisfied_at = due, None, met
        clock.save()
        if existed:
            timers.cancel(kind=CLOCK_TIMER, key_prefix=prefix)
        if clock.pending and clock.overdue_at is None:
            timers.reschedule(CLOCK_TIMER, _timer_key(incident, kind, due), due, clock=clock.pk)
        clocks[kind] = clock
    _denormalise_clocks(incident, clocks.values())


def _denormalise_clocks(incident, clocks):
    pending = [c for c in clocks if c.pending]
    incident.next_report_due_at = min((c.due_at for c in pending), default=None)
    incident.report_overdue = any(c.overdue_at for c in pending)


@transaction.atomic
def clock_due(clock_id, now):
    """Timer handler body: a reporting deadline passed; if still unmet it is overdue."""
    incident_id = IncidentClock.objects.filter(pk=clock_id).values_list("incident_id", flat=True).first()
    if incident_id is None:
        return
    # Incident first, then its clock: the same lock order as intake and transitions.
    incident = Incident.objects.select_for_update().get(pk=incident_id)
    clock = IncidentClock.objects.select_for_update().get(pk=clock_id)
    if not clock.pending or clock.overdue_at is not None or clock.due_at > now:
        return
    clock.overdue_at = now
    clock.save(update_fields=["overdue_at"])
    _denormalise_clocks(incident, IncidentClock.objects.filter(incident=incident))
    incident.save(update_fields=["next_report_due_at", "report_overdue", "updated_at"])
    emit(
        "report.overdue",
        {
            "id": clock.pk,
            "incident": incident.pk,
            "clock": clock.kind,
            "due_at": clock.due_at,
            "title": incident.title,
            "grade": incident.grade,
            "is_drill": incident.is_drill,
        },
        incident_id=incident.pk,
        departments=audience(incident),
    )
