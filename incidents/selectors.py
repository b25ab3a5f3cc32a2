"""Reads of the incidents domain (the board, the handover, duplicates, statistics)."""

from datetime import timedelta

from django.apps import apps
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops.cache import Recent
from realtime.models import Event
from realtime.services import envelope

from . import understanding
from .models import OPEN_STATUSES, Incident, IncidentClock, Instruction, Report, ReportPolicy, Status, Subtype

DUPLICATE_KM = understanding.DUPLICATE_KM


def _alert_model():
    try:
        return apps.get_model("alerts", "Alert")
    except LookupError:
        return None


def visible_incidents(user):
    """Staff roles see every incident; a liaison those of its department:
    owned, transferred to it, or with alerts to it."""
    qs = Incident.objects.select_related("duty_room", "transferred_to", "created_by")
    if user.sees_everything:
        return qs
    if user.department_id is None:
        return qs.none()
    dept = user.department_id
    condition = Q(duty_room_id=dept) | Q(transferred_to_id=dept)
    alert = _alert_model()
    if alert is not None:
        condition |= Q(pk__in=alert.objects.filter(department_id=dept).values("incident_id"))
    return qs.filter(condition)


def active_incidents():
    """The board: every incident not closed and not merged (transferred ones too,
    until the other side has them), newest first."""
    return (
        Incident.objects.exclude(status__in=[Status.CLOSED, Status.MERGED])
        .select_related("duty_room", "transferred_to")
        .order_by("-reported_at", "-id")
    )


def incident_family(incident):
    """Ids of the incident and every incident merged into it (their reports and
    timelines are its own), as a subquery: reads filter on it in one query."""
    return Incident.objects.filter(Q(pk=incident.pk) | Q(merged_into_id=incident.pk)).values_list("pk", flat=True)


def incident_family_ids(incident):
    return list(incident_family(incident))


def reports_of(incident):
    return list(
        Report.objects.filter(incident_id__in=incident_family(incident))
        .select_related("created_by")
        .order_by("received_at", "id")
    )


def timeline(incident):
    """Every recorded change of the incident (and of those merged into it), oldest first."""
    # A merge is recorded on both sides; the survivor shows it once, its own copy.
    events = (
        Event.objects.filter(incident_id__in=incident_family(incident))
        .exclude(~Q(incident_id=incident.pk), type="incident.merged")
        .order_by("seq")
    )
    return [envelope(e) for e in events]


# Every intake reads the policies; they change a few times a year (incidents.apps clears it).
policies = Recent(lambda _: {(p.grade, p.category): p for p in ReportPolicy.objects.all()})


def policy_for(grade, category):
    """The most specific clock policy row: grade+category, grade, category, any.
    Shared between requests: read it, do not change it."""
    rows = policies.get(None)
    for key in ((grade or "", category), (grade or "", ""), ("", category), ("", "")):
        if key in rows:
            return rows[key]
    return None


def subtype_name(code):
    return understanding.subtype_names.get(None).get(code, code)


def subtype_category(code):
    """Category of an active subtype code, or None if unknown."""
    return Subtype.objects.filter(code=code, active=True).values_list("category", flat=True).first()


def possible_duplicates(
    *,
    category,
    latitude,
    longitude,
    text,
    at,
    is_drill=False,
    exclude=None,
    location_text="",
    subtype="",
    guess=None,
    phone="",
    explain=False,
):
    """Open incidents that may be the event a new report describes (same category and
    drill flag, within the time window), scored on place, time, kind, caller and words
    together (incidents.duplicates). Best first: their ids, or with explain=True
    [(id, score, reasons)]. `guess`: the words' subtype when the caller already read
    them (intake), else they are read here."""
    if not category:
        return []
    at = at or timezone.now()
    if guess is None:
        inference = understanding.reader.get(None).infer(f"{location_text} {text}", category)
        guess = inference.code
        subtype = subtype or (inference.code if inference.confident else "")
    located = latitude is not None and longitude is not None
    new = understanding.new_sighting(
        category=category,
        at=at,
        text=text,
        location_text=location_text,
        subtype=subtype,
        guess=guess,
        latitude=latitude if located else None,
        longitude=longitude if located else None,
        is_drill=is_drill,
    )
    found = understanding.possible_duplicates(new, phone=phone, exclude=exclude)
    if explain:
        return [(row.id, score, reasons) for score, reasons, row in found]
    return [row.id for _score, _reasons, row in found]


def open_items_for_handover(now=None):
    """What the outgoing shift hands over: open incidents, recent instructions on
    them, and pending reporting clocks. [{"kind","id","title","due_at"}]."""
    now = now or timezone.now()
    items = []
    for inc in Incident.objects.filter(
        Q(status__in=OPEN_STATUSES) | Q(status=Status.TRANSFERRED, transfer_confirmed_at__isnull=True)
    ).order_by("reported_at")[:500]:
        title = f"{_('【演练】')}{inc.title}" if inc.is_drill else inc.title  # as the event summaries mark drills
        items.append({"kind": "incident", "id": inc.pk, "title": title, "due_at": inc.next_report_due_at})
    for ins in (
        Instruction.objects.filter(incident__status__in=OPEN_STATUSES, created_at__gte=now - timedelta(hours=24))
        .select_related("incident", "author")
        .order_by("created_at")[:200]
    ):
        items.append(
            {"kind": "instruction", "id": ins.pk, "title": f"{ins.author}批示：{ins.text[:60]}", "due_at": None}
        )
    for clock in (
        IncidentClock.objects.filter(satisfied_at__isnull=True, cancelled_at__isnull=True)
        .select_related("incident")
        .order_by("due_at")[:500]
    ):
        items.append(
            {
                "kind": "report_clock",
                "id": clock.pk,
                "title": f"{clock.incident.title}：{clock.get_kind_display()}",
                "due_at": clock.due_at,
            }
        )
    return items


def statistics(start=None, end=None):
    """Incident counts and time-to-answer for figures: drills are never counted."""
    incidents = Incident.objects.filter(is_drill=False).exclude(status=Status.MERGED)
    reports = Report.objects.filter(is_drill=False)
    if start:
        incidents, reports = incidents.filter(reported_at__gte=start), reports.filter(received_at__gte=start)
    if end:
        incidents, reports = incidents.filter(reported_at__lt=end), reports.filter(received_at__lt=end)
    by_category = dict(incidents.values_list("category").annotate(n=Count("pk")).order_by())
    by_grade = {k or "": v for k, v in incidents.values_list("grade").annotate(n=Count("pk")).order_by()}
    answered = [
        (r - a).total_seconds()
        for a, r in reports.filter(answered_at__isnull=False).values_list("received_at", "answered_at")
    ]
    return {
        "incidents": incidents.count(),
        "reports": reports.count(),
        "by_category": by_category,
        "by_grade": by_grade,
        "overdue_clocks": IncidentClock.objects.filter(incident__is_drill=False, overdue_at__isnull=False)
        .filter(Q(incident__reported_at__gte=start) if start else Q())
        .count(),
        "mean_seconds_to_answer": (sum(answered) / len(answered)) if answered else None,
    }
