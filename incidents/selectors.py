"""Reads of the incidents domain (the board, the handover, duplicates; statistics: statistics.py)."""

from datetime import timedelta

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy
from dutyops import selectors as org
from dutyops.cache import Recent
from dutyops.models import Department, Person
from dutyops.providers import Providers
from realtime.models import Event
from realtime.selectors import readable
from realtime.wire import envelope

from . import understanding
from .models import (
    OPEN_STATUSES,
    Category,
    ClassifiedDelivery,
    Incident,
    IncidentClock,
    Instruction,
    Place,
    Report,
    ReportPolicy,
    Status,
    Subtype,
)

DUPLICATE_KM = understanding.DUPLICATE_KM


def visible_incidents(user):
    """Incidents `user` may see (dutyops.policy, "incident.view"): every one, or those
    of their department: registered by it, transferred to it, or (as alerts tell
    the policy) with alerts to it."""
    qs = Incident.objects.select_related("duty_room", "transferred_to", "created_by")
    return policy.visible(user, "incident.view", qs)


def holding_rooms(incident_ids):
    """{incident id: the rooms holding it}: the one that registered it, the one it went to."""
    found = {}
    rows = Incident.objects.filter(pk__in=incident_ids).values_list("pk", "duty_room_id", "transferred_to_id")
    for pk, *rooms in rows:
        found[pk] = {room for room in rooms if room is not None}
    return found


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


def timeline(incident, user):
    """Every recorded change of the incident (and of those merged into it) that `user`
    may read, oldest first: the incident-level ones, and of its alerts, feedback and
    supervision only their department's (realtime.selectors.readable)."""
    # A merge is recorded on both sides; the survivor shows it once, its own copy.
    events = Event.objects.filter(incident_id__in=incident_family(incident)).exclude(
        ~Q(incident_id=incident.pk), type="incident.merged"
    )
    return [envelope(e) for e in readable(user, events).order_by("seq")]


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


# {code: category} of the taxonomy's active subtypes, read at every report's validation.
# An edit of the taxonomy applies at once in the process that made it (incidents/apps.py)
# and within DUTYOPS_CACHE_SECONDS in the others.
subtype_categories = Recent(lambda _: dict(Subtype.objects.filter(active=True).values_list("code", "category")))


def subtype_category(code):
    """Category of an active subtype code, or None if unknown."""
    return subtype_categories.get(None).get(code)


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
    unit="",
    title="",
    explain=False,
):
    """Open incidents that may be the event a new report describes (same category and
    drill flag, within the time window), scored on place, time, kind, caller and words
    together (incidents.duplicates). Best first: their ids, or with explain=True
    [(id, score, reasons)]. `guess`: the words' subtype when the caller already read
    them (intake), else they are read here. `unit`: the reporting unit (its village or
    town counts, less than a named place, when the words name none); `title`: the
    report's title, part of `text` too (a department's written report says so there)."""
    if not category:
        return []
    at = at or timezone.now()
    if guess is None:
        inference = understanding.reader.get(None).infer(f"{location_text} {text}", category, title=title)
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
        unit=unit,
        title=title,
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


# Where a report came from when a higher floor knows (chain: the lower installation
# that sent it over a link): fn(report) -> a name, or None.
report_sources = Providers("report source")


# The incident page's upward reports kept by a higher floor (chain): fn(incident) -> rows
# with sent_at, get_method_display(), recipient (a line) and sent_by, like UpwardReport's.
upward_rows = Providers("upward report rows")


# The incident page's parts kept by a higher floor (chain: verifications, reports
# from below to sign for): fn(incident, user) -> {name: value} for the template.
page_parts = Providers("incident page parts")


def source_of(report):
    return report_sources.first(report, default="")


def upward_reports_of(incident):
    return incident.upward_reports.select_related("sent_by")


def incident_with_rooms(pk):
    return Incident.objects.select_related("duty_room", "transferred_to").get(pk=pk)


def visible_among(user, ids):
    """Of incident `ids` (order kept), those `user` may open: what an answer to them may name."""
    if not ids:
        return []
    if policy.scope(user, "incident.view") is None:
        return list(ids)  # the whole jurisdiction: the ids came from incidents that exist
    seen = set(visible_incidents(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [i for i in ids if i in seen]


def seen_from_room(room_id, ids):
    """Of incident `ids` (order kept), those a duty room sees (what it and the units below it
    hold or follow; the general duty office's, all): what a room's system is told (inbound/)."""
    if not ids or room_id is None:
        return []
    if Department.objects.filter(pk=room_id, kind=Department.Kind.DUTY_OFFICE, parent__isnull=True).exists():
        return list(ids)
    return _kept(ids, policy.relations.q_for(Incident, policy.subtree(room_id)))


def duplicates_for_event(rooms, ids):
    """What an event about a new incident may name of its possible duplicates (`ids`, order kept).
    It reaches the jurisdiction-wide readers and the people whose scope holds one of `rooms` (a
    room's own people, and those of the rooms above it): only ids each of `rooms` holds or follows
    reach them all. A general duty office's room reaches only jurisdiction-wide readers, unless
    one of its own people reads less (then the same rule holds for it)."""
    keep = list(ids)
    for room in rooms:
        if keep and not jurisdiction_wide_rooms.get(room):
            keep = _kept(keep, policy.relations.q_for(Incident, {room}))
    return keep


def _kept(ids, q):
    seen = set(Incident.objects.filter(pk__in=ids).filter(q).values_list("pk", flat=True))
    return [i for i in ids if i in seen]


def _reaches_only_the_jurisdiction_wide(room_id):
    """Whether every person an event naming this room reaches sees the whole jurisdiction."""
    if not Department.objects.filter(pk=room_id, kind=Department.Kind.DUTY_OFFICE, parent__isnull=True).exists():
        return False
    people = Person.objects.filter(department_id=room_id, is_active=True)
    return all(not policy.stream_rooms(person) for person in people)


# The same answer per room, kept per process: intake asks it for the duty room of every
# report (a query for the room, one for its people). Any edit of a department, a person or
# their roles clears it (incidents.apps); other processes follow within DUTYOPS_CACHE_SECONDS.
jurisdiction_wide_rooms = Recent(_reaches_only_the_jurisdiction_wide)


def duplicate_rows(user, found):
    """The candidates [(pk, score, reasons)] `user` may see, in the order found:
    [{"id", "title", "status", "reported_at", "score", "reasons"}]."""
    rows = {i.pk: i for i in visible_incidents(user).filter(pk__in=[pk for pk, _score, _reasons in found])}
    return [
        {
            "id": pk,
            "title": rows[pk].title,
            "status": rows[pk].status,
            "reported_at": rows[pk].reported_at,
            "score": score,
            "reasons": reasons,
        }
        for pk, score, reasons in found
        if pk in rows
    ]


def active_subtypes():
    return list(Subtype.objects.filter(active=True).values("code", "name", "category"))


def flagged_duplicates(user, incident):
    """The open incidents this one was flagged at intake as a possible duplicate of,
    that `user` may see: where the incident page offers "合并到 #N"."""
    if not incident.possible_duplicates or incident.status not in OPEN_STATUSES:
        return []
    qs = visible_incidents(user).filter(
        pk__in=[i for i in incident.possible_duplicates if isinstance(i, int)],
        status__in=OPEN_STATUSES,
        is_drill=incident.is_drill,
    )
    return list(qs.order_by("reported_at"))


def responsible_departments():
    """Departments a leader may name as responsible for an instruction (not the duty office)."""
    return org.working_departments()


def with_clocks(qs):
    """The incidents with their statutory clocks, soonest first (the serializers show them)."""
    return qs.prefetch_related(Prefetch("clocks", queryset=IncidentClock.objects.order_by("due_at")))


def with_report_ids(qs):
    """The incidents with the ids of their reports (the list shows them)."""
    return qs.prefetch_related(Prefetch("reports", queryset=Report.objects.only("pk", "incident_id")))


def all_incidents():
    """Every incident, unfiltered: for an action whose service asks the policy itself (the
    room an incident is transferred to confirms it before it may see it)."""
    return Incident.objects.all()


def classified_deliveries():
    """The register of classified deliveries (metadata only), with who registered each."""
    return ClassifiedDelivery.objects.select_related("registered_by", "incident")


def incident_page(incident, user):
    """What the incident page shows beside the incident itself, as `user` may read it."""
    parts = {}
    for part in page_parts.collect(incident, user):
        parts.update(part)
    return {
        **parts,
        "subtype_name": Subtype.objects.filter(code=incident.subtype).values_list("name", flat=True).first()
        or incident.subtype,
        "reports": reports_of(incident),
        "timeline": timeline(incident, user),
        "clocks": incident.clocks.order_by("due_at"),
        "instructions": instructions_of(incident),
        "upward_reports": sorted(
            [*upward_reports_of(incident), *(row for rows in upward_rows.collect(incident) for row in rows)],
            key=lambda u: u.sent_at,
        ),
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
