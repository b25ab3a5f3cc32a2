"""Rotations: check one, and (re)generate a room's roster from it."""

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops.errors import Invalid
from dutyops.models import Person, Timer
from dutyops.times import local_tz
from realtime.services import emit

from .. import selectors
from ..models import Rotation, Shift, ShiftOfficer
from .shifts import CHECKIN_TIMER, SHIFT_START_TIMER, history_q, lock_room_and_people


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
        raise Invalid(errors)
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
        raise Invalid(errors)


def _slots(rotation, rules, first, last):
    """(index, start, end) for every shift slot whose start falls on a local day in [first, last]."""
    tz = local_tz()
    start_time = rotation.start_time or rules.handover_time
    daily = rotation.pattern in (Rotation.Pattern.WEEKLY, Rotation.Pattern.TWENTY_FOUR_FORTY_EIGHT)
    step = datetime.timedelta(hours=24 if daily else rotation.shift_hours)
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


class _Planner:
    """Who serves each slot: the rotation's order, skipping people on leave or on
    duty elsewhere, honouring the holiday calendar and the consecutive-hours limit."""

    def __init__(self, rotation, rules, people, calendar, busy, leaves):
        self.rotation, self.calendar, self.people = rotation, calendar, people
        self.busy, self.leaves = busy, leaves
        self.per_shift = rotation.officers_per_shift or rules.min_officers
        self.limit = datetime.timedelta(hours=rules.max_consecutive_hours)
        # Continuous duty run per person as generated: (run start, run end). In
        # patterns where one turn is one shift, nobody is given a shift that would
        # take them over the consecutive-hours limit while someone else is free.
        self.runs = {}
        self.one_shift_turns = rotation.pattern in (
            Rotation.Pattern.DAILY,
            Rotation.Pattern.TWENTY_FOUR_FORTY_EIGHT,
        ) or (rotation.pattern == Rotation.Pattern.CUSTOM and rotation.shifts_per_turn == 1)
        self.rest_turn = 0

    def _available(self, pid, day, start, end):
        person = self.people.get(pid)
        if person is None or not person.is_active:
            return False
        if any(a <= day <= b for a, b in self.leaves.get(pid, ())):
            return False
        return not any(s < end and e > start for s, e in self.busy.get(pid, ()))

    def _rested(self, start, end):
        if not self.one_shift_turns:
            return None

        def rested(pid):
            run = self.runs.get(pid)
            return run is None or run[1] < start or end - run[0] <= self.limit

        return rested

    def staff(self, index, start, end):
        """(leader id or None, officer ids) for the slot, and the slot booked for them."""
        rotation = self.rotation
        day = timezone.localtime(start, local_tz()).date()
        holiday = self.calendar.get(day)
        kind = selectors.day_kind(day, self.calendar)
        turn = _turn_of(rotation, index)

        def free(pid):
            return self._available(pid, day, start, end)

        rested = self._rested(start, end)
        count = self.per_shift + (holiday.extra_officers if holiday and kind == "holiday" else 0)
        officer_ids = _pick(rotation.officers, turn * self.per_shift, count, free, rested)

        def free_leader(pid):
            return free(pid) and pid not in officer_ids

        leader_id = None
        if holiday and kind == "holiday" and holiday.required_leader_id and free(holiday.required_leader_id):
            leader_id = holiday.required_leader_id
        elif kind in ("holiday", "rest") and rotation.holiday_leaders:
            picked = _pick(rotation.holiday_leaders, self.rest_turn, 1, free_leader, rested)
            self.rest_turn += 1
            leader_id = picked[0] if picked else None
        elif rotation.leaders:
            picked = _pick(rotation.leaders, turn, 1, free_leader, rested)
            leader_id = picked[0] if picked else None
        for pid in [*officer_ids, *([leader_id] if leader_id else [])]:
            self.busy.setdefault(pid, []).append((start, end))
            run = self.runs.get(pid)
            self.runs[pid] = (run[0], end) if run and run[1] >= start else (start, end)
        return leader_id, officer_ids


def _clear_regenerable(rotation, room, period_start, period_end):
    """Delete this rotation's future shifts in the period that nobody touched;
    returns (removed count, (start, end) of the shifts kept)."""
    existing = Shift.objects.filter(duty_room=room, starts_at__lt=period_end, ends_at__gt=period_start)
    removable = existing.filter(rotation=rotation, pinned=False, starts_at__gt=timezone.now()).exclude(history_q())
    removable_ids = list(removable.values_list("pk", flat=True))
    if removable_ids:
        Timer.objects.filter(
            kind__in=[CHECKIN_TIMER, SHIFT_START_TIMER],
            key__in=[f"shift:{i}" for i in removable_ids],
            fired_at__isnull=True,
        ).delete()
        ShiftOfficer.objects.filter(shift_id__in=removable_ids).delete()
        Shift.objects.filter(pk__in=removable_ids).delete()
    return len(removable_ids), list(existing.exclude(pk__in=removable_ids).values_list("starts_at", "ends_at"))


def _save(new_shifts, officer_lists, rules):
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
    return created


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
        raise Invalid({"to": [_("结束日期不能早于开始日期。")]})
    if (last - first).days > 400:
        raise Invalid({"to": [_("一次最多生成 400 天。")]})
    rotation = Rotation.objects.select_related("duty_room").get(pk=rotation.pk)
    room = rotation.duty_room
    rules = selectors.rules_for(room.pk)
    slots = list(_slots(rotation, rules, first, last))
    if not slots:
        return {"created": 0, "removed": 0, "kept": 0}
    period_start, period_end = slots[0][1], slots[-1][2]
    ids = {*rotation.leaders, *rotation.officers, *rotation.holiday_leaders}
    people = Person.objects.in_bulk([i for i in ids if isinstance(i, int)])
    calendar = selectors.calendar_between(first, last)
    people.update(Person.objects.in_bulk([h.required_leader_id for h in calendar.values() if h.required_leader_id]))
    lock_room_and_people(room.pk, set(people))
    removed, kept = _clear_regenerable(rotation, room, period_start, period_end)
    # Where the rotation's people already are (other rooms, or kept shifts here).
    busy = selectors.duty_spans(list(people), period_start, period_end)
    leaves = selectors.leaves_between(list(people), first, last + datetime.timedelta(days=1))
    planner = _Planner(rotation, rules, people, calendar, busy, leaves)
    new_shifts, officer_lists = [], []
    for index, start, end in slots:
        if any(s < end and e > start for s, e in kept):
            continue
        leader_id, officer_ids = planner.staff(index, start, end)
        new_shifts.append(Shift(duty_room=room, starts_at=start, ends_at=end, leader_id=leader_id, rotation=rotation))
        officer_lists.append(officer_ids)
    created = _save(new_shifts, officer_lists, rules)
    result = {"created": len(created), "removed": removed, "kept": len(kept)}
    data = {"action": "generated", "duty_room": room.pk, "duty_room_name": room.name, "rotation": rotation.pk}
    data.update(rotation_name=rotation.name, **{"from": first.isoformat(), "to": last.isoformat()}, **result)
    emit("shift.changed", data, actor=actor, departments=[room.pk])
    return result
