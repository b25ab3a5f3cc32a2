"""Writes to the organisation. Each records an event (who, when, what)."""

import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import ProtectedError, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from realtime.services import emit

from . import selectors, timers
from .api import Conflict
from .models import (
    Absence,
    CalendarFeed,
    CheckIn,
    Department,
    DutyLogEntry,
    Handover,
    Person,
    PostCheck,
    Role,
    Rotation,
    Shift,
    ShiftOfficer,
    SwapRequest,
    Timer,
)


def _person_data(person, summary):
    return {
        "summary": summary % {"name": person},
        "id": person.pk,
        "username": person.username,
        "full_name": person.full_name,
        "department": person.department_id,
        "roles": sorted(person.roles),
        "is_active": person.is_active,
    }


@transaction.atomic
def save_department(serializer, actor):
    created = serializer.instance is None
    department = serializer.save()
    emit(
        "department.created" if created else "department.updated",
        {
            "summary": (_("新增单位：%(name)s") if created else _("单位信息更新：%(name)s"))
            % {"name": department.name},
            "id": department.pk,
            "code": department.code,
            "name": department.name,
            "kind": department.kind,
            "parent": department.parent_id,
        },
        actor=actor,
        departments=[department.pk],
    )
    return department


@transaction.atomic
def delete_department(department, actor):
    data = {"id": department.pk, "code": department.code, "name": department.name}
    data["summary"] = _("单位已删除：%(name)s") % {"name": department.name}
    try:
        department.delete()  # PROTECT on children, people and records: never an orphan
    except ProtectedError:
        raise Conflict(_("该单位仍有下级单位、人员或值班、事件、通知记录，不能删除。")) from None
    emit("department.deleted", data, actor=actor)


def _keep_an_admin(person, actor, *, active, roles):
    """Nobody locks the office out: an admin cannot deactivate themselves, and the
    last active admin can neither be deactivated nor lose the admin role."""
    if person.pk is None or not person.is_active or not (person.is_superuser or person.has_role(Role.ADMIN)):
        return
    if not active and person.pk == getattr(actor, "pk", None):
        raise Conflict(_("不能停用自己的账号。"))
    if active and (person.is_superuser or Role.ADMIN in roles):
        return
    admins = Person.objects.filter(is_active=True).filter(Q(is_superuser=True) | Q(groups__name=Role.ADMIN))
    if not admins.exclude(pk=person.pk).exists():
        raise Conflict(_("这是最后一个管理员账号，不能停用，也不能撤销其管理员角色。"))


@transaction.atomic
def save_person(serializer, actor):
    created = serializer.instance is None
    data = dict(serializer.validated_data)
    password, roles = data.pop("password", None), data.pop("roles", None)
    person = serializer.instance or Person()
    if roles is not None:
        _keep_an_admin(person, actor, active=True, roles=roles)
    for field, value in data.items():
        setattr(person, field, value)
    if password:
        person.set_password(password)
    person.save()
    if roles is not None:
        person.set_roles(roles)
    emit(
        "person.created" if created else "person.updated",
        _person_data(person, _("新增人员：%(name)s") if created else _("人员信息更新：%(name)s")),
        actor=actor,
        departments=[person.department_id] if person.department_id else [],
    )
    return person


@transaction.atomic
def deactivate_person(person, actor):
    """People are never deleted: their names stand in the audit trail."""
    _keep_an_admin(person, actor, active=False, roles=())
    person.is_active = False
    person.save(update_fields=["is_active"])
    emit("person.deactivated", _person_data(person, _("人员已停用：%(name)s")), actor=actor)


# =============================================================================
# Duty operations: shifts, rosters, swaps, check-in, post checks, handover, log.
# =============================================================================

CHECKIN_TIMER = "duty.checkin"
SHIFT_START_TIMER = "duty.shift_start"
# How early an officer may check in before the shift starts.
EARLY_CHECKIN = datetime.timedelta(hours=1)


def _fmt(dt):
    return timezone.localtime(dt, selectors.local_tz()).strftime("%m-%d %H:%M")


def _name(person):
    return str(person) if person is not None else _("（未安排）")


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


def emit_shift_changed(shift, action, actor, officers=None, summary=None):
    data = shift_data(shift, officers)
    data["action"] = action
    verbs = {"created": "新增", "updated": "调整", "deleted": "删除", "started": "开始", "swapped": "换班调整"}
    data["summary"] = summary or (
        f"{shift.duty_room.name} {_fmt(shift.starts_at)}–{_fmt(shift.ends_at)} 班次{verbs.get(action, action)}："
        f"带班 {data['leader_name'] or '未安排'}，值班员 {'、'.join(data['officer_names']) or '未安排'}"
    )
    emit("shift.changed", data, actor=actor, departments=[shift.duty_room_id])


def _lock_room_and_people(duty_room_id, person_ids):
    """Serialise roster writes for a room and for the people involved, so two
    concurrent writes cannot both pass the overlap checks (PostgreSQL row locks;
    SQLite write transactions are already serialised)."""
    Department.objects.select_for_update().filter(pk=duty_room_id).values_list("pk", flat=True).first()
    if person_ids:
        list(Person.objects.select_for_update().filter(pk__in=sorted(person_ids)).order_by("pk").values_list("pk"))


def validate_shift(duty_room, starts_at, ends_at, leader, officers, exclude=()):
    """Field errors for a shift: times, duplicates, overlap in the room, a person in two places at once."""
    errors = {}
    if starts_at is None or ends_at is None:
        raise ValidationError({"starts_at": [_("必须填写开始和结束时间。")]})
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
    if errors:
        raise ValidationError(errors)

    overlapping = Shift.objects.filter(starts_at__lt=ends_at, ends_at__gt=starts_at).exclude(pk__in=list(exclude))
    clash = overlapping.filter(duty_room=duty_room).order_by("starts_at").first()
    if clash is not None:
        errors.setdefault("starts_at", []).append(
            _("与本值班室已有班次（%(start)s–%(end)s）时间重叠。")
            % {"start": _fmt(clash.starts_at), "end": _fmt(clash.ends_at)}
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
                % {"name": people[pid], "room": s.duty_room.name, "start": _fmt(s.starts_at), "end": _fmt(s.ends_at)}
            )
    if errors:
        raise ValidationError(errors)


def schedule_shift_timers(shift, grace_minutes=None):
    if grace_minutes is None:
        grace_minutes = selectors.rules_for(shift.duty_room_id).checkin_grace_minutes
    key = f"shift:{shift.pk}"
    timers.reschedule(CHECKIN_TIMER, key, shift.starts_at + datetime.timedelta(minutes=grace_minutes), shift=shift.pk)
    timers.reschedule(SHIFT_START_TIMER, key, shift.starts_at, shift=shift.pk)


def _set_officers(shift, officers):
    ShiftOfficer.objects.filter(shift=shift).delete()
    ShiftOfficer.objects.bulk_create([ShiftOfficer(shift=shift, person=p, position=i) for i, p in enumerate(officers)])


@transaction.atomic
def create_shift(*, duty_room, starts_at, ends_at, leader=None, officers=(), actor=None, pinned=True):
    officers = list(officers)
    _lock_room_and_people(duty_room.pk, {p.pk for p in officers} | ({leader.pk} if leader else set()))
    validate_shift(duty_room, starts_at, ends_at, leader, officers)
    shift = Shift.objects.create(
        duty_room=duty_room, starts_at=starts_at, ends_at=ends_at, leader=leader, pinned=pinned
    )
    _set_officers(shift, officers)
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


def _history_q():
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
    _lock_room_and_people(room.pk, {p.pk for p in officers} | ({leader.pk} if leader else set()))
    validate_shift(room, starts_at, ends_at, leader, officers, exclude=[shift.pk])
    shift.duty_room, shift.starts_at, shift.ends_at, shift.leader = room, starts_at, ends_at, leader
    shift.pinned = True  # hand-edited: a regeneration keeps it
    shift.save()
    if "officers" in changes:
        _set_officers(shift, officers)
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


# --- rotations -----------------------------------------------------------------


def _rotation_people(rotation):
    ids = {*rotation.leaders, *rotation.officers, *rotation.holiday_leaders}
    return Person.objects.in_bulk([i for i in ids if isinstance(i, int)])


def validate_rotation(data):
    """Field errors for a rotation's people lists and pattern (used by the API)."""
    errors = {}
    for field in ("leaders", "officers", "holiday_leaders"):
        value = data.get(field, [])
        if not isinstance(value, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in value):
            errors[field] = [_("必须是人员编号列表。")]
        elif len(set(value)) != len(value):
            errors[field] = [_("人员不能重复。")]
        elif value:
            found = set(Person.objects.filter(pk__in=value, is_active=True).values_list("pk", flat=True))
            missing = [i for i in value if i not in found]
            if missing:
                errors[field] = [_("人员不存在或已停用：%(ids)s") % {"ids": ", ".join(map(str, missing))}]
    if errors:
        raise ValidationError(errors)
    if not data.get("officers"):
        errors["officers"] = [_("至少需要一名值班员。")]
    pattern = data.get("pattern", Rotation.Pattern.DAILY)
    per_shift = data.get("officers_per_shift") or selectors.rules_for(data["duty_room"].pk).min_officers
    if pattern == Rotation.Pattern.TWENTY_FOUR_FORTY_EIGHT and len(data.get("officers", [])) < 3 * per_shift:
        errors["officers"] = [
            _("值24休48 需要至少 %(n)s 名值班员（每班 %(per)s 人 × 3 组）。") % {"n": 3 * per_shift, "per": per_shift}
        ]
    hours = data.get("shift_hours", 24)
    if pattern in (Rotation.Pattern.DAILY, Rotation.Pattern.CUSTOM) and 24 % hours and hours % 24:
        errors["shift_hours"] = [_("班次时长须能整除 24 小时或为 24 小时的整数倍。")]
    if errors:
        raise ValidationError(errors)


def _slots(rotation, rules, first, last):
    """(index, start, end) for every shift slot whose start falls on a local day in [first, last]."""
    tz = selectors.local_tz()
    start_time = rotation.start_time or rules.handover_time
    hours = (
        24
        if rotation.pattern in (Rotation.Pattern.WEEKLY, Rotation.Pattern.TWENTY_FOUR_FORTY_EIGHT)
        else (rotation.shift_hours)
    )
    step = datetime.timedelta(hours=hours)
    stop = datetime.datetime.combine(last + datetime.timedelta(days=1), start_time, tz)
    at = datetime.datetime.combine(first, start_time, tz)
    i = 0
    while at < stop:
        yield i, at, at + step
        at, i = at + step, i + 1


def _turn_of(rotation, index):
    if rotation.pattern == Rotation.Pattern.WEEKLY:
        return index // 7
    if rotation.pattern == Rotation.Pattern.CUSTOM:
        return index // max(1, rotation.shifts_per_turn)
    return index


def _pick(order, start, count, available, rested=None):
    """`count` people from the cyclic `order`, starting at `start`, skipping the
    unavailable; people within the consecutive-hours limit (`rested`) first."""
    chosen = []
    n = len(order)
    for check in [rested, None] if rested else [None]:
        for k in range(n):
            pid = order[(start + k) % n]
            if len(chosen) == count:
                return chosen
            if pid not in chosen and available(pid) and (check is None or check(pid)):
                chosen.append(pid)
    return chosen


@transaction.atomic
def generate_roster(rotation, first, last, actor=None):
    """(Re)generate a room's roster for local days [first, last] from a rotation.

    Kept as they are: shifts already started, hand-edited or swapped shifts
    (pinned), shifts with any check-in, absence, handover, log or swap, and
    shifts not made by this rotation. Slots they cover are not regenerated.
    Skips people on leave and people on duty elsewhere at that time; honours
    the holiday calendar (holiday leaders on rest days and holidays unless the
    day is a 调休 make-up working day; extra officers and a named leader on
    holidays). Returns {"created", "removed", "kept"}.
    """
    if last < first:
        raise ValidationError({"to": [_("结束日期不能早于开始日期。")]})
    if (last - first).days > 400:
        raise ValidationError({"to": [_("一次最多生成 400 天。")]})
    rotation = Rotation.objects.select_related("duty_room").get(pk=rotation.pk)
    room = rotation.duty_room
    rules = selectors.rules_for(room.pk)
    slots = list(_slots(rotation, rules, first, last))
    if not slots:
        return {"created": 0, "removed": 0, "kept": 0}
    period_start, period_end = slots[0][1], slots[-1][2]
    people = _rotation_people(rotation)
    calendar = selectors.calendar_between(first, last)
    named = [h.required_leader_id for h in calendar.values() if h.required_leader_id]
    people.update(Person.objects.in_bulk(named))
    _lock_room_and_people(room.pk, set(people))
    now = timezone.now()

    existing = Shift.objects.filter(duty_room=room, starts_at__lt=period_end, ends_at__gt=period_start)
    removable = existing.filter(rotation=rotation, pinned=False, starts_at__gt=now).exclude(_history_q())
    removable_ids = list(removable.values_list("pk", flat=True))
    if removable_ids:
        Timer.objects.filter(
            kind__in=[CHECKIN_TIMER, SHIFT_START_TIMER],
            key__in=[f"shift:{i}" for i in removable_ids],
            fired_at__isnull=True,
        ).delete()
        ShiftOfficer.objects.filter(shift_id__in=removable_ids).delete()
        Shift.objects.filter(pk__in=removable_ids).delete()
    kept = list(existing.exclude(pk__in=removable_ids).values_list("starts_at", "ends_at"))

    # Where the rotation's people already are (other rooms, or kept shifts here).
    busy = selectors.duty_spans(list(people), period_start, period_end)
    leaves = selectors.leaves_between(list(people), first, last + datetime.timedelta(days=1))
    per_shift = rotation.officers_per_shift or rules.min_officers
    tz = selectors.local_tz()

    def available(pid, day, start, end):
        person = people.get(pid)
        if person is None or not person.is_active:
            return False
        if any(a <= day <= b for a, b in leaves.get(pid, ())):
            return False
        return not any(s < end and e > start for s, e in busy.get(pid, ()))

    # Continuous duty run per person as generated: (run start, run end). In
    # patterns where one turn is one shift, nobody is given a shift that would
    # take them over the consecutive-hours limit while someone else is free.
    runs = {}
    limit = datetime.timedelta(hours=rules.max_consecutive_hours)
    one_shift_turns = rotation.pattern in (Rotation.Pattern.DAILY, Rotation.Pattern.TWENTY_FOUR_FORTY_EIGHT) or (
        rotation.pattern == Rotation.Pattern.CUSTOM and rotation.shifts_per_turn == 1
    )

    new_shifts, officer_lists = [], []
    rest_turn = 0
    for index, start, end in slots:
        if any(s < end and e > start for s, e in kept):
            continue
        day = timezone.localtime(start, tz).date()
        holiday = calendar.get(day)
        kind = selectors.day_kind(day, calendar)
        turn = _turn_of(rotation, index)

        def free(pid, day=day, start=start, end=end):
            return available(pid, day, start, end)

        def rested(pid, start=start, end=end):
            run = runs.get(pid)
            return run is None or run[1] < start or end - run[0] <= limit

        rested = rested if one_shift_turns else None

        count = per_shift + (holiday.extra_officers if holiday and kind == "holiday" else 0)
        officer_ids = _pick(rotation.officers, turn * per_shift, count, free, rested)
        leader_id = None
        if holiday and kind == "holiday" and holiday.required_leader_id and free(holiday.required_leader_id):
            leader_id = holiday.required_leader_id
        elif kind in ("holiday", "rest") and rotation.holiday_leaders:
            picked = _pick(
                rotation.holiday_leaders,
                rest_turn,
                1,
                lambda pid, taken=officer_ids: free(pid) and pid not in taken,
                rested,
            )
            rest_turn += 1
            leader_id = picked[0] if picked else None
        elif rotation.leaders:
            picked = _pick(
                rotation.leaders, turn, 1, lambda pid, taken=officer_ids: free(pid) and pid not in taken, rested
            )
            leader_id = picked[0] if picked else None
        new_shifts.append(Shift(duty_room=room, starts_at=start, ends_at=end, leader_id=leader_id, rotation=rotation))
        officer_lists.append(officer_ids)
        for pid in [*officer_ids, *([leader_id] if leader_id else [])]:
            busy.setdefault(pid, []).append((start, end))
            run = runs.get(pid)
            runs[pid] = (run[0], end) if run and run[1] >= start else (start, end)

    created = Shift.objects.bulk_create(new_shifts, batch_size=500)
    ShiftOfficer.objects.bulk_create(
        [
            ShiftOfficer(shift_id=shift.pk, person_id=pid, position=i)
            for shift, ids in zip(created, officer_lists, strict=True)
            for i, pid in enumerate(ids)
        ],
        batch_size=1000,
    )
    grace = datetime.timedelta(minutes=rules.checkin_grace_minutes)
    Timer.objects.bulk_create(
        [
            Timer(kind=kind, key=f"shift:{s.pk}", due_at=due, payload={"shift": s.pk})
            for s in created
            for kind, due in ((CHECKIN_TIMER, s.starts_at + grace), (SHIFT_START_TIMER, s.starts_at))
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )
    result = {"created": len(created), "removed": len(removable_ids), "kept": len(kept)}
    emit(
        "shift.changed",
        {
            "action": "generated",
            "duty_room": room.pk,
            "duty_room_name": room.name,
            "rotation": rotation.pk,
            "from": first.isoformat(),
            "to": last.isoformat(),
            **result,
            "summary": f"{room.name} 按“{rotation.name}”生成 {first:%m-%d} 至 {last:%m-%d} 排班："
            f"新增 {result['created']} 班，保留 {result['kept']} 班",
        },
        actor=actor,
        departments=[room.pk],
    )
    return result


# --- swaps and substitutions ----------------------------------------------------


def _role_on(shift, person):
    if shift.leader_id == person.pk:
        return "leader"
    if ShiftOfficer.objects.filter(shift=shift, person=person).exists():
        return "officer"
    return None


def _swap_data(swap):
    return {
        "id": swap.pk,
        "kind": swap.kind,
        "state": swap.state,
        "shift": swap.shift_id,
        "counterpart_shift": swap.counterpart_shift_id,
        "requester": swap.requester_id,
        "counterpart": swap.counterpart_id,
        "duty_room": swap.shift.duty_room_id,
    }


def _emit_swap(swap, verb, actor, summary):
    data = _swap_data(swap)
    data["summary"] = summary
    rooms = {swap.shift.duty_room_id}
    if swap.counterpart_shift_id:
        rooms.add(swap.counterpart_shift.duty_room_id)
    emit(f"swap.{verb}", data, actor=actor, departments=sorted(rooms))


def _swap_plan(swap):
    """[(shift, new leader, new officers)] that approving `swap` would produce."""
    plan = []
    pairs = [(swap.shift_id, swap.requester, swap.counterpart)]
    if swap.kind == SwapRequest.Kind.SWAP:
        pairs.append((swap.counterpart_shift_id, swap.counterpart, swap.requester))
    for shift_id, out, into in pairs:
        shift = selectors.shifts_with_people().get(pk=shift_id)
        leader, officers = shift.leader, selectors.officers_of(shift)
        if shift.leader_id == out.pk:
            leader = into
        else:
            officers = [into if p.pk == out.pk else p for p in officers]
        plan.append((shift, leader, officers))
    return plan


def _check_plan(plan):
    excluded = [s.pk for s, _leader, _officers in plan]
    for shift, leader, officers in plan:
        validate_shift(shift.duty_room, shift.starts_at, shift.ends_at, leader, officers, exclude=excluded)


@transaction.atomic
def request_swap(*, actor, shift, counterpart, kind, counterpart_shift=None, reason=""):
    shift = Shift.objects.select_related("duty_room", "leader").get(pk=shift.pk)
    errors = {}
    if _role_on(shift, actor) is None:
        errors["shift"] = [_("只能为本人的班次申请换班或替班。")]
    if counterpart.pk == actor.pk:
        errors["counterpart"] = [_("不能与本人换班。")]
    if kind == SwapRequest.Kind.SWAP:
        if counterpart_shift is None:
            errors["counterpart_shift"] = [_("换班必须指定对方的班次。")]
        elif counterpart_shift.pk == shift.pk:
            errors["counterpart_shift"] = [_("对方班次不能是本班次。")]
        elif _role_on(counterpart_shift, counterpart) is None:
            errors["counterpart_shift"] = [_("对方不在该班次上。")]
    elif counterpart_shift is not None:
        errors["counterpart_shift"] = [_("替班不需要对方班次。")]
    elif _role_on(shift, counterpart) is not None:
        errors["counterpart"] = [_("对方已在本班次上。")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    if shift.ends_at <= now or (counterpart_shift is not None and counterpart_shift.ends_at <= now):
        raise Conflict(_("已结束的班次不能换班。"))
    if SwapRequest.objects.filter(
        shift=shift, requester=actor, state__in=[SwapRequest.State.REQUESTED, SwapRequest.State.ACCEPTED]
    ).exists():
        raise Conflict(_("本班次已有一个待处理的换班申请。"))
    swap = SwapRequest(
        kind=kind,
        shift=shift,
        requester=actor,
        counterpart=counterpart,
        counterpart_shift=counterpart_shift,
        reason=reason,
    )
    _check_plan(_swap_plan(swap))
    swap.save()
    _emit_swap(
        swap,
        "requested",
        actor,
        f"{actor} 申请与 {counterpart} {swap.get_kind_display()}（{shift.duty_room.name} {_fmt(shift.starts_at)} 班次）",
    )
    return swap


def _locked_swap(swap):
    return (
        SwapRequest.objects.select_for_update(of=("self",))
        .select_related("shift__duty_room", "counterpart_shift__duty_room", "requester", "counterpart")
        .get(pk=swap.pk)
    )


def may_approve_swap(person, swap):
    """Admins, or a duty leader of the room (or of a unit above it), not a party to the swap."""
    if person.pk in (swap.requester_id, swap.counterpart_id):
        return False
    if person.is_superuser or person.has_role(Role.ADMIN):
        return True
    if not person.has_role(Role.DUTY_LEADER) or person.department_id is None:
        return False
    room = swap.shift.duty_room
    return person.department_id == room.pk or person.department_id in {a.pk for a in room.ancestors()}


@transaction.atomic
def answer_swap(swap, actor, accept):
    swap = _locked_swap(swap)
    if actor.pk != swap.counterpart_id:
        raise PermissionDenied(_("只有被申请人可以同意或拒绝。"))
    if swap.state != SwapRequest.State.REQUESTED:
        raise Conflict(_("该申请当前状态为“%(state)s”，不能再答复。") % {"state": swap.get_state_display()})
    swap.state = SwapRequest.State.ACCEPTED if accept else SwapRequest.State.DECLINED
    swap.answered_at = timezone.now()
    swap.save(update_fields=["state", "answered_at"])
    _emit_swap(
        swap,
        "accepted" if accept else "declined",
        actor,
        f"{actor} {'同意' if accept else '拒绝'}了 {swap.requester} 的{swap.get_kind_display()}申请",
    )
    return swap


@transaction.atomic
def decide_swap(swap, actor, approve, note=""):
    swap = _locked_swap(swap)
    if not may_approve_swap(actor, swap):
        raise PermissionDenied(_("只有该值班室的带班领导可以审批，且不能审批本人参与的换班。"))
    if swap.state != SwapRequest.State.ACCEPTED:
        raise Conflict(_("该申请当前状态为“%(state)s”，不能审批。") % {"state": swap.get_state_display()})
    now = timezone.now()
    plan = []
    if approve:
        if swap.shift.ends_at <= now or (swap.counterpart_shift and swap.counterpart_shift.ends_at <= now):
            raise Conflict(_("班次已结束，不能再换班。"))
        plan = _swap_plan(swap)
        for shift, _leader, _officers in plan:
            if _role_on(shift, swap.requester if shift.pk == swap.shift_id else swap.counterpart) is None:
                raise Conflict(_("班次人员已变动，原申请不再适用。"))
        rooms = {s.duty_room_id for s, _leader, _officers in plan}
        _lock_room_and_people(min(rooms), {swap.requester_id, swap.counterpart_id})
        try:
            _check_plan(plan)
        except ValidationError as exc:
            raise Conflict(" ".join(exc.messages))
        for shift, leader, officers in plan:
            shift.leader = leader
            shift.pinned = True
            shift.save(update_fields=["leader", "pinned", "updated_at"])
            _set_officers(shift, officers)
    swap.state = SwapRequest.State.APPROVED if approve else SwapRequest.State.REJECTED
    swap.decided_at, swap.decided_by, swap.decision_note = now, actor, note
    swap.save(update_fields=["state", "decided_at", "decided_by", "decision_note"])
    for shift, _leader, officers in plan:
        emit_shift_changed(shift, "swapped", actor, officers)
    _emit_swap(
        swap,
        "approved" if approve else "rejected",
        actor,
        f"{actor} {'批准' if approve else '驳回'}了 {swap.requester} 与 {swap.counterpart} 的{swap.get_kind_display()}",
    )
    return swap


@transaction.atomic
def cancel_swap(swap, actor):
    swap = _locked_swap(swap)
    if actor.pk != swap.requester_id:
        raise PermissionDenied(_("只有申请人可以撤回。"))
    if swap.state not in (SwapRequest.State.REQUESTED, SwapRequest.State.ACCEPTED):
        raise Conflict(_("该申请当前状态为“%(state)s”，不能撤回。") % {"state": swap.get_state_display()})
    swap.state = SwapRequest.State.CANCELLED
    swap.decided_at = timezone.now()
    swap.save(update_fields=["state", "decided_at"])
    _emit_swap(swap, "cancelled", actor, f"{actor} 撤回了{swap.get_kind_display()}申请")
    return swap


# --- check-in, post checks, absences --------------------------------------------


def _office_audience(room):
    """The room itself and the duty offices above it: who hears of an absence."""
    return [room.pk, *(a.pk for a in room.ancestors() if a.kind == Department.Kind.DUTY_OFFICE)]


@transaction.atomic
def check_in(shift, person, at=None):
    """到岗. Returns (check_in, created): checking in twice returns the first."""
    at = at or timezone.now()
    shift = Shift.objects.select_related("duty_room", "leader").get(pk=shift.pk)
    if _role_on(shift, person) is None:
        raise ValidationError({"shift": [_("您不在该班次上，不能签到。")]})
    existing = CheckIn.objects.filter(shift=shift, person=person).first()
    if existing is not None:
        return existing, False
    if at < shift.starts_at - EARLY_CHECKIN:
        raise ValidationError({"shift": [_("尚未到接班时间（最早提前 1 小时签到）。")]})
    if at >= shift.ends_at:
        raise Conflict(_("该班次已结束，不能签到。"))
    grace = datetime.timedelta(minutes=selectors.rules_for(shift.duty_room_id).checkin_grace_minutes)
    checkin = CheckIn.objects.create(shift=shift, person=person, at=at, late=at > shift.starts_at + grace)
    emit(
        "duty.checked_in",
        {
            "shift": shift.pk,
            "duty_room": shift.duty_room_id,
            "person": person.pk,
            "person_name": str(person),
            "at": at,
            "late": checkin.late,
            "summary": f"{person} {'迟到' if checkin.late else ''}到岗（{shift.duty_room.name} {_fmt(shift.starts_at)} 班次）",
        },
        actor=person,
        departments=[shift.duty_room_id],
    )
    return checkin, True


def _emit_absence(absence, actor):
    shift = absence.shift
    verb = "未按时到岗" if absence.kind == Absence.Kind.MISSED_CHECKIN else "查岗时不在岗"
    emit(
        "absence.recorded",
        {
            "id": absence.pk,
            "kind": absence.kind,
            "shift": shift.pk,
            "duty_room": shift.duty_room_id,
            "person": absence.person_id,
            "person_name": str(absence.person),
            "leader": shift.leader_id,
            "detected_at": absence.detected_at,
            "summary": f"脱岗/漏岗提醒：{absence.person} {verb}（{shift.duty_room.name} {_fmt(shift.starts_at)} 班次，"
            f"带班领导 {_name(shift.leader)}）",
        },
        actor=actor,
        departments=_office_audience(shift.duty_room),
    )


def record_missed_checkins(shift_id, deadline, now):
    """The missed check-in timer: everyone on the shift without a check-in by
    `deadline` gets one absence record and one alert event. Idempotent."""
    shift = selectors.shifts_with_people().filter(pk=shift_id).first()
    if shift is None:
        return []
    checked = set(CheckIn.objects.filter(shift=shift, at__lte=deadline).values_list("person_id", flat=True))
    recorded = []
    for person in selectors.people_on(shift):
        if person.pk in checked:
            continue
        absence, created = Absence.objects.get_or_create(
            shift=shift,
            person=person,
            kind=Absence.Kind.MISSED_CHECKIN,
            defaults={"detected_at": now, "note": _("超过到岗宽限时间未签到")},
        )
        if created:
            recorded.append(absence)
    for absence in recorded:
        _emit_absence(absence, None)
    return recorded


@transaction.atomic
def record_post_check(shift, person, answered, actor, method="", note=""):
    """查岗: a spot check; not answering at post records an absence (脱岗)."""
    shift = Shift.objects.select_related("duty_room", "leader").get(pk=shift.pk)
    now = timezone.now()
    if _role_on(shift, person) is None:
        raise ValidationError({"person": [_("被查人员不在该班次上。")]})
    if not (shift.starts_at <= now < shift.ends_at):
        raise Conflict(_("只能对正在进行的班次查岗。"))
    check = PostCheck.objects.create(
        shift=shift, person=person, checked_by=actor, at=now, answered=answered, method=method, note=note
    )
    if not answered:
        absence = Absence.objects.create(
            shift=shift,
            person=person,
            kind=Absence.Kind.ABSENT_FROM_POST,
            detected_at=now,
            recorded_by=actor,
            note=note,
        )
        _emit_absence(absence, actor)
    else:
        emit(
            "duty.post_checked",
            {
                "id": check.pk,
                "shift": shift.pk,
                "duty_room": shift.duty_room_id,
                "person": person.pk,
                "answered": True,
                "summary": f"查岗：{person} 在岗应答（{shift.duty_room.name}，查岗人 {actor}）",
            },
            actor=actor,
            departments=[shift.duty_room_id],
        )
    return check


# --- handover ----------------------------------------------------------------------


def _on_shift_or_admin(shift, person):
    return _role_on(shift, person) is not None or person.is_superuser or person.has_role(Role.ADMIN)


@transaction.atomic
def write_handover(shift, note, actor):
    """The outgoing shift writes its handover; open items are carried in automatically."""
    shift = Shift.objects.select_for_update(of=("self",)).select_related("duty_room").get(pk=shift.pk)
    if not _on_shift_or_admin(shift, actor):
        raise ValidationError({"shift": [_("只有本班人员可以填写交班记录。")]})
    if not (note or "").strip():
        raise ValidationError({"note": [_("交班事项不能为空。")]})
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
    emit(
        "handover.written",
        {
            "id": handover.pk,
            "from_shift": shift.pk,
            "to_shift": incoming.pk if incoming else None,
            "duty_room": shift.duty_room_id,
            "open_items": len(items),
            "summary": f"{shift.duty_room.name} {actor} 填写交班记录，移交待办 {len(items)} 项",
        },
        actor=actor,
        departments=[shift.duty_room_id],
    )
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
        raise ValidationError({"non_field_errors": [_("交班人不能自己签收。")]})
    incoming = handover.to_shift or selectors.incoming_shift(handover.from_shift)
    allowed = (
        (incoming is not None and _role_on(incoming, actor) is not None)
        or actor.is_superuser
        or actor.has_role(Role.ADMIN)
    )
    if not allowed:
        raise ValidationError({"non_field_errors": [_("只有接班班次的人员可以签收。")]})
    handover.to_shift = incoming
    handover.signed_by, handover.signed_at, handover.sign_note = actor, timezone.now(), note
    handover.save(update_fields=["to_shift", "signed_by", "signed_at", "sign_note"])
    room = handover.from_shift.duty_room
    emit(
        "handover.signed",
        {
            "id": handover.pk,
            "from_shift": handover.from_shift_id,
            "to_shift": handover.to_shift_id,
            "duty_room": room.pk,
            "summary": f"{room.name} {actor} 签收交班记录",
        },
        actor=actor,
        departments=[room.pk],
    )
    return handover


# --- duty log -------------------------------------------------------------------------


@transaction.atomic
def add_log_entry(
    shift, actor, *, text, kind=DutyLogEntry.Kind.NOTE, caller="", received_at=None, answered_at=None, incident_id=None
):
    shift = Shift.objects.select_related("duty_room").get(pk=shift.pk)
    if not _on_shift_or_admin(shift, actor) and not actor.has_role(Role.DUTY_LEADER, Role.LEADER):
        raise ValidationError({"shift": [_("只有本班人员可以记录值班日志。")]})
    if not (text or "").strip():
        raise ValidationError({"text": [_("内容不能为空。")]})
    if received_at and answered_at and answered_at < received_at:
        raise ValidationError({"answered_at": [_("接听时间不能早于来电时间。")]})
    if incident_id is not None and not selectors.incident_exists(incident_id):
        # The entry would otherwise land on a timeline no incident has.
        raise ValidationError({"incident_id": [_("关联事件不存在。")]})
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
    emit(
        "dutylog.added",
        {
            "id": entry.pk,
            "shift": shift.pk,
            "duty_room": shift.duty_room_id,
            "kind": kind,
            "summary": f"{shift.duty_room.name} 值班日志（{entry.get_kind_display()}）：{entry.text[:60]}",
        },
        actor=actor,
        incident_id=incident_id,
        departments=[shift.duty_room_id],
    )
    return entry


# --- calendar feeds, reference data ------------------------------------------------------


@transaction.atomic
def create_calendar_feed(owner, duty_room=None, person=None):
    feed = CalendarFeed.objects.create(owner=owner, duty_room=duty_room, person=person)
    emit(
        "calendar_feed.created",
        {
            "id": feed.pk,
            "duty_room": feed.duty_room_id,
            "person": feed.person_id,
            "summary": f"{owner} 创建了{duty_room.name if duty_room else person}的值班日历订阅",
        },
        actor=owner,
    )
    return feed


@transaction.atomic
def revoke_calendar_feed(feed, actor):
    if feed.revoked_at is None:
        feed.revoked_at = timezone.now()
        feed.save(update_fields=["revoked_at"])
        emit("calendar_feed.revoked", {"id": feed.pk, "summary": f"{actor} 作废了一个值班日历订阅"}, actor=actor)
    return feed


@transaction.atomic
def save_duty_record(serializer, actor, noun, describe, **extra):
    """Create/update of duty reference data (rules, holidays, leaves, rotations)."""
    created = serializer.instance is None
    obj = serializer.save(**extra)
    emit(
        f"{noun}.{'created' if created else 'updated'}",
        {"id": obj.pk, "summary": f"{actor} {'新增' if created else '修改'}{describe}：{obj}"},
        actor=actor,
    )
    return obj


@transaction.atomic
def delete_duty_record(obj, actor, noun, describe):
    data = {"id": obj.pk, "summary": f"{actor} 删除{describe}：{obj}"}
    obj.delete()
    emit(f"{noun}.deleted", data, actor=actor)
