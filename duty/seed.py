"""Demo duty data for 临江市: holiday calendar 2026-2027, rules, rotations and a
roster around today for the duty office and two departments. Idempotent."""

import datetime

from django.db import transaction
from django.utils import timezone

from dutyops import timers
from dutyops.models import Department, Person, Role
from dutyops.seed import DEMO_PASSWORD

from . import selectors, services
from .models import DutyRule, Holiday, Rotation, Shift, ShiftOfficer
from .services.shifts import CHECKIN_TIMER

# seed_demo runs the apps' seeds by ORDER: the roster comes last (after the
# organisation, incidents, plans and alerts), as it always has.
ORDER = 50

# (first day, last day, name) of days off, and the 调休 make-up working days.
# 2026: 国务院办公厅关于2026年部分节假日安排的通知.
# 2027: provisional (the statutory dates, arranged the usual way) until the
# State Council publishes the year's notice; edit them in the admin then.
HOLIDAYS = {
    2026: {
        "note": "",
        "off": [
            ("2026-01-01", "2026-01-03", "元旦"),
            ("2026-02-15", "2026-02-23", "春节"),
            ("2026-04-04", "2026-04-06", "清明节"),
            ("2026-05-01", "2026-05-05", "劳动节"),
            ("2026-06-19", "2026-06-21", "端午节"),
            ("2026-09-25", "2026-09-27", "中秋节"),
            ("2026-10-01", "2026-10-07", "国庆节"),
        ],
        "makeup": [
            ("2026-01-04", "元旦"),
            ("2026-02-14", "春节"),
            ("2026-02-28", "春节"),
            ("2026-05-09", "劳动节"),
            ("2026-09-20", "国庆节"),
            ("2026-10-10", "国庆节"),
        ],
    },
    2027: {
        "note": "暂定，以国务院办公厅通知为准",
        "off": [
            ("2027-01-01", "2027-01-03", "元旦"),
            ("2027-02-05", "2027-02-13", "春节"),
            ("2027-04-03", "2027-04-05", "清明节"),
            ("2027-05-01", "2027-05-05", "劳动节"),
            ("2027-06-09", "2027-06-09", "端午节"),
            ("2027-09-15", "2027-09-15", "中秋节"),
            ("2027-10-01", "2027-10-07", "国庆节"),
        ],
        "makeup": [
            ("2027-01-31", "春节"),
            ("2027-02-20", "春节"),
            ("2027-04-25", "劳动节"),
            ("2027-09-26", "国庆节"),
            ("2027-10-09", "国庆节"),
        ],
    },
}

# Bigger holidays: one extra officer per shift in the duty office.
EXTRA_STAFF = {"春节": 1, "国庆节": 1}

# username, full name, department code: department duty officers (they act as liaisons).
DEPT_PEOPLE = [
    ("swj_duty1", "钱进（水利局值班员）", "LJ-SWJ"),
    ("swj_duty2", "何平（水利局值班员）", "LJ-SWJ"),
    ("swj_lead", "胡海（水利局带班领导）", "LJ-SWJ"),
    ("swj_lead2", "马骏（水利局带班领导）", "LJ-SWJ"),
    ("xf_duty1", "林峰（消防值班员）", "LJ-XFJY"),
    ("xf_duty2", "高原（消防值班员）", "LJ-XFJY"),
    ("xf_lead", "罗刚（消防带班领导）", "LJ-XFJY"),
    ("xf_lead2", "宋毅（消防带班领导）", "LJ-XFJY"),
]


def _d(text):
    return datetime.date.fromisoformat(text)


def seed_holidays(years=(2026, 2027)):
    for year in years:
        spec = HOLIDAYS[year]
        for first, last, name in spec["off"]:
            day = _d(first)
            while day <= _d(last):
                Holiday.objects.get_or_create(
                    date=day,
                    defaults={
                        "kind": Holiday.Kind.HOLIDAY,
                        "name": name,
                        "extra_officers": EXTRA_STAFF.get(name, 0),
                        "note": spec["note"],
                    },
                )
                day += datetime.timedelta(days=1)
        for day, name in spec["makeup"]:
            Holiday.objects.get_or_create(
                date=_d(day), defaults={"kind": Holiday.Kind.WORKDAY, "name": name, "note": spec["note"]}
            )


def _people(usernames):
    by_name = Person.objects.in_bulk(usernames, field_name="username")
    return [by_name[u].pk for u in usernames if u in by_name]


@transaction.atomic
def seed():
    seed_holidays()
    DutyRule.objects.get_or_create(duty_room=None)
    rooms = Department.objects.in_bulk(["LJ-ZBS", "LJ-SWJ", "LJ-XFJY"], field_name="code")
    if len(rooms) < 3:
        return
    for username, full_name, code in DEPT_PEOPLE:
        person, created = Person.objects.get_or_create(
            username=username, defaults={"full_name": full_name, "department": rooms[code]}
        )
        if created:
            person.set_password(DEMO_PASSWORD)
            person.save()
            person.set_roles([Role.DUTY_LEADER if "_lead" in username else Role.LIAISON])
    # Department duty rooms run one officer per shift; the fire brigade's
    # weekly rotation keeps a person on (on call) for a week.
    DutyRule.objects.get_or_create(duty_room=rooms["LJ-SWJ"], defaults={"min_officers": 1})
    DutyRule.objects.get_or_create(
        duty_room=rooms["LJ-XFJY"], defaults={"min_officers": 1, "max_consecutive_hours": 7 * 24}
    )

    specs = [
        (
            "LJ-ZBS",
            "总值班室日常轮班",
            Rotation.Pattern.DAILY,
            ["dleader", "dleader2"],
            ["officer1", "officer2", "officer3", "officer4"],
            2,
            ["leader", "dleader", "dleader2"],
        ),
        (
            "LJ-SWJ",
            "水利局值24休48",
            Rotation.Pattern.TWENTY_FOUR_FORTY_EIGHT,
            ["swj_lead", "swj_lead2"],
            ["swj_duty1", "swj_duty2", "liaison_water"],
            1,
            [],
        ),
        (
            "LJ-XFJY",
            "消防支队按周轮换",
            Rotation.Pattern.WEEKLY,
            ["xf_lead", "xf_lead2"],
            ["xf_duty1", "xf_duty2"],
            1,
            [],
        ),
    ]
    today = timezone.localdate()
    for code, name, pattern, leaders, officers, per_shift, holiday_leaders in specs:
        room = rooms[code]
        rotation, created = Rotation.objects.get_or_create(
            duty_room=room,
            name=name,
            defaults={
                "pattern": pattern,
                "leaders": _people(leaders),
                "officers": _people(officers),
                "officers_per_shift": per_shift,
                "holiday_leaders": _people(holiday_leaders),
            },
        )
        if created or not Shift.objects.filter(duty_room=room).exists():
            services.generate_roster(rotation, today - datetime.timedelta(days=7), today + datetime.timedelta(days=30))
            newcomer = _first_officer_on_now(room, officers[0]) if code == "LJ-ZBS" else None
            _check_in_past(room, not_yet=newcomer)


def _first_officer_on_now(room, username):
    """The first officer the demo prints (officer1) is on the shift that is on now,
    not yet checked in: a newcomer signing in sees 到岗签到 and the shift's desk.
    Returns (shift, person), or None when the room has no shift now."""
    person = Person.objects.filter(username=username).first()
    current = selectors.on_duty(room.pk)
    if person is None or current is None:
        return None
    officers = list(current.officers)
    if officers and person.pk not in {p.pk for p in officers} and current.shift.leader_id != person.pk:
        # Trade places with the first officer on now, on every shift of the room: the
        # rotation keeps its rhythm (rest days, consecutive hours), only the names move.
        other = officers[0]
        rows = ShiftOfficer.objects.filter(shift__duty_room=room)
        both = set(rows.filter(person=person).values_list("shift_id", flat=True)) & set(
            rows.filter(person=other).values_list("shift_id", flat=True)
        )
        mine = list(rows.filter(person=person).exclude(shift_id__in=both).values_list("pk", flat=True))
        theirs = list(rows.filter(person=other).exclude(shift_id__in=both).values_list("pk", flat=True))
        ShiftOfficer.objects.filter(pk__in=mine).update(person=other)
        ShiftOfficer.objects.filter(pk__in=theirs).update(person=person)
    # The missed check-in is chased from the moment the newcomer was put on, not from
    # the shift's start hours ago (else the worker's first run records them absent).
    grace = datetime.timedelta(minutes=selectors.rules_for(room.pk).checkin_grace_minutes)
    timers.reschedule(CHECKIN_TIMER, f"shift:{current.shift.pk}", timezone.now() + grace, shift=current.shift.pk)
    return current.shift.pk, person.pk


def _check_in_past(room, not_yet=None):
    """The demo's past shifts were worked: everyone checked in a few minutes early
    (otherwise the worker would record a week of missed check-ins on first start),
    except `not_yet` ((shift id, person id): the newcomer on now)."""
    for shift in selectors.shifts_with_people().filter(duty_room=room, starts_at__lte=timezone.now()):
        for person in selectors.people_on(shift):
            if not_yet == (shift.pk, person.pk):
                continue
            services.check_in(shift, person, at=shift.starts_at - datetime.timedelta(minutes=5))
