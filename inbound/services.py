"""Writes of the ways in: sources and their keys, reports from systems, CAP warnings.

Each write is one transaction that records itself on the event stream with
emit() (sent after commit). A refused document or report raises a domain error
before anything is written, so a 400 leaves no row behind.
"""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops.errors import Conflict, Forbidden, Invalid
from dutyops.models import Department
from incidents import geo
from incidents import selectors as incident_selectors
from incidents import services as incidents
from incidents.models import Category, Channel, ReportKind
from realtime.services import emit

from . import cap, keys
from .models import CapWarning, Receipt, Source


def _name(actor):
    return str(actor) if getattr(actor, "is_authenticated", False) else _("系统")


def office():
    """The general duty office: where what a system sends lands unless its source says otherwise."""
    return Department.objects.filter(kind=Department.Kind.DUTY_OFFICE).order_by("parent_id", "code").first()


# --- sources ---------------------------------------------------------------------


@transaction.atomic
def create_source(actor, *, name, duty_room=None, note=""):
    """A system allowed in: returns (source, key). The key is shown this once."""
    name = (name or "").strip()
    if not name:
        raise Invalid({"name": [_("请填写接入系统名称。")]})
    if Source.objects.filter(name=name).exists():
        raise Invalid({"name": [_("已有同名接入系统。")]})
    key = keys.new_key()
    source = Source.objects.create(
        name=name,
        key_prefix=keys.prefix_of(key),
        key_hash=keys.digest(key),
        duty_room=duty_room,
        note=note,
        created_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    emit("source.created", {"id": source.pk, "name": source.name, "actor_name": _name(actor)}, actor=actor)
    return source, key


@transaction.atomic
def revoke_source(source, actor):
    """Stop a system's key working (its records stay)."""
    source = Source.objects.select_for_update().get(pk=source.pk)
    if not source.active:
        raise Conflict(_("该接入系统已停用。"))
    source.active = False
    source.revoked_at = timezone.now()
    source.save(update_fields=["active", "revoked_at"])
    emit("source.revoked", {"id": source.pk, "name": source.name, "actor_name": _name(actor)}, actor=actor)
    return source


# --- reports from systems ------------------------------------------------------------


@transaction.atomic
def receive_report(source, data):
    """A report a system sent (POST inbound/): registered as channel "system" with its
    source, through the one intake (the duplicate check included). A follow-up may only
    name an incident this source's own reports are about. Returns (report, incident, duplicates)."""
    data = dict(data)
    incident = data.get("incident")
    if incident is not None and not Receipt.objects.filter(source=source, incident=incident).exists():
        raise Forbidden(_("接入系统只能续报本系统报送的事件。"))
    data.pop("source_department", None)
    data.update(channel=Channel.SYSTEM, source=source.name)
    room = source.duty_room or office()
    report, incident, duplicates = incidents.intake(data, None, duty_room=room)
    Receipt.objects.create(
        source=source, report=report, incident=incident, opened_incident=data.get("incident") is None
    )
    # The system is its room's: it is told only of incidents that room sees (issue 16).
    return report, incident, incident_selectors.seen_from_room(getattr(room, "pk", None), duplicates)


# --- CAP warnings -------------------------------------------------------------------


def warning_data(warning, **extra):
    data = {
        "id": warning.pk,
        "identifier": warning.identifier,
        "sender": warning.sender,
        "msg_type": warning.msg_type,
        "status": warning.status,
        "event": warning.event,
        "headline": warning.headline,
        "colour": warning.colour,
        "severity": warning.severity,
        "urgency": warning.urgency,
        "certainty": warning.certainty,
        "area_desc": warning.area_desc,
        "onset": warning.onset,
        "expires": warning.expires,
        "latitude": warning.latitude,
        "longitude": warning.longitude,
        "replaces": warning.replaces_id,
        "is_drill": warning.is_drill,
    }
    data.update(extra)
    return data


@transaction.atomic
def import_cap(document, *, source=None, actor=None):
    """Import one CAP 1.2 document (bytes): returns (warning, created). The same
    document sent again answers with the warning it made; another document with the
    same sender and identifier is a conflict. An Update or Cancel marks the warnings
    it references as superseded (they leave the board). Malformed or hostile XML is
    an Invalid (400) and nothing is written."""
    try:
        fields = cap.parse(document, geo.gazetteer.get(None))
    except cap.CapError as exc:
        raise Invalid(exc.errors) from None
    text = document.decode("utf-8", "replace")
    existing = CapWarning.objects.filter(sender=fields["sender"], identifier=fields["identifier"]).first()
    if existing is not None:
        if existing.document == text:
            return existing, False
        raise Conflict(_("该发布者已有相同标识（identifier）的预警，内容不同：更新请使用新的标识和 msgType=Update。"))
    references = fields.pop("references")
    referenced = _referenced(references)
    warning = CapWarning.objects.create(
        **fields,
        references=references,
        replaces=referenced[0] if referenced else None,
        source=source,
        imported_by=actor if getattr(actor, "is_authenticated", False) else None,
        document=text,
    )
    if warning.msg_type in (CapWarning.MsgType.UPDATE, CapWarning.MsgType.CANCEL):
        CapWarning.objects.filter(pk__in=[w.pk for w in referenced], superseded_by__isnull=True).update(
            superseded_by=warning
        )
    who = source.name if source is not None else _name(actor)
    emit(
        "warning.imported",
        warning_data(warning, references=[w.pk for w in referenced], actor_name=who),
        actor=actor,
    )
    return warning, True


def _referenced(references):
    """The warnings a message references that we hold (sender and identifier match)."""
    found = []
    for sender, identifier, _sent in references:
        warning = CapWarning.objects.filter(sender=sender, identifier=identifier).first()
        if warning is not None:
            found.append(warning)
    return found


# CAP categories and the incident category a warning of that kind opens.
_CATEGORY = {
    "Met": Category.NATURAL_DISASTER,
    "Geo": Category.NATURAL_DISASTER,
    "Env": Category.ACCIDENT_DISASTER,
    "Fire": Category.ACCIDENT_DISASTER,
    "Transport": Category.ACCIDENT_DISASTER,
    "Infra": Category.ACCIDENT_DISASTER,
    "CBRNE": Category.ACCIDENT_DISASTER,
    "Health": Category.PUBLIC_HEALTH,
    "Security": Category.SOCIAL_SECURITY,
    "Safety": Category.SOCIAL_SECURITY,
}


@transaction.atomic
def open_incident(warning, actor):
    """Open an incident from a warning (the office decides): registered as a system
    report from the warning's sender, so plan matching runs on it as on any incident."""
    warning = CapWarning.objects.select_for_update().get(pk=warning.pk)
    if warning.incident_id is not None:
        raise Conflict(_("该预警已关联事件。"))
    if warning.msg_type not in (CapWarning.MsgType.ALERT, CapWarning.MsgType.UPDATE):
        raise Conflict(_("只有发布或更新的预警可以生成事件。"))
    category = next((_CATEGORY[c] for c in warning.categories if c in _CATEGORY), Category.NATURAL_DISASTER)
    colour = warning.get_colour_display()
    title = warning.headline or f"{warning.event}{colour}预警"
    data = {
        "kind": ReportKind.FIRST,
        "channel": Channel.SYSTEM,
        "category": category,
        "title": title[:200],
        "description": "\n".join(filter(None, [warning.description, warning.instruction]))[:10_000],
        "location_text": warning.area_desc[:200],
        "latitude": warning.latitude,
        "longitude": warning.longitude,
        "occurred_at": warning.onset or warning.effective or warning.sent,
        "reporter_unit": (warning.sender_name or warning.sender)[:100],
        "source": (warning.sender_name or warning.sender)[:100],
        "is_drill": warning.is_drill,
    }
    if data["latitude"] is None:
        data.pop("latitude"), data.pop("longitude")
    report, incident, duplicates = incidents.intake(data, actor)
    duplicates = incident_selectors.visible_among(actor, duplicates)
    warning.incident = incident
    warning.save(update_fields=["incident"])
    emit(
        "warning.incident_opened",
        warning_data(warning, incident=incident.pk, actor_name=_name(actor)),
        actor=actor,
        incident_id=incident.pk,
    )
    return incident, duplicates
