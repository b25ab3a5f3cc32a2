"""Statutory reporting clocks (电话/书面报告, 续报, 终报): each incident carries the
clocks its grade, category and status call for, each backed by a durable timer; a
clock met by an upward report (or the final report) stops; one that passes unmet
turns the incident overdue, on the stream."""

from datetime import timedelta

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from dutyops import timers
from dutyops.models import Timer
from dutyops.providers import Providers
from realtime.services import emit

from . import selectors
from .models import OPEN_STATUSES, Incident, IncidentClock, Report, ReportKind, Status, UpwardReport

CLOCK_TIMER = "incidents.clock"

# Upward reports kept by a higher floor (chain): fn(incident) -> [(kind, method, sent_at)],
# kind first/follow_up/final, method phone/written. They meet the clocks below.
upward_reports = Providers("upward reports of an incident")


def _upward(incident):
    return [row for rows in upward_reports.collect(incident) for row in rows]


def audience(incident):
    """The rooms an incident's events reach besides the office: its own and the one it went to."""
    return [d for d in (incident.duty_room_id, incident.transferred_to_id) if d]


def wanted_clocks(incident, now, follow_up_running=False):
    """{kind: due_at} of the clocks this incident should carry now."""
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
            # Follow-ups are due N minutes after the latest report; a clock
            # armed just now (status change) counts from now, not from the past.
            last = (
                Report.objects.filter(incident=incident)
                .order_by("-received_at")
                .values_list("received_at", flat=True)
                .first()
            ) or incident.reported_at
            # A follow-up (or any report) sent upward restarts the interval too.
            last = max([last, *(sent for _kind, _method, sent in _upward(incident))])
            if not follow_up_running:
                last = max(last, now)
            wanted[IncidentClock.Kind.FOLLOW_UP] = last + timedelta(minutes=policy.follow_up_minutes)
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
    """{kind: when it was met} for the clocks among `kinds` that were: phone and
    written by the first upward report of that method (a written one, arriving in
    writing, meets the phone clock too), final by the first final report, received
    or sent upward."""
    met = {}
    upward = [k for k in kinds if k in (IncidentClock.Kind.PHONE, IncidentClock.Kind.WRITTEN)]
    sent = _upward(incident) if upward or IncidentClock.Kind.FINAL in kinds else []
    if upward:
        met.update(
            UpwardReport.objects.filter(incident=incident, method__in=upward)
            .order_by()
            .values("method")
            .annotate(first=Min("sent_at"))
            .values_list("method", "first")
        )
        for _kind, method, at in sent:
            meets = [IncidentClock.Kind.PHONE] + ([IncidentClock.Kind.WRITTEN] if method == "written" else [])
            for kind in meets:
                if kind in upward and (met.get(kind) is None or at < met[kind]):
                    met[kind] = at
    if IncidentClock.Kind.FINAL in kinds:
        finals = [at for kind, _method, at in sent if kind == ReportKind.FINAL]
        received = Report.objects.filter(incident=incident, kind=ReportKind.FINAL).aggregate(first=Min("received_at"))[
            "first"
        ]
        met[IncidentClock.Kind.FINAL] = min([*finals, *([received] if received else [])], default=None)
    return met


def recompute_clocks(incident, now=None):
    """Bring the incident's clocks (and their timers) in line with its grade,
    category, status and reports. The caller saves the incident."""
    now = now or timezone.now()
    clocks = {c.kind: c for c in IncidentClock.objects.select_for_update().filter(incident=incident)}
    follow_up = clocks.get(IncidentClock.Kind.FOLLOW_UP)
    wanted = wanted_clocks(incident, now, follow_up_running=bool(follow_up and follow_up.pending))
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
