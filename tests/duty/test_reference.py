"""Duty reference data through the API: holiday calendar, rules, leaves, rotations."""

import datetime

import pytest
from django.utils import timezone

from duty import selectors
from duty.models import DutyRule, Holiday, Rotation
from realtime.models import Event


@pytest.fixture
def late_november_2026(time_machine):
    """The holidays (2027's 春节) and leaves (December 2026) here lie ahead of a clock
    standing on 20 November 2026, whatever the test date."""
    time_machine.move_to(datetime.datetime(2026, 11, 20, 10, 0, tzinfo=timezone.get_current_timezone()))


def test_holiday_calendar_is_admin_edited_data(client_for, admin_user, officer, late_november_2026):
    body = {"date": "2027-02-06", "kind": "holiday", "name": "春节", "extra_officers": 2}
    assert client_for(officer).post("/api/v1/holidays/", body, format="json").status_code == 403
    r = client_for(admin_user).post("/api/v1/holidays/", body, format="json")
    assert r.status_code == 201, r.content
    assert client_for(admin_user).post("/api/v1/holidays/", body, format="json").status_code == 400
    bad = client_for(admin_user).post("/api/v1/holidays/", {**body, "date": "2027-02-07", "kind": "x"}, format="json")
    assert bad.status_code == 400 and "kind" in bad.json()
    listing = client_for(officer).get("/api/v1/holidays/", {"year": 2027}).json()
    assert listing["count"] == 1 and listing["results"][0]["name"] == "春节"
    assert Event.objects.filter(type="holiday.created").exists()
    h = Holiday.objects.get()
    assert selectors.day_kind(h.date, {h.date: h}) == "holiday"
    assert selectors.day_kind(datetime.date(2027, 2, 13), {}) == "rest"


def test_rules_default_global_and_per_room(client_for, admin_user, department):
    assert selectors.rules_for(department.pk).min_officers == 2
    assert selectors.rules_for(department.pk).handover_time == datetime.time(8, 30)
    c = client_for(admin_user)
    r = c.post("/api/v1/duty-rules/", {"min_officers": 3, "checkin_grace_minutes": 10}, format="json")
    assert r.status_code == 201
    assert selectors.rules_for(department.pk).min_officers == 3
    assert c.post("/api/v1/duty-rules/", {"min_officers": 4}, format="json").status_code == 400
    r = c.post("/api/v1/duty-rules/", {"duty_room": department.pk, "min_officers": 1}, format="json")
    assert r.status_code == 201
    rules = selectors.rules_for(department.pk)
    assert rules.min_officers == 1 and rules.checkin_grace_minutes == 15  # the room's own row wins whole
    assert DutyRule.objects.count() == 2
    assert c.post("/api/v1/duty-rules/", {"min_officers": -1}, format="json").status_code == 400


def test_leaves_and_rotations(client_for, make_person, department, late_november_2026):
    writer = make_person("duty_leader")
    a = make_person("duty_officer")
    r = client_for(writer).post(
        "/api/v1/leaves/", {"person": a.pk, "starts_on": "2026-12-10", "ends_on": "2026-12-01"}, format="json"
    )
    assert r.status_code == 400 and "ends_on" in r.json()
    r = client_for(writer).post(
        "/api/v1/leaves/", {"person": a.pk, "starts_on": "2026-12-01", "ends_on": "2026-12-10"}, format="json"
    )
    assert r.status_code == 201
    assert client_for(a).get("/api/v1/leaves/").json()["count"] == 1
    r = client_for(writer).post(
        "/api/v1/rotations/",
        {"duty_room": department.pk, "name": "日常", "officers": [a.pk], "officers_per_shift": 1, "shift_hours": 7},
        format="json",
    )
    assert r.status_code == 400 and "shift_hours" in r.json()
    r = client_for(writer).post(
        "/api/v1/rotations/",
        {"duty_room": department.pk, "name": "日常", "officers": [a.pk, a.pk], "officers_per_shift": 1},
        format="json",
    )
    assert r.status_code == 400 and "officers" in r.json()
    r = client_for(writer).post(
        "/api/v1/rotations/",
        {"duty_room": department.pk, "name": "日常", "officers": [a.pk], "officers_per_shift": 1},
        format="json",
    )
    assert r.status_code == 201
    assert Rotation.objects.get().created_by == writer
