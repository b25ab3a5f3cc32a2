"""Writes of the incidents domain. Each runs in one transaction and records
itself on the event stream with emit() as its last write."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy
from dutyops.errors import Conflict, Forbidden, Invalid
from dutyops.models import Department
from realtime.services import emit, events_at_end

from . import geo, selectors, understanding
from .clocks import audience as _audience
from .clocks import recompute_clocks, start_clocks, wanted_clocks
from .models import (
    OPEN_STATUSES,
    PICTURE_FIELDS,
    Channel,
    ClassifiedDelivery,
    Grade,
    GradeSource,
    Incident,
    Instruction,
    Report,
    Status,
    Subtype,
    SubtypeSource,
)
from .signals import instruction_created, picture_changed

# Legal status changes. Reopening (closed -> ..., transferred -> received) needs a reason.
TRANSITIONS = {
    Status.RECEIVED: {Status.VERIFYING, Status.RESPONDING, Status.CLOSED, Status.TRANSFERRED, Status.MERGED},
    Status.VERIFYING: {Status.RESPONDING, Status.CLOSED, Status.TRANSFERRED, Status.MERGED},
    Status.RESPONDING: {Status.STABILISED, Status.CLOSED, Status.TRANSFERRED, Status.MERGED},
    Status.STABILISED: {Status.RESPONDING, Status.CLOSED, Status.MERGED},
    Status.CLOSED: {Status.VERIFYING, Status.RESPONDING},
    Status.TRANSFERRED: {Status.RECEIVED},
    Status.MERGED: set(),
}
REOPENING = {
    (Status.CLOSED, Status.VERIFYING),
    (Status.CLOSED, Status.RESPONDING),
    (Status.TRANSFERRED, Status.RECEIVED),
}


def actor_name(actor):
    return str(actor) if actor is not None else _("系统")


def incident_data(incident, **extra):
    """The thin event payload of an incident: what a board shows."""
    data = {
        "id": incident.pk,
        "title": incident.title,
        "status": incident.status,
        "category": incident.category,
        "subtype": incident.subtype,
        "grade": incident.grade,
        "subtype_source": incident.subtype_source,
        "is_drill": incident.is_drill,
        "latitude": incident.latitude,
        "longitude": incident.longitude,
        "deaths": incident.deaths,
        "injuries": incident.injuries,
        "missing": incident.missing,
        "next_report_due_at": incident.next_report_due_at,
        "report_overdue": incident.report_overdue,
    }
    data.update(extra)
    return data


# --- intake -------------------------------------------------------------------


@transaction.atomic
def intake(data, actor, *, duty_room=None):
    """Register a report (一口接待). Without `incident` it opens a new incident;
    with one it adds a follow-up/final report and updates the current picture.
    A person files within their scope ("report.file"); a report filed from a room
    other than the general duty office is marked with it as its source. A system
    (inbound/: actor None) names its source in `data` and the room that holds what
    it opens (`duty_room`). Returns (report, incident, possible_duplicate_ids)."""
    # Plan re-matching runs after our events: append them all at the end, so
    # intakes do not queue on the event lock while one of them matches plans.
    with events_at_end():
        return _intake(data, actor, duty_room)


# The channel a report filed from a room arrives by, unless it says another.
_CHANNEL_OF_ROOM = {
    Department.Kind.DISTRICT: Channel.LOWER_LEVEL,
    Department.Kind.TOWNSHIP: Channel.LOWER_LEVEL,
    Department.Kind.DEPARTMENT: Channel.DEPARTMENT,
}


def _filed_within_scope(data, actor):
    """A person files within their scope and the report is marked with its source:
    the unit named (within scope), else the filer's own room unless it is the office."""
    incident = data.get("incident")
    if incident is not None and not policy.may(actor, "report.file", incident):
        raise Forbidden(_("该事件不在您的报告范围内。"))
    source = data.get("source_department")
    if source is not None and not policy.may(actor, "report.file", source):
        raise Forbidden(_("只能以本单位或下属单位的名义报告。"))
    room = actor.department if getattr(actor, "department_id", None) else None
    if source is None and room is not None and room.kind != Department.Kind.DUTY_OFFICE:
        source = room
    if source is not None:
        data["source_department"] = source
        data["source"] = source.name
        data.setdefault("channel", _CHANNEL_OF_ROOM.get(source.kind, Channel.DEPARTMENT))


def _intake(data, actor, duty_room=None):
    data = dict(data)
    if actor is not None:
        _filed_within_scope(data, actor)
    now = timezone.now()
    data.setdefault("received_at", now)
    if data.get("latitude") is None and data.get("location_text"):
        found = geo.geocode(data["location_text"])
        if found:
            data["latitude"], data["longitude"] = found
    incident = data.pop("incident", None)
    created = incident is None
    if created:
        incident, duplicates = _new_incident(data, actor, now, duty_room)
        changed = set(PICTURE_FIELDS)
    else:
        incident, changed = _updated_picture(incident, data)
        duplicates = []
    report = Report.objects.create(incident=incident, created_by=actor, **data)
    if not created:
        recompute_clocks(incident, now)
        incident.save()
    _emit_intake(report, incident, actor, created, changed, duplicates)
    if changed:
        # After our own events, so that plan re-matching reads after them in the timeline.
        picture_changed.send(sender=Incident, incident=incident, created=created)
    return report, incident, duplicates


def _new_incident(data, actor, now, duty_room=None):
    """A first report opens an incident (its clocks started); returns it and its possible duplicates.
    What the words say (subtype, grade, district) first, then who may already have told it."""
    assessment = understanding.assess(**{k: data.get(k) or "" for k in _ASSESSED_TEXT}, **_counts(data))
    inference = assessment.inference
    duplicates = selectors.possible_duplicates(
        category=data.get("category"),
        latitude=data.get("latitude"),
        longitude=data.get("longitude"),
        text=" ".join(filter(None, [data.get("title"), data.get("description")])),
        location_text=data.get("location_text") or "",
        at=data["received_at"],
        is_drill=data.get("is_drill", False),
        subtype=data.get("subtype") or (inference.code if inference.confident else ""),
        guess=inference.code,
        phone=data.get("reporter_phone") or "",
        unit=data.get("reporter_unit") or "",
        title=data.get("title") or "",
    )
    incident = Incident(
        status=Status.RECEIVED,
        reported_at=data["received_at"],
        is_drill=data.get("is_drill", False),
        duty_room_id=duty_room.pk if duty_room is not None else getattr(actor, "department_id", None),
        created_by=actor,
    )
    for field in PICTURE_FIELDS:
        if data.get(field) not in (None, ""):
            setattr(incident, field, data[field])
    if not incident.title:
        incident.title = _short_title(data)
    understanding.apply(incident, assessment, reported_subtype=bool(data.get("subtype")))
    if data.get("grade"):
        incident.grade_source = GradeSource.REPORTED
    incident.possible_duplicates = list(duplicates)
    wanted = wanted_clocks(incident, now)
    incident.next_report_due_at = min(wanted.values(), default=None)
    incident.save()
    start_clocks(incident, wanted)
    return incident, duplicates


def _updated_picture(incident, data):
    """A follow-up changes the incident's picture; returns the incident (locked) and the fields changed."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    # A report on a merged incident belongs to the one it was merged into.
    if incident.merged_into_id:
        incident = Incident.objects.select_for_update().get(pk=incident.merged_into_id)
    changed = set()
    for field in PICTURE_FIELDS:
        if field == "title":
            continue  # the incident keeps its registered title; reports keep theirs
        value = data.get(field)
        if value not in (None, "") and getattr(incident, field) != value:
            setattr(incident, field, value)
            changed.add(field)
    if data.get("grade"):
        incident.grade_source = GradeSource.REPORTED
    if changed or data.get("subtype"):
        # Read the words again: the picture changed (an inferred subtype may follow).
        assessment = understanding.assess(
            **{k: getattr(incident, k) or "" for k in _ASSESSED_TEXT},
            **{k: getattr(incident, k) for k in ("deaths", "injuries", "missing", "latitude", "longitude")},
        )
        changed |= understanding.apply(incident, assessment, reported_subtype=bool(data.get("subtype"))) & {"subtype"}
    return incident, changed


def _emit_intake(report, incident, actor, created, changed, duplicates):
    who = report.source if actor is None and report.source else actor_name(actor)
    if created:
        emit(
            "incident.created",
            # Only the duplicates everyone the event reaches may open (issue 16).
            incident_data(
                incident,
                actor_name=who,
                possible_duplicates=selectors.duplicates_for_event(_audience(incident), duplicates),
            ),
            actor=actor,
            incident_id=incident.pk,
            departments=_audience(incident),
            new_incident=True,
        )
    elif changed:
        emit(
            "incident.updated",
            incident_data(incident, changed=sorted(changed), actor_name=who),
            actor=actor,
            incident_id=incident.pk,
            departments=_audience(incident),
        )
    emit(
        "report.created",
        {
            "id": report.pk,
            "incident": incident.pk,
            "kind": report.kind,
            "channel": report.channel,
            "received_at": report.received_at,
            "answered_at": report.answered_at,
            "grade": report.grade,
            "deaths": report.deaths,
            "injuries": report.injuries,
            "missing": report.missing,
            "is_drill": report.is_drill,
            "actor_name": who,
            "title": incident.title,
            "source": report.source,
        },
        actor=actor,
        incident_id=incident.pk,
        departments=_audience(incident),
        new_incident=created,
    )


_ASSESSED_TEXT = ("title", "description", "location_text", "category", "subtype")


def _counts(data):
    return {k: data.get(k) for k in ("deaths", "injuries", "missing", "latitude", "longitude")}


def _short_title(data):
    text = data.get("description") or data.get("location_text") or _("未命名事件")
    return text[:40]


# --- confirming what the words suggested -------------------------------------------


def _confirmable(incident):
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == Status.MERGED:
        raise Conflict(_("该事件已被合并，请在合并后的事件上确认。"))
    return incident


@transaction.atomic
def confirm_subtype(incident, actor, code):
    """The officer confirms the suggested subtype, or picks another (its category
    follows: a forest fire registered as an accident moves to natural disasters)."""
    incident = _confirmable(incident)
    category = selectors.subtype_category(code) if code else None
    if category is None:
        raise Invalid({"subtype": [_("未知的事件类型编码：%(code)s") % {"code": code}]})
    values = {"subtype": code, "category": category, "subtype_source": SubtypeSource.CONFIRMED}
    return _confirm(incident, actor, "subtype", values, clocks_follow="category")


@transaction.atomic
def confirm_grade(incident, actor, grade):
    """The officer confirms the suggested grade, or sets another: the reporting clocks follow."""
    incident = _confirmable(incident)
    if grade not in Grade.values:
        raise Invalid({"grade": [_("等级必须是 I、II、III 或 IV。")]})
    return _confirm(incident, actor, "grade", {"grade": grade, "grade_source": GradeSource.CONFIRMED}, "grade")


def _confirm(incident, actor, what, values, clocks_follow):
    """Set the confirmed values: recorded when anything changed or the value is newly
    confirmed; the clocks follow a changed grade or category, plan matching any change."""
    source = f"{what}_source"
    changed = {f for f, v in values.items() if f != source and getattr(incident, f) != v}
    confirmed_now = getattr(incident, source) != values[source]
    for field, value in values.items():
        setattr(incident, field, value)
    if clocks_follow in changed:
        recompute_clocks(incident)
    incident.save()
    if changed or confirmed_now:
        _emit_confirmed(incident, actor, changed, what)
    if changed:
        picture_changed.send(sender=Incident, incident=incident, created=False, actor=actor)
    return incident


def _emit_confirmed(incident, actor, changed, what):
    extra = {"changed": sorted(changed), "confirmed": what, "actor_name": actor_name(actor)}
    if what == "subtype":
        name = Subtype.objects.filter(code=incident.subtype).values_list("name", flat=True).first()
        extra["subtype_name"] = name or incident.subtype
    emit(
        "incident.updated",
        incident_data(incident, **extra),
        actor=actor,
        incident_id=incident.pk,
        departments=_audience(incident),
    )


# --- lifecycle ----------------------------------------------------------------


@transaction.atomic
def transition(incident, to, actor, *, reason="", department=None, into=None):
    """Move the incident to status `to`; illegal moves raise Conflict (409)."""
    if to == Status.MERGED:
        if into is None:
            raise Invalid({"into": [_("合并时必须指定目标事件。")]})
        return merge(incident, into, actor, reason=reason)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    before = incident.status
    if to not in TRANSITIONS.get(before, set()):
        raise Conflict(
            _("不能从“%(from)s”变更为“%(to)s”。") % {"from": incident.get_status_display(), "to": Status(to).label}
        )
    if (before, to) in REOPENING and not reason.strip():
        raise Invalid({"reason": [_("重新打开事件必须填写原因。")]})
    now = timezone.now()
    if to == Status.TRANSFERRED:
        if department is None:
            raise Invalid({"department": [_("移交时必须指定接收单位。")]})
        if department.pk == incident.duty_room_id:
            raise Invalid({"department": [_("不能移交给本值班室。")]})
        incident.transferred_to = department
        incident.transfer_confirmed_at = None
        incident.transfer_confirmed_by = None
    if to == Status.CLOSED:
        incident.closed_at = now
    if before == Status.CLOSED:
        incident.closed_at = None
    incident.status = to
    recompute_clocks(incident, now)
    incident.save()
    extra = {"from": before, "to": to, "reason": reason, "actor_name": actor_name(actor)}
    event_type = "incident.updated"
    if to == Status.TRANSFERRED:
        extra.update(transferred_to=department.pk, transferred_to_name=department.name, confirmed=False)
        event_type = "incident.transferred"
    emit(
        event_type,
        incident_data(incident, **extra),
        actor=actor,
        incident_id=incident.pk,
        departments=_audience(incident),
    )
    return incident


@transaction.atomic
def confirm_transfer(incident, actor):
    """The receiving duty room confirms it has taken over the incident."""
    incident = Incident.objects.select_for_update(of=("self",)).select_related("transferred_to").get(pk=incident.pk)
    if incident.status != Status.TRANSFERRED:
        raise Conflict(_("该事件不在移交状态。"))
    if incident.transfer_confirmed_at is not None:
        raise Conflict(_("移交已确认。"))
    if not policy.may(actor, "incident.confirm_transfer", incident.transferred_to):
        raise Forbidden(_("只有接收单位可以确认移交。"))
    incident.transfer_confirmed_at = timezone.now()
    incident.transfer_confirmed_by = actor
    incident.save()
    emit(
        "incident.transferred",
        incident_data(
            incident,
            transferred_to=incident.transferred_to_id,
            transferred_to_name=incident.transferred_to.name,
            confirmed=True,
            actor_name=actor_name(actor),
        ),
        actor=actor,
        incident_id=incident.pk,
        departments=_audience(incident),
    )
    return incident


@transaction.atomic
def merge(source, target, actor, *, reason=""):
    """Merge `source` into `target`: the target keeps every report and the
    timeline of both. Incidents earlier merged into the source follow it."""
    if not policy.may(actor, "incident.operate", target):
        raise Invalid({"into": [_("无权合并到该事件。")]})
    ids = sorted({source.pk, target.pk})
    locked = {i.pk: i for i in Incident.objects.select_for_update().filter(pk__in=ids).order_by("pk")}
    source, target = locked[source.pk], locked.get(target.pk)
    if target is None or source.pk == target.pk:
        raise Conflict(_("不能把事件合并到自身。"))
    if source.status == Status.MERGED:
        raise Conflict(_("该事件已被合并。"))
    if target.status not in OPEN_STATUSES:
        raise Conflict(_("只能合并到未办结的事件。"))
    if source.status not in OPEN_STATUSES:
        raise Conflict(_("只能合并未办结的事件。"))
    if source.is_drill != target.is_drill:
        raise Conflict(_("演练事件与真实事件不能合并。"))
    before = source.status
    Incident.objects.filter(merged_into=source).update(merged_into=target)
    source.status = Status.MERGED
    source.merged_into = target
    recompute_clocks(source)
    source.save()
    recompute_clocks(target)
    target.save()
    common = {
        "source": source.pk,
        "target": target.pk,
        "source_title": source.title,
        "target_title": target.title,
        "from": before,
        "reason": reason,
        "actor_name": actor_name(actor),
    }
    emit(
        "incident.merged",
        incident_data(source, **common),
        actor=actor,
        incident_id=source.pk,
        departments=_audience(source),
    )
    emit(
        "incident.merged",
        incident_data(target, **common),
        actor=actor,
        incident_id=target.pk,
        departments=_audience(target),
    )
    return target


# --- instructions and classified deliveries -------------------------------------


@transaction.atomic
def create_instruction(incident, author, text, report=None, departments=()):
    """A leader's instruction: kept as written, relayed as an event, handed to supervision
    (the case goes to `departments`, the responsible departments the leader named)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.status == Status.MERGED:
        incident = Incident.objects.select_for_update().get(pk=incident.merged_into_id)
    instruction = Instruction.objects.create(incident=incident, author=author, text=text, report=report)
    emit(
        "instruction.created",
        {
            "id": instruction.pk,
            "incident": incident.pk,
            "title": incident.title,
            "text": text,
            "author": author.pk,
            "author_name": actor_name(author),
            "is_drill": incident.is_drill,
        },
        actor=author,
        incident_id=incident.pk,
        departments=_audience(incident),
    )
    instruction_created.send(sender=Instruction, instruction=instruction, departments=list(departments))
    return instruction


@transaction.atomic
def record_classified_delivery(
    actor, *, reference_number, delivered_by, recipient, delivered_at, incident=None, is_drill=False
):
    """Classified matter: record only that an offline delivery happened."""
    delivery = ClassifiedDelivery.objects.create(
        incident=incident,
        reference_number=reference_number,
        delivered_by=delivered_by,
        recipient=recipient,
        delivered_at=delivered_at,
        registered_by=actor,
        is_drill=is_drill or bool(incident and incident.is_drill),
    )
    emit(
        "classified.delivered",
        {
            "id": delivery.pk,
            "incident": incident.pk if incident else None,
            "reference_number": reference_number,
            "delivered_by": delivered_by,
            "recipient": recipient,
            "delivered_at": delivered_at,
            "is_drill": delivery.is_drill,
            "actor_name": actor_name(actor),
        },
        actor=actor,
        incident_id=incident.pk if incident else None,
    )
    return delivery
