"""Every event type on the stream, with the fields its payload carries.

(Over 600 lines on purpose: it is the stream's one catalogue, read top to bottom
by whoever consumes the stream; splitting it by app would scatter the contract.)

This is the stream's catalogue: `emit()` refuses a type not declared here, a
field not declared for its type, or a declared field left out that has no
default. Payloads are data (ids, codes, times, names as they stand), never
prose: the line a person reads (`data.summary` on the wire) is rendered when
the event is read, in the reader's language, by the domain that owns the type
(`@summary` in <app>/summaries.py, registered at ready()); so are any other
lines a type's readers get (`@fields`: plan.matched's reasons from their codes).
Events stored before that (issue 15) carry their summary in the data, and it is
shown as written.

The envelope on the wire stays `{seq, type, at, data}` (CONTRACT.md).
"""

import dataclasses
import logging
from dataclasses import MISSING, field

from django.utils.translation import gettext as _

log = logging.getLogger(__name__)


class EventSchemaError(ValueError):
    """emit() was given an undeclared type or field, or left out a required one."""


@dataclasses.dataclass(frozen=True)
class Declared:
    type: str
    payload: type
    fields: frozenset
    required: frozenset


_TYPES = {}
_SUMMARIES = {}
_FIELDS = {}


def key(name, default=None):
    """A payload field whose name is a Python keyword (`from`, `to`)."""
    return field(default=default, metadata={"key": name})


def event(*types):
    """Declare the payload of one or more event types: a class whose annotated
    attributes are its fields (with a default: optional)."""

    def declare(cls):
        payload = dataclasses.dataclass(frozen=True, kw_only=True)(cls)
        names, required = set(), set()
        for f in dataclasses.fields(payload):
            name = f.metadata.get("key", f.name)
            names.add(name)
            if f.default is MISSING and f.default_factory is MISSING:
                required.add(name)
        for type_ in types:
            if type_ in _TYPES:
                raise ValueError(f"event type {type_} declared twice")
            _TYPES[type_] = Declared(type_, payload, frozenset(names), frozenset(required))
        return payload

    return declare


def declared(type_):
    """The declaration of `type_` (KeyError if none)."""
    return _TYPES[type_]


def all_types():
    return sorted(_TYPES)


def check(type_, data):
    """Raise EventSchemaError unless `data` fits the declaration of `type_`."""
    decl = _TYPES.get(type_)
    if decl is None:
        raise EventSchemaError(f"undeclared event type {type_!r} (declare it in realtime/events.py)")
    unknown = data.keys() - decl.fields
    if unknown:
        raise EventSchemaError(f"{type_}: undeclared field(s) {sorted(unknown)}")
    missing = decl.required - data.keys()
    if missing:
        raise EventSchemaError(f"{type_}: missing field(s) {sorted(missing)}")


def summary(*types):
    """Register `fn(data) -> str`, the line a person reads for events of these types,
    rendered in the active language."""

    def register(fn):
        for type_ in types:
            _SUMMARIES[type_] = fn
        return fn

    return register


def describe(type_, data):
    """The event's line for a person, in the active language. An event stored with
    its summary (before issue 15) shows it as written; a renderer that fails (an
    old payload missing a field) falls back to the type, never to an error."""
    stored = data.get("summary")
    if stored is not None:
        return stored
    fn = _SUMMARIES.get(type_)
    if fn is None:
        return type_
    try:
        return str(fn(data))
    except Exception:  # noqa: BLE001 - a reader must never fail on a line of text
        log.exception("summary of %s failed", type_)
        return type_


def fields(*types):
    """Register `fn(data) -> {name: value}`: fields besides the summary that a reader gets
    rendered from the stored data in the active language (plan.matched's `reasons` from
    its `reason_codes`). Return {} to add none (an old payload that holds them as text)."""

    def register(fn):
        for type_ in types:
            _FIELDS[type_] = fn
        return fn

    return register


def rendered_fields(type_, data):
    """The fields registered with @fields for `type_`, in the active language; {} if none,
    or if rendering fails (a reader never fails on text). A field the stored data already
    holds (written before it was rendered) is left as written."""
    fn = _FIELDS.get(type_)
    if fn is None:
        return {}
    try:
        return {k: v for k, v in fn(data).items() if k not in data}
    except Exception:  # noqa: BLE001 - a reader must never fail on a line of text
        log.exception("fields of %s failed", type_)
        return {}


def actor(data, name="actor_name"):
    """The actor's name in a payload, or the system (a timer, the worker)."""
    return data.get(name) or _("系统")


def label(choices, value):
    """A code's label in the active language (Django TextChoices), or the code itself."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value or ""


def drill(data):
    """The drill mark a line starts with, the same everywhere (【演练】)."""
    return _("【演练】") if data.get("is_drill") else ""


# =============================================================================
# The organisation (dutyops)
# =============================================================================


@event("department.created", "department.updated")
class DepartmentSaved:
    id: int
    code: str
    name: str
    kind: str
    parent: int | None = None


@event("department.deleted")
class DepartmentDeleted:
    id: int
    code: str
    name: str


@event("person.created", "person.updated", "person.deactivated")
class PersonSaved:
    id: int
    username: str
    full_name: str
    department: int | None
    roles: list
    is_active: bool


@event("person.credentials_revoked")
class PersonCredentialsRevoked:
    """Their tokens deleted, sessions and sockets ended (dutyops.credentials).
    reasons: deactivated, password, roles, department, kiosk_token."""

    id: int
    username: str
    full_name: str
    reasons: list
    tokens: int = 0


# =============================================================================
# Duty (duty): rosters, swaps, check-in, handover, duty log, reference data
# =============================================================================


@event("shift.changed")
class ShiftChanged:
    """action: created, updated, deleted, started, swapped (one shift), or generated
    (a rotation's roster: from, to, created, removed, kept)."""

    action: str
    duty_room: int
    duty_room_name: str
    id: int | None = None
    starts_at: str | None = None
    ends_at: str | None = None
    leader: int | None = None
    leader_name: str = ""
    officers: list = field(default_factory=list)
    officer_names: list = field(default_factory=list)
    rotation: int | None = None
    rotation_name: str = ""
    from_: str | None = key("from")
    to: str | None = None
    created: int | None = None
    removed: int | None = None
    kept: int | None = None


@event("swap.requested", "swap.accepted", "swap.declined", "swap.approved", "swap.rejected", "swap.cancelled")
class SwapChanged:
    id: int
    kind: str  # swap (换班) or substitute (替班)
    state: str
    shift: int
    counterpart_shift: int | None
    requester: int
    counterpart: int
    duty_room: int
    duty_room_name: str = ""
    starts_at: str | None = None  # the requester's shift
    requester_name: str = ""
    counterpart_name: str = ""
    actor_name: str = ""


@event("duty.checked_in")
class CheckedIn:
    shift: int
    duty_room: int
    person: int
    person_name: str
    at: str
    late: bool
    duty_room_name: str = ""
    starts_at: str | None = None


@event("absence.recorded")
class AbsenceRecorded:
    id: int
    kind: str  # missed_checkin or absent_from_post
    shift: int
    duty_room: int
    person: int
    person_name: str
    leader: int | None
    detected_at: str
    leader_name: str = ""
    duty_room_name: str = ""
    starts_at: str | None = None


@event("duty.post_checked")
class PostChecked:
    id: int
    shift: int
    duty_room: int
    person: int
    answered: bool
    person_name: str = ""
    duty_room_name: str = ""
    checked_by_name: str = ""


@event("handover.written")
class HandoverWritten:
    id: int
    from_shift: int
    to_shift: int | None
    duty_room: int
    open_items: int
    duty_room_name: str = ""
    actor_name: str = ""


@event("handover.signed")
class HandoverSigned:
    id: int
    from_shift: int
    to_shift: int | None
    duty_room: int
    duty_room_name: str = ""
    actor_name: str = ""


@event("dutylog.added")
class DutyLogAdded:
    id: int
    shift: int
    duty_room: int
    kind: str  # call, instruction, note, post_check
    duty_room_name: str = ""
    text: str = ""  # the entry's first 60 characters


@event("calendar_feed.created")
class CalendarFeedCreated:
    id: int
    duty_room: int | None
    person: int | None
    owner_name: str = ""
    target_name: str = ""  # the room's or the person's name


@event("calendar_feed.revoked")
class CalendarFeedRevoked:
    id: int
    actor_name: str = ""


@event(
    *(
        f"{noun}.{verb}"
        for noun in ("rotation", "holiday", "leave", "duty_rule")
        for verb in ("created", "updated", "deleted")
    )
)
class DutyRecordChanged:
    """Duty reference data: rotations, the holiday calendar, leaves, duty rules."""

    id: int
    name: str = ""  # the record as it reads in the admin
    actor_name: str = ""


# =============================================================================
# Incidents (incidents)
# =============================================================================


@dataclasses.dataclass(frozen=True, kw_only=True)
class IncidentFacts:
    """An incident's own facts, as a board shows them."""

    id: int
    title: str
    status: str
    category: str | None
    subtype: str | None
    grade: str | None
    subtype_source: str = ""  # reported, inferred or confirmed
    is_drill: bool
    latitude: float | None
    longitude: float | None
    deaths: int | None
    injuries: int | None
    missing: int | None
    next_report_due_at: str | None
    report_overdue: bool
    actor_name: str = ""


@event("incident.created")
class IncidentCreated(IncidentFacts):
    possible_duplicates: list = field(default_factory=list)


@event("incident.updated")
class IncidentUpdated(IncidentFacts):
    """A new report changed the picture (`changed`), the status moved (from, to), or the
    officer confirmed what the words suggested (`confirmed`: subtype or grade)."""

    changed: list = field(default_factory=list)
    confirmed: str = ""
    subtype_name: str = ""
    from_: str | None = key("from")
    to: str | None = None
    reason: str = ""


@event("incident.transferred")
class IncidentTransferred(IncidentFacts):
    transferred_to: int
    transferred_to_name: str
    confirmed: bool
    from_: str | None = key("from")
    to: str | None = None
    reason: str = ""


@event("incident.merged")
class IncidentMerged(IncidentFacts):
    source: int
    target: int
    source_title: str = ""
    target_title: str = ""
    from_: str | None = key("from")
    reason: str = ""


@event("incident.reported_up")
class IncidentReportedUp(IncidentFacts):
    method: str
    recipient: str


@event("report.created")
class ReportCreated:
    id: int
    incident: int
    kind: str
    channel: str
    received_at: str
    answered_at: str | None
    grade: str | None
    deaths: int | None
    injuries: int | None
    missing: int | None
    is_drill: bool
    actor_name: str = ""
    title: str = ""  # the incident's
    source: str = ""  # the filing unit or sending system (issue 19)


@event("report.overdue")
class ReportOverdue:
    id: int
    incident: int
    clock: str  # phone, written, follow_up, final
    due_at: str
    title: str
    grade: str | None
    is_drill: bool


@event("instruction.created")
class InstructionCreated:
    id: int
    incident: int
    title: str
    text: str
    author: int
    author_name: str
    is_drill: bool


@event("classified.delivered")
class ClassifiedDelivered:
    id: int
    incident: int | None
    reference_number: str
    delivered_by: str
    recipient: str
    delivered_at: str
    is_drill: bool
    actor_name: str = ""


# =============================================================================
# Plans (plans)
# =============================================================================


@event("plan.created", "plan.updated", "plan.issued", "plan.retired", "plan.deleted")
class PlanChanged:
    id: int
    code: str
    title: str
    kind: str
    status: str
    category: str | None
    version: int
    new_version: bool | None = None
    from_status: str | None = None  # set when the status changed


@dataclasses.dataclass(frozen=True, kw_only=True)
class ActivationFacts:
    activation: int
    incident: int
    plan: int
    code: str
    title: str
    version: int
    state: str
    level: str | None
    actor_name: str = ""


@event("activation.proposed")
class ActivationProposed(ActivationFacts):
    request: int
    action: str  # activate, change_level, terminate
    proposed_level: str | None
    reason: str


@event("activation.rejected")
class ActivationRejected(ActivationFacts):
    request: int
    action: str
    note: str


@event("plan.activated", "plan.level_changed", "plan.terminated")
class ActivationApplied(ActivationFacts):
    request: int
    proposed_by: int | None
    approved_by: int
    alerts: list = field(default_factory=list)
    from_level: str | None = None
    raised: bool | None = None
    closed_alerts: int | None = None
    reason: str = ""


@event("plan.matched")
class PlanMatched:
    """The top match, or none (plan null): `gap` when no specific or department plan fits.
    A preferred plan (首选) only when one leads alone with the subtype known; `tie` when
    plans tie for the lead; else the general plan leads and `possible_plans` may apply.
    Why it fits is stored as `reason_codes` (codes and values); a reader gets `reasons`,
    their lines in the reader's language, beside them (events stored before carry
    `reasons` as Chinese text, shown as written)."""

    incident: int
    gap: bool
    category: str | None
    subtype: str | None
    plan: int | None
    level: str | None
    score: float
    reason_codes: list  # plans.reasons: data; the wire form adds `reasons`, their lines
    preferred: bool = False
    subtype_source: str = ""
    tied_plans: list = field(default_factory=list)
    tied_titles: list = field(default_factory=list)
    possible_plans: list = field(default_factory=list)
    possible_titles: list = field(default_factory=list)
    code: str = ""
    title: str = ""
    kind: str = ""
    version: int | None = None
    rank: int | None = None
    role: str = ""
    tie: bool = False
    possible: bool = False


# =============================================================================
# Alerts and supervision (alerts)
# =============================================================================


@dataclasses.dataclass(frozen=True, kw_only=True)
class AlertFacts:
    id: int
    incident: int
    department: int
    department_name: str
    duty: str
    state: str
    source: str
    ack_due_at: str
    feedback_due_at: str | None
    acknowledged_at: str | None
    actor_name: str = ""


@event("alert.created")
class AlertCreated(AlertFacts):
    recipients: list = field(default_factory=list)


@event("alert.acknowledged")
class AlertAcknowledged(AlertFacts):
    acknowledged_by: int
    late: bool


@event("alert.fed_back")
class AlertFedBack(AlertFacts):
    feedback: int
    text: str


@event("alert.closed")
class AlertClosed(AlertFacts):
    """reason: a person's words as they closed it. When the system closed it, `cause` says
    why ("plan_terminated": its plan response ended; `cause_detail`: the words given) and
    the wire adds `reason`, that line in the reader's language (alerts/summaries.py)."""

    reason: str = ""
    cause: str = ""
    cause_detail: str = ""


@event("alert.returned")
class AlertReturned(AlertFacts):
    reason: str
    round: int


@event("alert.overdue")
class AlertOverdue(AlertFacts):
    phase: str  # ack or feedback


@event("alert.reminded", "alert.escalated")
class AlertChased(AlertFacts):
    phase: str
    step: int
    action: str  # remind, head, leader
    targets: list
    chase: int


@dataclasses.dataclass(frozen=True, kw_only=True)
class CaseFacts:
    id: int
    title: str
    state: str
    incident: int | None
    deadline: str
    departments: list


@event(
    "supervision.created",
    "supervision.assigned",
    "supervision.reminded",
    "supervision.overdue",
    "supervision.recheck_due",
)
class CaseChanged(CaseFacts):
    pass


@event("supervision.progress", "supervision.rechecked")
class CaseNoted(CaseFacts):
    text: str  # the note's first 60 characters


@event("supervision.completed")
class CaseCompleted(CaseFacts):
    on_time: bool


@event("supervision.reviewed")
class CaseReviewed(CaseFacts):
    accepted: bool


@event("circular.generated")
class CircularGenerated:
    id: int
    period: str


# =============================================================================
# Up and down the chain (chain): upward reports, verification, links
# =============================================================================


@event("chain.verified")
class ChainVerified:
    id: int
    incident: int
    title: str = ""
    facts: str
    method: str
    verified_at: str
    is_drill: bool = False
    actor_name: str = ""


@event("chain.reported_up")
class ChainReportedUp:
    id: int
    incident: int
    title: str = ""
    kind: str
    method: str
    verified: bool
    unverified_reason: str = ""
    recipients: list = field(default_factory=list)
    corrects: int | None = None
    is_drill: bool = False
    actor_name: str = ""


@event("chain.delivery")
class ChainDelivery:
    id: int  # the delivery
    upward_report: int
    incident: int
    title: str = ""
    kind: str
    recipient: str
    state: str  # queued, delivered, acknowledged, failed
    acknowledged_by: str = ""
    error: str = ""
    is_drill: bool = False


@event("chain.received", "chain.signed")
class ChainReceived:
    id: int  # the inbound record
    incident: int
    report: int
    title: str = ""
    kind: str
    sender: str
    verified: bool = True
    is_drill: bool = False
    actor_name: str = ""


@event("chain.link_changed")
class ChainLinkChanged:
    id: int
    name: str
    direction: str
    url: str
    categories: list = field(default_factory=list)
    active: bool
    actor_name: str = ""


# =============================================================================
# Ways in (inbound): systems allowed in, CAP warnings (issue 19)
# =============================================================================


@event("source.created", "source.revoked")
class SourceChanged:
    id: int
    name: str
    actor_name: str = ""


@event("warning.imported", "warning.incident_opened")
class WarningFacts:
    """A CAP warning imported (an Alert, or an Update/Cancel of the `references`), or
    an incident opened from it (`incident`)."""

    id: int
    identifier: str
    sender: str
    msg_type: str  # Alert, Update, Cancel, Ack, Error
    status: str  # Actual, Exercise, ...
    event: str
    headline: str
    colour: str  # blue, yellow, orange, red, or ""
    severity: str
    urgency: str
    certainty: str
    area_desc: str
    onset: str | None
    expires: str | None
    latitude: float | None
    longitude: float | None
    replaces: int | None = None
    references: list = field(default_factory=list)
    incident: int | None = None
    is_drill: bool = False
    actor_name: str = ""


# =============================================================================
# Accountability: reporting findings, staff errors (issue 19)
# =============================================================================


@event("finding.recorded")
class FindingRecorded:
    """A late/omitted/concealed/false report held to account (迟报/漏报/瞒报/谎报); a
    correction is a new finding (`corrects`), `withdrawn` when it withdraws the earlier."""

    id: int
    kind: str  # late, omitted, concealed, false
    department: int
    department_name: str
    person: int | None
    person_name: str
    incident: int | None
    corrects: int | None = None
    withdrawn: bool = False
    actor_name: str = ""


@event("staff_error.recorded")
class StaffErrorRecorded:
    """A staff error registered (差错登记); corrections likewise."""

    id: int
    kind: str
    person: int
    person_name: str
    department: int | None
    department_name: str = ""
    corrects: int | None = None
    withdrawn: bool = False
    actor_name: str = ""


# --- the organisation's lines (the core sits below the stream, so they are here) ---


def _person_name(data):
    return data.get("full_name") or data.get("username", "")


summary("department.created")(lambda d: _("新增单位：%(name)s") % {"name": d["name"]})
summary("department.updated")(lambda d: _("单位信息更新：%(name)s") % {"name": d["name"]})
summary("department.deleted")(lambda d: _("单位已删除：%(name)s") % {"name": d["name"]})
summary("person.created")(lambda d: _("新增人员：%(name)s") % {"name": _person_name(d)})
summary("person.updated")(lambda d: _("人员信息更新：%(name)s") % {"name": _person_name(d)})
summary("person.deactivated")(lambda d: _("人员已停用：%(name)s") % {"name": _person_name(d)})
_REVOKED_BECAUSE = {
    "deactivated": lambda: _("账号停用"),
    "password": lambda: _("密码变更"),
    "roles": lambda: _("角色变更"),
    "department": lambda: _("所属单位变更"),
    "kiosk_token": lambda: _("大屏令牌轮换"),
}


@summary("person.credentials_revoked")
def _credentials_revoked(d):
    reasons = [str(_REVOKED_BECAUSE[r]()) if r in _REVOKED_BECAUSE else r for r in d["reasons"]]
    return _("人员登录凭据已撤销：%(name)s（%(reasons)s）") % {
        "name": _person_name(d),
        "reasons": _("、").join(reasons),
    }
