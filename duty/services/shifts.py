"""Shifts: create, change, delete; who is on one; the events a board shows."""

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops import timers
from dutyops.errors import Conflict, Invalid
from dutyops.models import Department, Person
from dutyops.times import short
from realtime.services import emit

from .. import selectors
from ..models import Absence, CheckIn, DutyLogEntry, Handover, PostCheck, Shift, ShiftOfficer, SwapRequest

CHECKIN_TIMER = "duty.checkin"
SHIFT_START_TIMER = "duty.shift_start"
EARLY_CHECKIN = selectors.EARLY_CHECKIN


def role_on(shift, person):
    """'leader', 'officer' or None: how `person` serves on `shift`."""
    if shift.leader_id == person.pk:
        return "leader"
    if ShiftOfficer.objects.filter(shift=shift, person=person).exists():
        return "officer"
    return None


def shift_data(shift, officers=None):
    """The thin event payload a board needs to show a shift."""
    officers = selectors.officers_of(shift) if officers is None else officers
    return {
        "id": shift.pk,
        "duty_room": shift.duty_room_id,
        "duty_room_name": shift.duty_room.name,
        "starts_at": shift.starts_at,
        "ends_at": shift.ends_at,
        "leader": shift.leader_id,
        "leader_name": str(shift.leader) if shift.leader_id else "",
        "officers": [p.pk for p in officers],
        "officer_names": [str(p) for p in officers],
    }


def emit_shift_changed(shift, action, actor, officers=None):
    """shift.changed for one shift; action: created, updated, deleted, started, swapped."""
    emit(
        "shift.changed",
        {**shift_data(shift, officers), "action": action},
        actor=actor,
        departments=[shift.duty_room_id],
    )


def lock_room_and_people(duty_room_id, person_ids):
    """Serialise roster writes for a room and for the people involved, so two
    concurrent writes cannot both pass the overlap checks (PostgreSQL row locks;
    SQLite write transactions are already serialised)."""
    Department.objects.select_for_update().filter(pk=duty_room_id).values_list("pk", flat=True).first()
    if person_ids:
        list(Person.objects.select_for_update().filter(pk__in=sorted(person_ids)).order_by("pk").values_list("pk"))


def _field_errors(starts_at, ends_at, leader, officers):
    errors = {}
    if ends_at <= starts_at:
        errors.setdefault("ends_at", []).append(_("结束时间必须晚于开始时间。"))
    if ends_at - starts_at > datetime.timedelta(days=31):
        errors.setdefault("ends_at", []).append(_("单个班次不能超过 31 天。"))
    officer_ids = [p.pk for p in officers]
    if len(set(officer_ids)) != len(officer_ids):
        errors.setdefault("officers", []).append(_("值班员不能重复。"))
    if leader is not None and leader.pk in officer_ids:
        errors.setdefault("leader", []).append(_("带班领导不能同时作为本班值班员。"))
    for field, people in (("leader", [leader] if leader else []), ("officers", officers)):
        for p in people:
            if not p.is_active:
                errors.setdefault(field, []).append(_("%(name)s 已停用，不能排班。") % {"name": p})
    return errors


def validate_shift(duty_room, starts_at, ends_at, leader, officers, exclude=()):
    """Field errors for a shift: times, duplicates, overlap in the room, a person in two places at once."""
    if starts_at is None or ends_at is None:
        raise Invalid({"starts_at": [_("必须填写开始和结束时间。")]})
    errors = _field_errors(starts_at, ends_at, leader, officers)
    if errors:
        raise Invalid(errors)
    overlapping = Shift.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(pk__in=list(exclude))
    clash = overlapping.filter(duty_room=duty_room).order_by("starts_at").first()
    if clash is not None:
        errors.setdefault("starts_at", []).append(
            _("与本值班室已有班次（%(start)s–%(end)s）时间重叠。")
            % {"start": short(clash.starts_at), "end": short(clash.ends_at)}
        )
    people = {p.pk: p for p in [*([leader] if leader else []), *officers]}
    if people:
        busy = {}
        for s in overlapping.filter(leader_id__in=people).select_related("duty_room"):
            busy.setdefault(s.leader_id, s)
        for link in ShiftOfficer.objects.filter(person_id__in=people, shift__in=overlapping).select_related(
            "shift__duty_room"
        ):
            busy.setdefault(link.person_id, link.shift)
        for pid, s in busy.items():
            field = "leader" if leader is not None and pid == leader.pk else "officers"
            errors.setdefault(field, []).append(
                _("%(name)s 在 %(room)s 已有 %(start)s–%(end)s 的班次，同一时间不能在两处值班。")
                % {"name": people[pid], "room": s.duty_room.name, "start": short(s.starts_at), "end": short(s.ends_at)}
            )
    if errors:
        raise Invalid(errors)


def schedule_shift_timers(shift, grace_minutes=None):
    if grace_minutes is None:
        grace_minutes = selectors.rules_for(shift.duty_room_id).checkin_grace_minutes
    key = f"shift:{shift.pk}"
    timers.reschedule(CHECKIN_TIMER, key, shift.starts_at + datetime.timedelta(minutes=grace_minutes), shift=shift.pk)
    timers.reschedule(SHIFT_START_TIMER, key, shift.starts_at, shift=shift.pk)


def set_officers(shift, officers):
    ShiftOfficer.objects.filter(shift=shift).delete()
    ShiftOfficer.objects.bulk_create([ShiftOfficer(shift=shift, person=p, position=i) for i, p in enumerate(officers)])


@transaction.atomic
def create_shift(*, duty_room, starts_at, ends_at, leader=None, officers=(), actor=None, pinned=True):
    officers = list(officers)
    lock_room_and_people(duty_room.pk, {p.pk for p in officers} | ({leader.pk} if leader else set()))
    validate_shift(duty_room, starts_at, ends_at, leader, officers)
    shift = Shift.objects.create(
        duty_room=duty_room, starts_at=starts_at, ends_at=ends_at, leader=leader, pinned=pinned
    )
    set_officers(shift, officers)
    schedule_shift_timers(shift)
    emit_shift_changed(shift, "created", actor, officers)
    return shift


def _has_started_history(shift):
    return CheckIn.objects.filter(shift=shift).exists() or Absence.objects.filter(shift=shift).exists()


# Records that make a shift history: a regeneration keeps it, nobody deletes it.
_HISTORY = (
    (CheckIn, "shift"),
    (Absence, "shift"),
    (Handover, "from_shift"),
    (Handover, "to_shift"),
    (DutyLogEntry, "shift"),
    (SwapRequest, "shift"),
    (SwapRequest, "counterpart_shift"),
    (PostCheck, "shift"),
)


def _has_history(shift):
    return any(model.objects.filter(**{field: shift}).exists() for model, field in _HISTORY)


def history_q():
    """Q matching shifts with history (no NULL in the subqueries: they are also used under NOT)."""
    q = Q()
    for model, field in _HISTORY:
        q |= Q(pk__in=model.objects.filter(**{f"{field}__isnull": False}).values(f"{field}_id"))
    return q


@transaction.atomic
def update_shift(shift, changes, actor=None):
    """Change times or people. Once anyone has checked in (or been recorded
    absent) the shift is history: its times and room no longer move."""
    shift = selectors.shifts_with_people().get(pk=shift.pk)
    room = changes.get("duty_room", shift.duty_room)
    starts_at = changes.get("starts_at", shift.starts_at)
    ends_at = changes.get("ends_at", shift.ends_at)
    leader = changes.get("leader", shift.leader)
    officers = list(changes["officers"]) if "officers" in changes else selectors.officers_of(shift)
    moved = (room.pk, starts_at) != (shift.duty_room_id, shift.starts_at) or ends_at != shift.ends_at
    if moved and _has_started_history(shift):
        raise Conflict(_("已有到岗或脱岗记录的班次不能再改动时间或值班室。"))
    if shift.ends_at <= timezone.now() and ("leader" in changes or "officers" in changes):
        raise Conflict(_("已结束的班次不能再改动人员。"))
    lock_room_and_people(room.pk, {p.pk for p in officers} | ({leader.pk} if leader else set()))
    validate_shift(room, starts_at, ends_at, leader, officers, exclude=[shift.pk])
    shift.duty_room, shift.starts_at, shift.ends_at, shift.leader = room, starts_at, ends_at, leader
    shift.pinned = True  # hand-edited: a regeneration keeps it
    shift.save()
    if "officers" in changes:
        set_officers(shift, officers)
    schedule_shift_timers(shift)
    emit_shift_changed(shift, "updated", actor, officers)
    return shift


@transaction.atomic
def delete_shift(shift, actor=None):
    shift = selectors.shifts_with_people().get(pk=shift.pk)
    if _has_history(shift):
        raise Conflict(_("该班次已有到岗、交接班、日志或换班记录，不能删除。"))
    officers = selectors.officers_of(shift)
    timers.cancel(key=f"shift:{shift.pk}")
    ShiftOfficer.objects.filter(shift=shift).delete()
    shift_id = shift.pk
    shift.delete()
    shift.pk = shift_id
    emit_shift_changed(shift, "deleted", actor, officers)
