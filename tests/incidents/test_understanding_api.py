"""Intake reads the words: the console's report without a subtype gets one inferred (or
suggested), a grade suggestion and a district; the officer confirms with one request;
who may confirm, and what is recorded."""

from datetime import timedelta

import pytest
from django.utils import timezone

from incidents.duplicates import CANDIDATES
from incidents.models import Incident, IncidentClock
from realtime.models import Event

WATERLOGGING = {
    "kind": "first",
    "channel": "phone",
    "category": "natural_disaster",
    "title": "城区多处积水，车辆被淹",
    "description": "五一广场附近多处积水，有车辆被淹，请求排涝。",
    "location_text": "五一广场",
}


def intake(api, **body):
    response = api.post("/api/v1/reports/", {**WATERLOGGING, **body}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


def test_a_report_without_subtype_gets_it_inferred_with_confidence_and_words(api):
    data = intake(api)
    u = data["understanding"]
    assert (u["subtype"], u["subtype_source"]) == ("flood", "inferred")
    assert u["subtype_suggestion"]["code"] == "flood" and u["subtype_suggestion"]["name"] == "水旱灾害（洪涝）"
    assert u["subtype_suggestion"]["confident"] and u["subtype_suggestion"]["confidence"] >= 0.6
    assert {"积水", "被淹"} <= set(u["subtype_suggestion"]["words"])
    assert u["grade"] is None and u["grade_suggestion"]["grade"] == "IV" and u["grade_suggestion"]["reasons"]
    assert u["district"] == "芙蓉区"
    incident = api.get(f"/api/v1/incidents/{data['incident']}/").json()
    assert incident["subtype"] == "flood" and incident["subtype_source"] == "inferred"
    assert incident["district"] == "芙蓉区" and incident["grade_source"] == ""
    created = next(e for e in incident["timeline"] if e["type"] == "incident.created")
    assert created["data"]["subtype_source"] == "inferred"


def test_weak_words_are_only_suggested_and_a_given_subtype_is_kept(api):
    weak = intake(api, title="河边水位有点高", description="请关注一下", location_text="")
    u = weak["understanding"]
    assert u["subtype_suggestion"]["code"] == "flood" and not u["subtype_suggestion"]["confident"]
    assert (u["subtype"], u["subtype_source"]) == ("", "")
    given = intake(api, subtype="meteorological", grade="III")
    u = given["understanding"]
    assert (u["subtype"], u["subtype_source"], u["grade_source"]) == ("meteorological", "reported", "reported")


def test_the_officer_confirms_the_suggestion_or_picks_another(api, officer):
    data = intake(api)
    url = f"/api/v1/incidents/{data['incident']}/"
    confirmed = api.post(url + "confirm-subtype/", {"subtype": "flood"}, format="json")
    assert confirmed.status_code == 200, confirmed.content
    assert (confirmed.json()["subtype"], confirmed.json()["subtype_source"]) == ("flood", "confirmed")
    # picking a subtype of another category moves the category with it
    moved = api.post(url + "confirm-subtype/", {"subtype": "traffic"}, format="json").json()
    assert (moved["category"], moved["subtype"], moved["subtype_source"]) == (
        "accident_disaster",
        "traffic",
        "confirmed",
    )
    events = Event.objects.filter(incident_id=data["incident"], type="incident.updated").order_by("seq")
    assert [e.data["confirmed"] for e in events] == ["subtype", "subtype"]
    assert "确认事件类型为" in events[0].summary and officer.full_name in events[0].summary
    assert events[1].data["changed"] == ["category", "subtype"]
    # a later report's words no longer move a confirmed subtype
    api.post(
        "/api/v1/reports/",
        {"kind": "follow_up", "incident": data["incident"], "channel": "phone", "description": "山体滑坡，泥石流"},
        format="json",
    )
    assert Incident.objects.get(pk=data["incident"]).subtype == "traffic"


def test_confirming_a_grade_starts_its_reporting_clocks(api):
    data = intake(api)
    incident_id = data["incident"]
    assert not IncidentClock.objects.filter(incident_id=incident_id, kind="phone").exists()
    body = api.post(f"/api/v1/incidents/{incident_id}/confirm-grade/", {"grade": "II"}, format="json").json()
    assert (body["grade"], body["grade_source"]) == ("II", "confirmed")
    phone = IncidentClock.objects.get(incident_id=incident_id, kind="phone")
    reported = Incident.objects.get(pk=incident_id).reported_at
    assert phone.due_at == reported + timedelta(minutes=30)


def test_bad_confirmations_are_400_and_a_merged_incident_409(api):
    data = intake(api)
    url = f"/api/v1/incidents/{data['incident']}/"
    assert api.post(url + "confirm-subtype/", {"subtype": "no_such_kind"}, format="json").status_code == 400
    assert api.post(url + "confirm-subtype/", {}, format="json").status_code == 400
    assert api.post(url + "confirm-grade/", {"grade": "V"}, format="json").status_code == 400
    other = intake(api, received_at=(timezone.now() - timedelta(minutes=1)).isoformat())
    api.post(f"/api/v1/incidents/{other['incident']}/merge/", {"into": data["incident"]}, format="json")
    merged = f"/api/v1/incidents/{other['incident']}/"
    assert api.post(merged + "confirm-subtype/", {"subtype": "flood"}, format="json").status_code == 409
    assert api.post(merged + "confirm-grade/", {"grade": "IV"}, format="json").status_code == 409


@pytest.mark.parametrize("role", ["liaison", "leader"])
def test_who_may_not_confirm(api, client_for, make_person, make_department, department, role):
    data = intake(api)
    url = f"/api/v1/incidents/{data['incident']}/confirm-subtype/"
    person = make_person(role, dept=department if role == "leader" else make_department("外区民政局"))
    response = client_for(person).post(url, {"subtype": "flood"}, format="json")
    assert response.status_code in (403, 404)
    assert Incident.objects.get(pk=data["incident"]).subtype_source == "inferred"


def test_another_rooms_officer_cannot_see_or_confirm(api, client_for, make_person, make_department):
    data = intake(api)
    room = make_department("某县值班室", kind="district")
    stranger = client_for(make_person("duty_officer", dept=room))
    # Another room's duty officer (issue 16): the office's incident is not its to see or steer.
    response = stranger.post(f"/api/v1/incidents/{data['incident']}/confirm-grade/", {"grade": "IV"}, format="json")
    assert stranger.get(f"/api/v1/incidents/{data['incident']}/").status_code == 404
    assert response.status_code == 404


def test_intake_reads_the_words_without_reading_the_reference_tables_each_time(api):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    intake(api)  # the caches fill
    with CaptureQueriesContext(connection) as ctx:
        intake(api, received_at=(timezone.now() - timedelta(minutes=1)).isoformat())
    sql = " ".join(q["sql"] for q in ctx.captured_queries)
    for table in ("incidents_lexiconterm", "incidents_graderule", "incidents_place", "incidents_subtype"):
        assert table not in sql
    duplicates = [
        q for q in ctx.captured_queries if "subtype_suggestion" in q["sql"] and f"LIMIT {CANDIDATES}" in q["sql"]
    ]
    assert len(duplicates) == 1, "one statement reads the duplicate candidates"
