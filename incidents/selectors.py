"""Reads of the incidents domain (the board, the handover, duplicates, statistics)."""

from datetime import timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy
from dutyops.cache import Recent
from dutyops.models import Department
from realtime.models import Event
from realtime.wire import envelope

from . import geo
from .models import (
    OPEN_STATUSES,
    Category,
    Incident,
    IncidentClock,
    Instruction,
    Place,
    Report,
    ReportPolicy,
    Status,
    Subtype,
)

DUPLICATE_KM = getattr(settings, "DUTYOPS_DUPLICATE_KM", 2.0)
DUPLICATE_WINDOW_HOURS = getattr(settings, "DUTYOPS_DUPLICATE_WINDOW_HOURS", 24)
DUPLICATE_MIN_TEXT = 0.15  # bigram Jaccard for reports that both have coordinates
DUPLICATE_MIN_TEXT_NO_GEO = 0.35  # without coordinates the text has to carry it
DUPLICATE_LIMIT = 5


def visible_incidents(user):
    """Incidents `user` may see (dutyops.policy, "incident.view"): every one, or those
    of their department: registered by it, transferred to it, or (as alerts tell
    the policy) with alerts to it."""
    qs = Incident.objects.select_related("duty_room", "transferred_to", "created_by")
    return policy.visible(user, "incident.view", qs)


def filter_incidents(qs, *, status=None, category=None, is_drill=None, open_only=False, q=None):
    """The incident lists' filters (API and page): unknown codes filter nothing."""
    if status in Status.values:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status__in=[Status.CLOSED, Status.MERGED])
    if category in Category.values:
        qs = qs.filter(category=category)
    if is_drill is not None:
        qs = qs.filter(is_drill=is_drill)
    if q:
        qs = qs.filter(title__icontains=q[:100].replace("\x00", ""))  # PostgreSQL refuses NUL
    return qs.order_by("-reported_at", "-id")


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


def subtype_category(code):
    """Category of an active subtype code, or None if unknown."""
    return Subtype.objects.filter(code=code, active=True).values_list("category", flat=True).first()


def possible_duplicates(*, category, latitude, longitude, text, at, is_drill=False, exclude=None):
    """Open incidents that look like the same event: same category and drill flag,
    reported within the time window, within DUPLICATE_KM (geodesic) and with
    similar text. Prefiltered in SQL (category, time, bounding box) so it stays
    fast against many open incidents. Best match first."""
    if not category:
        return []
    at = at or timezone.now()
    window = timedelta(hours=DUPLICATE_WINDOW_HOURS)
    has_geo = latitude is not None and longitude is not None
    point = (latitude, longitude) if has_geo else None
    rows = _duplicate_candidates(category, is_drill, at - window, at + window, exclude, point)
    grams = geo.bigrams(text)
    scored = []
    for pk, lat, lon, title, place, description in rows:
        if has_geo and lat is not None:
            # Cheap sphere distance first; the exact geodesic only near the edge.
            km = geo.rough_km((latitude, longitude), (lat, lon))
            if km > DUPLICATE_KM * 1.01:
                continue
            if km > DUPLICATE_KM * 0.98:
                km = geo.distance_km((latitude, longitude), (lat, lon))
                if km > DUPLICATE_KM:
                    continue
        similarity = max(
            geo.text_similarity(grams, f"{title} {place}"), geo.text_similarity(grams, f"{title} {description[:300]}")
        )
        if has_geo and lat is not None:
            if similarity < DUPLICATE_MIN_TEXT:
                continue
            score = similarity + (1 - km / DUPLICATE_KM)
        else:
            if similarity < DUPLICATE_MIN_TEXT_NO_GEO:
                continue
            score = similarity
        scored.append((score, pk))
    scored.sort(key=lambda s: (-s[0], -s[1]))
    return [pk for _, pk in scored[:DUPLICATE_LIMIT]]


def _duplicate_candidates(category, is_drill, start, end, exclude, point):
    """Open incidents of the category and drill flag reported between start and
    end (and inside the box around point): (pk, lat, lon, title, place, description).

    Written out because every intake runs it: composing it with the ORM cost six
    times what the database spends answering it (incident_dup_idx, incident_geo_idx).
    """
    adapt = connection.ops.adapt_datetimefield_value
    sql = [
        f"SELECT id, latitude, longitude, title, location_text, description FROM {Incident._meta.db_table}",
        f"WHERE category = %s AND is_drill = %s AND status IN ({', '.join(['%s'] * len(OPEN_STATUSES))})",
        "AND reported_at >= %s AND reported_at <= %s",
    ]
    params = [category, is_drill, *OPEN_STATUSES, adapt(start), adapt(end)]
    if exclude:
        sql.append("AND id <> %s")
        params.append(exclude)
    if point:
        sql.append("AND latitude >= %s AND latitude <= %s AND longitude >= %s AND longitude <= %s")
        params += geo.bounding_box(*point, DUPLICATE_KM)
    with connection.cursor() as cursor:
        cursor.execute(" ".join([*sql, "LIMIT 500"]), params)
        return cursor.fetchall()


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
            {
                "kind": "instruction",
                "id": ins.pk,
                "title": _("%(who)s批示：%(text)s") % {"who": ins.author, "text": ins.text[:60]},
                "due_at": None,
            }
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


def intake_log(start, end):
    """Report intakes in [start, end) with time-to-answer: the duty office's log
    shows them beside its own entries (duty.hooks.log_rows)."""
    reports = Report.objects.filter(received_at__gte=start, received_at__lt=end).select_related("created_by")
    return [
        {
            "source": "report",
            "id": r.pk,
            "kind": "report",
            "kind_label": _("接报"),
            "at": r.received_at,
            "received_at": r.received_at,
            "answered_at": r.answered_at,
            "seconds_to_answer": (r.answered_at - r.received_at).total_seconds() if r.answered_at else None,
            "text": r.title or str(r),
            "caller": " ".join(x for x in (r.reporter_unit, r.reporter_name) if x),
            "channel": r.channel,
            "incident": r.incident_id,
            "author": str(r.created_by or ""),
        }
        for r in reports.order_by("received_at")[:1000]
    ]


# --- what the API and pages read ------------------------------------------------


def reports_for(user, incident_id=None):
    """Reports of the incidents `user` may see (one incident's, when asked), newest first."""
    visible = visible_incidents(user).values("pk")
    qs = Report.objects.filter(incident__in=visible).select_related("created_by").order_by("-received_at", "-id")
    return qs if incident_id is None else qs.filter(incident_id=incident_id)


def instructions_of(incident):
    return incident.instructions.select_related("author")


def upward_reports_of(incident):
    return incident.upward_reports.select_related("sent_by")


def incident_with_rooms(pk):
    return Incident.objects.select_related("duty_room", "transferred_to").get(pk=pk)


def duplicate_rows(ids):
    """[{"id", "title", "status", "reported_at"}] of these incidents, in the order given."""
    rows = {i.pk: i for i in Incident.objects.filter(pk__in=ids)}
    return [
        {"id": i, "title": rows[i].title, "status": rows[i].status, "reported_at": rows[i].reported_at}
        for i in ids
        if i in rows
    ]


def active_subtypes():
    return list(Subtype.objects.filter(active=True).values("code", "name", "category"))


def incident_page(incident):
    """What the incident page shows beside the incident itself."""
    return {
        "subtype_name": Subtype.objects.filter(code=incident.subtype).values_list("name", flat=True).first()
        or incident.subtype,
        "reports": reports_of(incident),
        "timeline": timeline(incident),
        "clocks": incident.clocks.order_by("due_at"),
        "instructions": instructions_of(incident),
        "upward_reports": upward_reports_of(incident),
        "merged": Incident.objects.filter(merged_into=incident),
        "departments": Department.objects.exclude(pk=incident.duty_room_id).order_by("code"),
    }


def report_policies():
    fields = ("id", "grade", "category", "phone_minutes", "written_minutes", "follow_up_minutes", "final_days", "note")
    return list(ReportPolicy.objects.all().values(*fields))


def places(q=""):
    """Gazetteer entries whose name contains `q` (every one without it), at most 50."""
    q = q[:100].replace("\x00", "")  # PostgreSQL refuses NUL
    rows = Place.objects.filter(name__icontains=q) if q else Place.objects.all()
    return list(rows.values("id", "name", "district", "kind", "latitude", "longitude")[:50])
