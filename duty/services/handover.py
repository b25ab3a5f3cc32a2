"""交接班 and 值班日志: the outgoing shift writes, the incoming shift signs; the log."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import policy
from dutyops.errors import Conflict, Invalid
from realtime.services import emit

from .. import hooks, selectors
from ..models import DutyLogEntry, Handover, Shift


def _room_names(room, actor):
    return {"duty_room": room.pk, "duty_room_name": room.name, "actor_name": str(actor)}


@transaction.atomic
def write_handover(shift, note, actor):
    """The outgoing shift writes its handover; open items are carried in automatically."""
    shift = Shift.objects.select_for_update(of=("self",)).select_related("duty_room").get(pk=shift.pk)
    if not policy.may(actor, "handover.write", shift):
        raise Invalid({"shift": [_("只有本班人员可以填写交班记录。")]})
    if not (note or "").strip():
        raise Invalid({"note": [_("交班事项不能为空。")]})
    if Handover.objects.filter(from_shift=shift).exists():
        raise Conflict(_("该班次已填写交班记录。"))
    if shift.starts_at > timezone.now():
        raise Conflict(_("班次尚未开始，不能交班。"))
    incoming = selectors.incoming_shift(shift)
    items = selectors.open_items_for_handover(shift.duty_room)
    handover = Handover.objects.create(
        from_shift=shift,
        to_shift=incoming,
        note=note.strip(),
        open_items=items,
        written_by=actor,
        written_at=timezone.now(),
    )
    data = {"id": handover.pk, "from_shift": shift.pk, "to_shift": incoming.pk if incoming else None}
    data.update(open_items=len(items), **_room_names(shift.duty_room, actor))
    emit("handover.written", data, actor=actor, departments=[shift.duty_room_id])
    return handover


@transaction.atomic
def sign_handover(handover, actor, note=""):
    """The incoming shift signs: after this the handover is history."""
    handover = (
        Handover.objects.select_for_update(of=("self",))
        .select_related("from_shift__duty_room", "to_shift")
        .get(pk=handover.pk)
    )
    if handover.signed_at is not None:
        raise Conflict(_("该交班记录已由 %(name)s 签收。") % {"name": handover.signed_by})
    if actor.pk == handover.written_by_id:
        raise Invalid({"non_field_errors": [_("交班人不能自己签收。")]})
    incoming = handover.to_shift or selectors.incoming_shift(handover.from_shift)
    # Without an incoming shift, only those who may sign for any shift (admins) may.
    allowed = (
        policy.may(actor, "handover.write", incoming) if incoming else policy.scope(actor, "handover.write") is None
    )
    if not allowed:
        raise Invalid({"non_field_errors": [_("只有接班班次的人员可以签收。")]})
    handover.to_shift = incoming
    handover.signed_by, handover.signed_at, handover.sign_note = actor, timezone.now(), note
    handover.save(update_fields=["to_shift", "signed_by", "signed_at", "sign_note"])
    room = handover.from_shift.duty_room
    data = {"id": handover.pk, "from_shift": handover.from_shift_id, "to_shift": handover.to_shift_id}
    emit("handover.signed", {**data, **_room_names(room, actor)}, actor=actor, departments=[room.pk])
    return handover


def _check_log_entry(shift, actor, text, received_at, answered_at, incident_id):
    if not policy.may(actor, "dutylog.write", shift):
        raise Invalid({"shift": [_("只有本班人员可以记录值班日志。")]})
    if not (text or "").strip():
        raise Invalid({"text": [_("内容不能为空。")]})
    if received_at and answered_at and answered_at < received_at:
        raise Invalid({"answered_at": [_("接听时间不能早于来电时间。")]})
    if incident_id is not None and not hooks.incident_exists.first(incident_id, default=False):
        # The entry would otherwise land on a timeline no incident has.
        raise Invalid({"incident_id": [_("关联事件不存在。")]})


@transaction.atomic
def add_log_entry(
    shift, actor, *, text, kind=DutyLogEntry.Kind.NOTE, caller="", received_at=None, answered_at=None, incident_id=None
):
    shift = Shift.objects.select_related("duty_room").get(pk=shift.pk)
    _check_log_entry(shift, actor, text, received_at, answered_at, incident_id)
    entry = DutyLogEntry.objects.create(
        shift=shift,
        kind=kind,
        at=timezone.now(),
        text=text.strip(),
        caller=caller,
        received_at=received_at,
        answered_at=answered_at,
        incident_id=incident_id,
        author=actor,
    )
    room = shift.duty_room
    data = {"id": entry.pk, "shift": shift.pk, "duty_room": room.pk, "duty_room_name": room.name}
    data.update(kind=kind, text=entry.text[:60])
    emit("dutylog.added", data, actor=actor, incident_id=incident_id, departments=[room.pk])
    return entry
