"""Duty admin (Chinese labels, history read-only) and the demo seed (idempotent)."""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from duty import seed as seed_duty
from duty import selectors
from duty.models import Absence, CheckIn, Holiday, Shift
from dutyops import seed
from dutyops.models import Department
from dutyops.timers import fire_due


@pytest.fixture
def late_november_2026(time_machine):
    """The seeded 2026 and 2027 holidays and the holiday added here are read under a clock
    standing on 20 November 2026 (the demo roster is built around it), whatever the test date."""
    time_machine.move_to(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=timezone.get_current_timezone()))


@pytest.fixture
def superuser(make_person):
    person = make_person("admin", is_staff=True, is_superuser=True)
    c = Client()
    c.force_login(person)
    return c


@pytest.mark.parametrize(
    "model",
    [
        "shift",
        "rotation",
        "holiday",
        "dutyrule",
        "leave",
        "swaprequest",
        "checkin",
        "absence",
        "postcheck",
        "handover",
        "dutylogentry",
        "calendarfeed",
    ],
)
def test_admin_changelists_render(superuser, model):
    r = superuser.get(f"/admin/duty/{model}/")
    assert r.status_code == 200


def test_admin_edits_holidays_but_not_history(late_november_2026, superuser):
    r = superuser.get("/admin/duty/holiday/add/")
    assert r.status_code == 200 and "调休上班" in r.content.decode()
    r = superuser.post(
        "/admin/duty/holiday/add/", {"date": "2026-12-31", "kind": "workday", "name": "测试", "extra_officers": 0}
    )
    assert r.status_code == 302 and Holiday.objects.filter(name="测试").exists()
    assert superuser.get("/admin/duty/absence/add/").status_code == 403


def test_demo_seed_is_idempotent_and_someone_is_on_duty_now(db, late_november_2026):
    seed.seed()
    seed_duty.seed()
    shifts, holidays = Shift.objects.count(), Holiday.objects.count()
    seed_duty.seed()
    assert Shift.objects.count() == shifts and Holiday.objects.count() == holidays
    assert Holiday.objects.filter(date__year=2026, kind="workday").count() == 6
    assert Holiday.objects.filter(date__year=2027).exists()
    office = Department.objects.get(code="LJ-ZBS")
    on = selectors.on_duty(office.pk)
    assert on is not None and on.leader is not None and len(on.officers) == 2
    for code in ("LJ-SWJ", "LJ-XFJY"):
        assert selectors.on_duty(Department.objects.get(code=code).pk) is not None
    # Past shifts were worked: starting the worker does not raise a week of absences.
    assert CheckIn.objects.exists()
    fire_due(now=timezone.now(), batch=10_000)
    assert Absence.objects.count() == 0


def test_demo_puts_the_first_printed_officer_on_now_not_checked_in(db):
    seed.seed()
    seed_duty.seed()
    first_officer = next(u for u, _p, name in seed.logins() if "值班员" in name)
    assert first_officer == "officer1"
    on = selectors.on_duty(Department.objects.get(code="LJ-ZBS").pk)
    assert first_officer in {p.username for p in on.officers}
    assert not CheckIn.objects.filter(shift=on.shift, person__username=first_officer).exists()
    # Everyone else on now has checked in.
    others = [p for p in selectors.people_on(on.shift) if p.username != first_officer]
    assert others and all(CheckIn.objects.filter(shift=on.shift, person=p).exists() for p in others)
    # The rotation keeps its rhythm: nobody over the consecutive-hours limit because of it.
    now = timezone.now()
    issues = selectors.coverage(
        on.shift.duty_room_id, now - datetime.timedelta(days=3), now + datetime.timedelta(days=7)
    )
    assert not [i for i in issues if i["kind"] == "over_hours"], issues
