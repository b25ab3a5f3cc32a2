"""Rotations: roster generation around a real Chinese holiday with 调休, leave,
patterns, regeneration that keeps what already happened, and coverage checks."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duty import seed as seed_duty
from duty import selectors, services
from duty.models import DutyRule, Holiday, Leave, Rotation, Shift
from realtime.models import Event

TZ = ZoneInfo("Asia/Shanghai")


def d(text):
    return datetime.date.fromisoformat(text)


@pytest.fixture
def autumn_2026(time_machine):
    """The fixed 2026 days these tests generate (国庆 and its 调休, December's weeks) are
    ahead of a clock standing on 1 September 2026, whatever the test date."""
    time_machine.move_to(datetime.datetime(2026, 9, 1, 10, 0, tzinfo=TZ))


@pytest.fixture
def team(make_person):
    return {
        "leaders": [make_person("duty_leader", full_name=f"平日领导{i}") for i in range(2)],
        "holiday_leader": make_person("leader", full_name="节日领导"),
        "officers": [make_person("duty_officer", full_name=f"值班员{i}") for i in range(4)],
    }


def make_rotation(room, team, **extra):
    return Rotation.objects.create(
        duty_room=room,
        name="测试轮班",
        leaders=[p.pk for p in team["leaders"]],
        officers=[p.pk for p in team["officers"]],
        holiday_leaders=[team["holiday_leader"].pk],
        **extra,
    )


def by_day(room):
    out = {}
    for s in selectors.shifts_between(
        datetime.datetime(2000, 1, 1, tzinfo=TZ), datetime.datetime(2100, 1, 1, tzinfo=TZ), duty_room_id=room.pk
    ):
        out.setdefault(selectors.local_day_of(s), []).append(s)
    return out


def test_national_day_2026_with_tiaoxiu(department, team, autumn_2026):
    """2026 国庆: Oct 1-7 off, Sep 20 (Sun) and Oct 10 (Sat) are make-up working days."""
    seed_duty.seed_holidays([2026])
    rotation = make_rotation(department, team)
    result = services.generate_roster(rotation, d("2026-09-19"), d("2026-10-11"))
    assert result["created"] == 23
    days = by_day(department)
    assert all(len(v) == 1 for v in days.values())
    shift = {day: v[0] for day, v in days.items()}
    first = shift[d("2026-09-19")]
    assert timezone.localtime(first.starts_at, TZ).time() == datetime.time(8, 30)
    assert first.ends_at - first.starts_at == datetime.timedelta(hours=24)

    holiday_leader = team["holiday_leader"]
    weekday_leaders = {p.pk for p in team["leaders"]}
    assert shift[d("2026-09-19")].leader == holiday_leader  # ordinary Saturday: rest day
    assert shift[d("2026-09-20")].leader_id in weekday_leaders  # Sunday, but a 调休 working day
    assert shift[d("2026-09-21")].leader_id in weekday_leaders
    for n in range(1, 8):
        s = shift[datetime.date(2026, 10, n)]
        assert s.leader == holiday_leader
        assert len(selectors.officers_of(s)) == 3  # 国庆 requires an extra officer
    assert shift[d("2026-10-08")].leader_id in weekday_leaders
    assert shift[d("2026-10-10")].leader_id in weekday_leaders  # Saturday make-up day
    assert shift[d("2026-10-11")].leader == holiday_leader
    assert len(selectors.officers_of(shift[d("2026-10-09")])) == 2

    # Back-to-back 24 h shifts: no gaps, nobody understaffed.
    start, end = shift[d("2026-09-19")].starts_at, shift[d("2026-10-11")].ends_at
    kinds = {i["kind"] for i in selectors.coverage(department.pk, start, end)}
    assert "gap" not in kinds and "understaffed" not in kinds and "no_leader" not in kinds

    event = Event.objects.filter(type="shift.changed", data__action="generated").get()
    assert event.data["created"] == 23 and "生成" in event.summary


def test_named_leader_and_leave_are_honoured(department, team, autumn_2026):
    seed_duty.seed_holidays([2026])
    named = team["leaders"][1]
    Holiday.objects.filter(date=d("2026-10-01")).update(required_leader=named)
    away = team["officers"][0]
    Leave.objects.create(person=away, starts_on=d("2026-10-02"), ends_on=d("2026-10-04"), reason="探亲")
    rotation = make_rotation(department, team)
    services.generate_roster(rotation, d("2026-09-28"), d("2026-10-06"))
    shift = {day: v[0] for day, v in by_day(department).items()}
    assert shift[d("2026-10-01")].leader == named
    for n in (2, 3, 4):
        assert away not in selectors.officers_of(shift[datetime.date(2026, 10, n)])
    # Four officers over nine shifts of 2-3: the one on leave still serves outside it.
    assert any(away in selectors.officers_of(s) for s in shift.values())


def test_twelve_hour_and_weekly_patterns(department, make_department, team, make_person, autumn_2026):
    rotation = make_rotation(department, team, shift_hours=12, officers_per_shift=2)
    services.generate_roster(rotation, d("2026-12-07"), d("2026-12-08"))
    shifts = list(Shift.objects.filter(duty_room=department).order_by("starts_at"))
    assert len(shifts) == 4
    assert [timezone.localtime(s.starts_at, TZ).hour for s in shifts] == [8, 20, 8, 20]

    other = make_department("消防值班室")
    weekly_team = {
        "leaders": [make_person("duty_leader") for _ in range(2)],
        "holiday_leader": make_person("leader"),
        "officers": [make_person("duty_officer") for _ in range(4)],
    }
    weekly = make_rotation(other, weekly_team, pattern="weekly")
    weekly.holiday_leaders = []
    weekly.save()
    services.generate_roster(weekly, d("2026-12-07"), d("2026-12-20"))  # two Monday-started weeks
    week = list(Shift.objects.filter(duty_room=other).order_by("starts_at"))
    assert len(week) == 14
    crews = [tuple(p.pk for p in s.officers.all()) for s in week]
    assert len(set(crews[:7])) == 1 and len(set(crews[7:])) == 1 and crews[0] != crews[7]


def test_24_48_needs_three_crews(client_for, department, team, make_person, autumn_2026):
    writer = make_person("duty_leader")
    body = {
        "duty_room": department.pk,
        "name": "值24休48",
        "pattern": "24_48",
        "officers_per_shift": 2,
        "leaders": [p.pk for p in team["leaders"]],
        "officers": [p.pk for p in team["officers"]],
    }
    r = client_for(writer).post("/api/v1/rotations/", body, format="json")
    assert r.status_code == 400 and "6" in r.json()["officers"][0]
    r = client_for(writer).post("/api/v1/rotations/", {**body, "officers_per_shift": 1}, format="json")
    assert r.status_code == 201, r.content
    r = client_for(writer).post(
        f"/api/v1/rotations/{r.json()['id']}/generate/", {"from": "2026-12-01", "to": "2026-12-06"}, format="json"
    )
    assert r.status_code == 201 and r.json()["created"] == 6
    # Everyone gets 48 h off between their 24 h shifts.
    seen = {}
    for s in Shift.objects.filter(duty_room=department).order_by("starts_at"):
        for p in s.officers.all():
            if p.pk in seen:
                assert s.starts_at - seen[p.pk] >= datetime.timedelta(hours=48)
            seen[p.pk] = s.ends_at
    r = client_for(writer).post("/api/v1/rotations/", {**body, "officers": [999999]}, format="json")
    assert r.status_code == 400
    r = client_for(writer).post("/api/v1/rotations/1/generate/", {"from": "bad"}, format="json")
    assert r.status_code in (400, 404)


def test_regeneration_keeps_swapped_and_checked_in_shifts(department, team, make_person):
    today = timezone.localdate()
    first, last = today + datetime.timedelta(days=2), today + datetime.timedelta(days=8)
    rotation = make_rotation(department, team)
    services.generate_roster(rotation, first, last)
    shifts = list(Shift.objects.filter(duty_room=department).order_by("starts_at"))
    assert len(shifts) == 7
    hand_edited = shifts[1]
    stranger = make_person("duty_officer", full_name="临时顶班")
    services.update_shift(hand_edited, {"officers": [stranger]})
    checked = shifts[3]
    person = selectors.officers_of(checked)[0]
    services.check_in(checked, person, at=checked.starts_at - datetime.timedelta(minutes=30))

    # The rotation changes (different officer order) and is regenerated.
    rotation.officers = list(reversed(rotation.officers))
    rotation.save()
    result = services.generate_roster(rotation, first, last)
    assert result == {"created": 5, "removed": 5, "kept": 2}
    after = list(Shift.objects.filter(duty_room=department).order_by("starts_at"))
    assert len(after) == 7
    assert Shift.objects.filter(pk=hand_edited.pk).exists()
    assert selectors.officers_of(selectors.shifts_with_people().get(pk=hand_edited.pk)) == [stranger]
    assert Shift.objects.filter(pk=checked.pk).exists()
    # The stranger was not double-booked by the regeneration and no slot overlaps another.
    for a, b in zip(after, after[1:], strict=False):
        assert a.ends_at <= b.starts_at


def test_coverage_flags_gaps_understaffing_missing_leader_and_overtime(
    client_for, department, team, officer, autumn_2026
):
    DutyRule.objects.create(duty_room=None, min_officers=2, max_consecutive_hours=24)
    start = datetime.datetime(2026, 12, 1, 8, 30, tzinfo=TZ)
    a, b = team["officers"][:2]
    services.create_shift(
        duty_room=department,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=24),
        leader=team["leaders"][0],
        officers=[a, b],
    )
    services.create_shift(
        duty_room=department,
        starts_at=start + datetime.timedelta(hours=24),
        ends_at=start + datetime.timedelta(hours=48),
        officers=[a],
    )
    r = client_for(officer).get(
        "/api/v1/duty/coverage/",
        {
            "department": department.pk,
            "from": start.isoformat(),
            "to": (start + datetime.timedelta(hours=72)).isoformat(),
        },
    )
    assert r.status_code == 200
    kinds = [i["kind"] for i in r.json()["results"]]
    assert "gap" in kinds and "understaffed" in kinds and "no_leader" in kinds and "over_hours" in kinds
    over = next(i for i in r.json()["results"] if i["kind"] == "over_hours")
    assert over["person"] == a.pk and "48" in over["detail"]
    gap = next(i for i in r.json()["results"] if i["kind"] == "gap")
    assert gap["starts_at"].startswith("2026-12-03T08:30")
    r = client_for(officer).get("/api/v1/duty/coverage/", {"from": "nope"})
    assert r.status_code == 400


def test_generation_keeps_people_within_the_consecutive_hours_limit(department, team, autumn_2026):
    """Weekday and rest-day leader lists share people: the generator still gives
    nobody two back-to-back 24 h shifts while someone else is free."""
    rotation = make_rotation(department, team)
    rotation.holiday_leaders = [team["leaders"][1].pk, team["holiday_leader"].pk, team["leaders"][0].pk]
    rotation.save()
    services.generate_roster(rotation, d("2026-12-04"), d("2026-12-20"))
    shifts = list(Shift.objects.filter(duty_room=department).order_by("starts_at"))
    for prev, cur in zip(shifts, shifts[1:], strict=False):
        assert prev.leader_id != cur.leader_id, f"{cur} leader twice in a row"
    first, last = shifts[0].starts_at, shifts[-1].ends_at
    assert not [i for i in selectors.coverage(department.pk, first, last) if i["kind"] == "over_hours"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    pattern=st.sampled_from(["daily", "24_48", "weekly", "custom"]),
    hours=st.sampled_from([6, 8, 12, 24, 48]),
    n_officers=st.integers(3, 7),
    per_shift=st.integers(1, 2),
    start_offset=st.integers(0, 400),
    days=st.integers(1, 20),
    leave=st.tuples(st.integers(0, 6), st.integers(0, 25), st.integers(0, 6)),
    busy_other=st.booleans(),
)
def test_generated_rosters_never_double_book_or_use_people_on_leave(
    make_department, make_person, pattern, hours, n_officers, per_shift, start_offset, days, leave, busy_other
):
    """Whatever the pattern, period, leave and other rooms' rosters: no overlap in
    the room, nobody in two places at once, nobody on duty during their leave."""
    room = make_department()
    officers = [make_person("duty_officer") for _ in range(n_officers)]
    leaders = [make_person("duty_leader") for _ in range(2)]
    first = timezone.localdate() + datetime.timedelta(days=start_offset)  # ahead of now
    last = first + datetime.timedelta(days=days - 1)
    who, leave_from, leave_len = leave
    away = officers[who % n_officers]
    leave_start = first + datetime.timedelta(days=leave_from % days)
    Leave.objects.create(person=away, starts_on=leave_start, ends_on=leave_start + datetime.timedelta(days=leave_len))
    if busy_other:  # someone already booked elsewhere in the middle of the period
        services.create_shift(
            duty_room=make_department(),
            starts_at=datetime.datetime.combine(first, datetime.time(20), TZ),
            ends_at=datetime.datetime.combine(first, datetime.time(20), TZ) + datetime.timedelta(hours=30),
            officers=[officers[0]],
            leader=leaders[0],
        )
    rotation = Rotation.objects.create(
        duty_room=room,
        name="随机",
        pattern=pattern if not (pattern == "24_48" and n_officers < 3 * per_shift) else "daily",
        shift_hours=hours if pattern in ("daily", "custom") and (24 % hours == 0 or hours % 24 == 0) else 24,
        shifts_per_turn=2,
        officers_per_shift=per_shift,
        leaders=[p.pk for p in leaders],
        officers=[p.pk for p in officers],
    )
    services.generate_roster(rotation, first, last)
    mine = list(
        selectors.shifts_between(
            datetime.datetime(2000, 1, 1, tzinfo=TZ), datetime.datetime(2100, 1, 1, tzinfo=TZ), duty_room_id=room.pk
        )
    )
    assert mine
    for a, b in zip(mine, mine[1:], strict=False):
        assert a.ends_at <= b.starts_at
    everyone = {p.pk for p in [*officers, *leaders]}
    spans = {}
    for s in Shift.objects.prefetch_related("officer_links"):
        for pid in [s.leader_id, *(link.person_id for link in s.officer_links.all())]:
            if pid in everyone:
                spans.setdefault(pid, []).append((s.starts_at, s.ends_at))
    for items in spans.values():
        items.sort()
        for (_s1, e1), (s2, _e2) in zip(items, items[1:], strict=False):
            assert e1 <= s2
    lv = Leave.objects.get(person=away)
    for s in mine:
        if away in selectors.officers_of(s):
            assert not (lv.starts_on <= selectors.local_day_of(s) <= lv.ends_on)
