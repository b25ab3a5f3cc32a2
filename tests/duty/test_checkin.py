"""到岗/查岗: check-in, the missed check-in alert at start + grace (exactly once,
even with two workers), post checks, and absences that cannot be deleted."""

import datetime
import threading

import pytest
from django.db import connection
from django.utils import timezone

from duty import services
from duty.models import Absence, CheckIn, DutyRule
from dutyops.models import Timer
from dutyops.timers import fire_due
from realtime.models import Event


@pytest.fixture
def crew(make_person, department):
    return {
        "leader": make_person("duty_leader", full_name="陈带班"),
        "a": make_person("duty_officer", full_name="张值班"),
        "b": make_person("duty_officer", full_name="李值班"),
    }


def future_shift(department, crew, hours_ahead=3):
    start = (timezone.now() + datetime.timedelta(hours=hours_ahead)).replace(second=0, microsecond=0)
    return services.create_shift(
        duty_room=department,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=24),
        leader=crew["leader"],
        officers=[crew["a"], crew["b"]],
    )


def test_missed_checkin_alert_fires_at_the_right_minute(department, crew):
    shift = future_shift(department, crew)
    start = shift.starts_at
    services.check_in(shift, crew["a"], at=start + datetime.timedelta(minutes=5))

    fire_due(now=start + datetime.timedelta(minutes=14, seconds=59))
    assert not Absence.objects.exists()
    # The shift start itself is announced to the board.
    assert Event.objects.filter(type="shift.changed", data__action="started", data__id=shift.pk).exists()

    fire_due(now=start + datetime.timedelta(minutes=15))
    missed = Absence.objects.filter(shift=shift, kind="missed_checkin")
    assert sorted(a.person.full_name for a in missed) == ["李值班", "陈带班"]
    events = Event.objects.filter(type="absence.recorded")
    assert events.count() == 2
    e = events.filter(data__person=crew["b"].pk).get()
    assert "李值班" in e.summary and "未按时到岗" in e.summary
    assert e.data["leader"] == crew["leader"].pk
    assert department.pk in e.audience.values_list("department_id", flat=True)

    fire_due(now=start + datetime.timedelta(hours=2))
    assert Absence.objects.count() == 2 and Event.objects.filter(type="absence.recorded").count() == 2


def test_grace_is_configurable_and_moves_with_the_shift(client_for, department, crew, make_person):
    DutyRule.objects.create(duty_room=department, checkin_grace_minutes=30)
    shift = future_shift(department, crew)
    writer = make_person("duty_leader")
    later = shift.starts_at + datetime.timedelta(hours=1)
    r = client_for(writer).patch(
        f"/api/v1/shifts/{shift.pk}/",
        {"starts_at": later.isoformat(), "ends_at": (later + datetime.timedelta(hours=24)).isoformat()},
        format="json",
    )
    assert r.status_code == 200, r.content
    fire_due(now=later + datetime.timedelta(minutes=29))
    assert not Absence.objects.exists()
    fire_due(now=later + datetime.timedelta(minutes=30))
    assert Absence.objects.count() == 3


@pytest.mark.django_db(transaction=True)
def test_missed_checkin_recorded_exactly_once_with_two_workers(department, crew):
    shift = future_shift(department, crew)
    when = shift.starts_at + datetime.timedelta(minutes=20)
    barrier = threading.Barrier(2)
    fired, errors = [], []

    def worker():
        try:
            barrier.wait()
            fired.append(fire_due(now=when))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert not errors
    assert sum(fired) == 2  # the check-in timer and the shift-start timer, each fired by one worker only
    assert Absence.objects.filter(shift=shift).count() == 3
    assert Event.objects.filter(type="absence.recorded").count() == 3
    assert Timer.objects.filter(key=f"shift:{shift.pk}", fired_at__isnull=False).count() == 2


def test_check_in_api(client_for, department, crew, make_person):
    now = timezone.now()
    shift = services.create_shift(
        duty_room=department,
        starts_at=now - datetime.timedelta(minutes=30),
        ends_at=now + datetime.timedelta(hours=23),
        leader=crew["leader"],
        officers=[crew["a"], crew["b"]],
    )
    r = client_for(crew["a"]).post(f"/api/v1/shifts/{shift.pk}/check-in/")
    assert r.status_code == 201 and r.json()["person"] == crew["a"].pk and r.json()["late"] is True
    again = client_for(crew["a"]).post(f"/api/v1/shifts/{shift.pk}/check-in/")
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    stranger = make_person("duty_officer")
    assert client_for(stranger).post(f"/api/v1/shifts/{shift.pk}/check-in/").status_code == 400
    assert CheckIn.objects.count() == 1
    assert Event.objects.filter(type="duty.checked_in").count() == 1

    later = future_shift(department, crew, hours_ahead=30)
    r = client_for(crew["b"]).post(f"/api/v1/shifts/{later.pk}/check-in/")
    assert r.status_code == 400  # more than an hour early


def test_post_check_records_absence_which_cannot_be_deleted(client_for, department, crew, make_person):
    now = timezone.now()
    shift = services.create_shift(
        duty_room=department,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=23),
        leader=crew["leader"],
        officers=[crew["a"], crew["b"]],
    )
    checker = make_person("leader", full_name="周市长")
    r = client_for(checker).post(
        f"/api/v1/shifts/{shift.pk}/post-checks/",
        {"person": crew["a"].pk, "answered": True, "method": "视频"},
        format="json",
    )
    assert r.status_code == 201
    r = client_for(checker).post(
        f"/api/v1/shifts/{shift.pk}/post-checks/",
        {"person": crew["b"].pk, "answered": False, "method": "电话", "note": "电话无人接听"},
        format="json",
    )
    assert r.status_code == 201
    absence = Absence.objects.get(kind="absent_from_post")
    assert absence.person == crew["b"] and absence.recorded_by == checker
    assert Event.objects.filter(type="absence.recorded", data__kind="absent_from_post").exists()
    # An officer may not run post checks.
    r = client_for(crew["a"]).post(
        f"/api/v1/shifts/{shift.pk}/post-checks/", {"person": crew["b"].pk, "answered": True}, format="json"
    )
    assert r.status_code == 403
    listing = client_for(checker).get("/api/v1/absences/")
    assert listing.status_code == 200 and listing.json()["count"] == 1
    assert client_for(checker).delete(f"/api/v1/absences/{absence.pk}/").status_code == 405
    assert client_for(checker).patch(f"/api/v1/absences/{absence.pk}/", {"note": "x"}).status_code == 405
