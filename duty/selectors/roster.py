"""Who is on duty, the rules and the holiday calendar, and the roster's coverage."""

import datetime
from dataclasses import dataclass, field

from django.db import connection
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from dutyops.models import Department, Person
from dutyops.times import local_tz

from ..models import (
    DutyRule,
    Holiday,
    Leave,
    Rotation,
    Shift,
    ShiftOfficer,
)

# --- who is on duty -----------------------------------------------------------


@dataclass
class OnDuty:
    shift: Shift
    leader: Person | None
    officers: list = field(default_factory=list)


def all_shifts():
    """Every shift, unfiltered: for an action whose service asks the policy itself."""
    return Shift.objects.all()


def rotations():
    """Rotations with their room, room by room."""
    return Rotation.objects.select_related("duty_room").order_by("duty_room_id", "name")


def duty_rules():
    """The duty rules with their room (none: the jurisdiction's default)."""
    return DutyRule.objects.select_related("duty_room").order_by("id")


def shifts_with_people():
    """Shifts with their leader and officers (in roster order) loaded in two queries."""
    return Shift.objects.select_related("leader", "duty_room").prefetch_related(
        Prefetch("officer_links", queryset=ShiftOfficer.objects.select_related("person").order_by("position", "id"))
    )


def officers_of(shift):
    """A shift's officers in roster order (from on_duty's join, or the prefetch)."""
    cached = getattr(shift, "_officers", None)
    if cached is not None:
        return cached
    return [link.person for link in shift.officer_links.all()]


def _columns(model, wanted):
    """`wanted` attnames in the model's concrete field order, as Model.from_db expects them."""
    return [f.attname for f in model._meta.concrete_fields if f.attname in wanted]


_SHIFT_COLS = [f.attname for f in Shift._meta.concrete_fields]
_ROOM_COLS = _columns(Department, {"code", "name", "kind", "phone", "parent_id"})
_PERSON_COLS = _columns(Person, {"id", "username", "full_name", "phone", "department_id", "is_active"})


def _on_duty_sql():
    """One statement: the room's shift covering `at` (index shift_room_start,
    scanned backwards, one row), its room, and its leader and officers."""
    shift_t, room_t = Shift._meta.db_table, Department._meta.db_table
    link_t, person_t = ShiftOfficer._meta.db_table, Person._meta.db_table
    return (
        f"WITH s AS (SELECT {', '.join(_SHIFT_COLS)} FROM {shift_t}"
        " WHERE duty_room_id = %s AND starts_at <= %s AND ends_at > %s ORDER BY starts_at DESC LIMIT 1),"
        " m AS (SELECT leader_id AS person_id, -1 AS position, NULL AS link_id FROM s WHERE leader_id IS NOT NULL"
        f" UNION ALL SELECT so.person_id, so.position, so.id FROM {link_t} so JOIN s ON so.shift_id = s.id)"
        f" SELECT {', '.join('s.' + c for c in _SHIFT_COLS)}, {', '.join('d.' + c for c in _ROOM_COLS)},"
        f" m.position, {', '.join('p.' + c for c in _PERSON_COLS)}"
        f" FROM s JOIN {room_t} d ON d.id = s.duty_room_id"
        f" LEFT JOIN m ON 1 = 1 LEFT JOIN {person_t} p ON p.id = m.person_id"
        " ORDER BY m.position, m.link_id"
    )


_ON_DUTY_SQL = _on_duty_sql()  # built once: on_duty is the hot read


def _aware(value):
    # SQLite hands back naive UTC datetimes from a raw cursor; PostgreSQL aware ones.
    if isinstance(value, datetime.datetime) and timezone.is_naive(value):
        return value.replace(tzinfo=datetime.UTC)
    return value


def on_duty(department_id, at=None):
    """Who is on duty in `department_id` at `at` (default now), or None.

    The hot read (every alert, every board): one SQL statement, no ORM query
    compilation; `at` is matched half-open, [starts_at, ends_at).
    """
    at = at or timezone.now()
    db = connection.alias
    with connection.cursor() as cursor:
        at_db = connection.ops.adapt_datetimefield_value(at)
        cursor.execute(_ON_DUTY_SQL, [department_id, at_db, at_db])
        rows = cursor.fetchall()
    if not rows:
        return None
    n_shift, n_room = len(_SHIFT_COLS), len(_ROOM_COLS)
    first = rows[0]
    shift = Shift.from_db(db, _SHIFT_COLS, [_aware(v) for v in first[:n_shift]])
    shift.pinned = bool(shift.pinned)
    shift.duty_room = Department.from_db(
        db, ["id", *_ROOM_COLS], [shift.duty_room_id, *first[n_shift : n_shift + n_room]]
    )
    leader, officers = None, []
    for row in rows:
        position, person_values = row[n_shift + n_room], row[n_shift + n_room + 1 :]
        if person_values[0] is None:
            continue
        person = Person.from_db(db, _PERSON_COLS, list(person_values))
        person.is_active = bool(person.is_active)
        if position == -1:
            leader = person
        else:
            officers.append(person)
    shift.leader = leader
    shift._officers = officers
    return OnDuty(shift=shift, leader=leader, officers=officers)


def shifts_between(start, end, duty_room_id=None, person_id=None):
    """Shifts overlapping [start, end), oldest first."""
    qs = shifts_with_people().filter(starts_at__lt=end, ends_at__gt=start)
    if duty_room_id is not None:
        qs = qs.filter(duty_room_id=duty_room_id)
    if person_id is not None:
        qs = qs.filter(Q(leader_id=person_id) | Q(officer_links__person_id=person_id)).distinct()
    return qs.order_by("starts_at", "duty_room_id")


def duty_spans(person_ids, start, end):
    """{person_id: [(starts_at, ends_at), ...]}: the shifts overlapping [start, end)
    that these people lead or serve on, in any room."""
    spans = {}
    shifts = Shift.objects.filter(starts_at__lt=end, ends_at__gt=start)
    for pid, s, e in shifts.filter(leader_id__in=person_ids).values_list("leader_id", "starts_at", "ends_at"):
        spans.setdefault(pid, []).append((s, e))
    for pid, s, e in ShiftOfficer.objects.filter(person_id__in=person_ids, shift__in=shifts).values_list(
        "person_id", "shift__starts_at", "shift__ends_at"
    ):
        spans.setdefault(pid, []).append((s, e))
    return spans


def people_on(shift):
    """Leader first, then officers; no one twice."""
    people = [shift.leader] if shift.leader_id else []
    people += [p for p in officers_of(shift) if p.pk != shift.leader_id]
    return people


# --- rules and the calendar ---------------------------------------------------


@dataclass(frozen=True)
class Rules:
    min_officers: int = 2
    handover_time: datetime.time = datetime.time(8, 30)
    checkin_grace_minutes: int = 15
    max_consecutive_hours: int = 24
    require_leader: bool = True


def rules_for(duty_room_id):
    """The room's own rule, else the global rule, else the built-in defaults."""
    rows = {
        r.duty_room_id: r for r in DutyRule.objects.filter(Q(duty_room_id=duty_room_id) | Q(duty_room__isnull=True))
    }
    row = rows.get(duty_room_id) or rows.get(None)
    if row is None:
        return Rules()
    return Rules(
        min_officers=row.min_officers,
        handover_time=row.handover_time,
        checkin_grace_minutes=row.checkin_grace_minutes,
        max_consecutive_hours=row.max_consecutive_hours,
        require_leader=row.require_leader,
    )


def calendar_between(first, last):
    """{date: Holiday} for the holiday calendar rows in [first, last]."""
    return {h.date: h for h in Holiday.objects.filter(date__gte=first, date__lte=last)}


def day_kind(day, calendar):
    """'holiday', 'workday' or 'rest' (weekend). A 调休 make-up day is a workday even on a weekend."""
    entry = calendar.get(day)
    if entry is not None:
        return entry.kind
    return "rest" if day.weekday() >= 5 else "workday"


def leaves_between(person_ids, first, last):
    """{person_id: [(starts_on, ends_on), ...]} for leaves touching [first, last]."""
    out = {}
    for lv in Leave.objects.filter(person_id__in=person_ids, starts_on__lte=last, ends_on__gte=first):
        out.setdefault(lv.person_id, []).append((lv.starts_on, lv.ends_on))
    return out


def month_bounds(first_day):
    """(first day, last day) of the month that starts on `first_day`."""
    nxt = (first_day.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    return first_day, nxt - datetime.timedelta(days=1)


def local_days(first, last):
    """[start, end): local midnight of `first` to local midnight after `last`."""
    tz = local_tz()
    return (
        datetime.datetime.combine(first, datetime.time(), tz),
        datetime.datetime.combine(last + datetime.timedelta(days=1), datetime.time(), tz),
    )


def local_day_of(shift):
    """The calendar day a shift belongs to: the local date it starts on."""
    return timezone.localtime(shift.starts_at, local_tz()).date()


# --- coverage -----------------------------------------------------------------


def coverage(duty_room_id, start, end):
    """Problems with a room's roster in [start, end): gaps, understaffed shifts,
    missing leader, people over the consecutive-hours limit. Oldest first."""
    rules = rules_for(duty_room_id)
    shifts = list(shifts_between(start, end, duty_room_id=duty_room_id))
    calendar = calendar_between((start - datetime.timedelta(days=1)).date(), end.date() + datetime.timedelta(days=1))
    issues = []
    cursor = start
    for shift in shifts:
        if shift.starts_at > cursor:
            issues.append(_issue("gap", duty_room_id, cursor, shift.starts_at, None, _("无人值班时段")))
        cursor = max(cursor, shift.ends_at)
        officers = officers_of(shift)
        holiday = calendar.get(local_day_of(shift))
        needed = rules.min_officers + (holiday.extra_officers if holiday and holiday.kind == "holiday" else 0)
        if len(officers) < needed:
            issues.append(
                _issue(
                    "understaffed",
                    duty_room_id,
                    shift.starts_at,
                    shift.ends_at,
                    shift,
                    _("值班员 %(n)s 人，少于要求的 %(needed)s 人") % {"n": len(officers), "needed": needed},
                )
            )
        if rules.require_leader and shift.leader_id is None:
            issues.append(_issue("no_leader", duty_room_id, shift.starts_at, shift.ends_at, shift, _("未安排带班领导")))
        elif holiday and holiday.required_leader_id and shift.leader_id != holiday.required_leader_id:
            issues.append(
                _issue(
                    "wrong_leader",
                    duty_room_id,
                    shift.starts_at,
                    shift.ends_at,
                    shift,
                    _("%(holiday)s指定带班领导为%(leader)s")
                    % {"holiday": holiday.name, "leader": holiday.required_leader},
                )
            )
    if cursor < end:
        issues.append(_issue("gap", duty_room_id, cursor, end, None, _("无人值班时段")))
    issues += _over_hours(duty_room_id, start, end, rules, shifts)
    issues.sort(key=lambda i: (i["starts_at"], i["kind"]))
    return issues


def _issue(kind, duty_room_id, starts_at, ends_at, shift, detail, person=None):
    return {
        "kind": kind,
        "duty_room": duty_room_id,
        "shift": shift.pk if shift else None,
        "person": person.pk if person else None,
        "person_name": str(person) if person else "",
        "starts_at": starts_at,
        "ends_at": ends_at,
        "detail": detail,
    }


def _over_hours(duty_room_id, start, end, rules, room_shifts):
    """People on this room's shifts (`room_shifts`, with their people loaded) whose
    continuous duty (across any room, back-to-back shifts chained) exceeds the limit."""
    limit = datetime.timedelta(hours=rules.max_consecutive_hours)
    people = {p.pk: p for s in room_shifts for p in people_on(s)}
    if not people:
        return []
    # Everyone's shifts in a window wide enough to chain into the period.
    margin = limit + datetime.timedelta(days=1)
    spans = duty_spans(list(people), start - margin, end + margin)
    issues = []
    for pid, items in spans.items():
        items.sort()
        run_start, run_end = items[0]
        for s, e in [*items[1:], (None, None)]:
            if s is not None and s <= run_end:
                run_end = max(run_end, e)
                continue
            if run_end - run_start > limit and run_end > start and run_start < end:
                hours = (run_end - run_start).total_seconds() / 3600
                issues.append(
                    _issue(
                        "over_hours",
                        duty_room_id,
                        run_start,
                        run_end,
                        None,
                        _("%(name)s 连续值班 %(hours)s 小时，超过 %(limit)s 小时上限")
                        % {"name": people[pid], "hours": f"{hours:g}", "limit": rules.max_consecutive_hours},
                        person=people[pid],
                    )
                )
            if s is not None:
                run_start, run_end = s, e
    return issues
