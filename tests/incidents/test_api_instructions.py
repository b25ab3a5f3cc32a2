"""Incidents through the API: leaders' instructions, the picture-changed signal,
classified deliveries, drills, a liaison's view, the paginated list."""

from django.utils import timezone

from incidents import selectors
from incidents.models import Report
from incidents.signals import instruction_created, picture_changed
from realtime.models import Event
from tests.incidents import api_steps
from tests.incidents.api_steps import post_report, transition

# The officer's API client without the gazetteer (api_steps), as these tests were written.
api = api_steps.api


# --- instructions, signals, classified, drills --------------------------------


def test_leaders_write_instructions_others_get_403(api, make_person, client_for):
    incident_id = post_report(api)["incident"]
    seen = []

    def receiver(sender, instruction, **kwargs):
        seen.append(instruction.pk)

    instruction_created.connect(receiver)
    try:
        for role in ("leader", "duty_leader"):
            leader = make_person(role)
            response = client_for(leader).post(
                f"/api/v1/incidents/{incident_id}/instructions/", {"text": "全力搜救，确保群众安全。"}, format="json"
            )
            assert response.status_code == 201, response.data
            assert response.data["author_name"] == str(leader)
    finally:
        instruction_created.disconnect(receiver)
    assert len(seen) == 2
    listed = api.get(f"/api/v1/incidents/{incident_id}/instructions/").json()
    assert [i["text"] for i in listed] == ["全力搜救，确保群众安全。"] * 2  # a plain list, not a page
    for role in ("duty_officer", "liaison", "admin"):
        assert (
            client_for(make_person(role))
            .post(f"/api/v1/incidents/{incident_id}/instructions/", {"text": "x"}, format="json")
            .status_code
            == 403
        )
    assert (
        client_for(make_person("leader"))
        .post(f"/api/v1/incidents/{incident_id}/instructions/", {"text": ""}, format="json")
        .status_code
        == 400
    )
    timeline = api.get(f"/api/v1/incidents/{incident_id}/").data["timeline"]
    instructions = [e for e in timeline if e["type"] == "instruction.created"]
    assert len(instructions) == 2 and "批示" in instructions[0]["data"]["summary"]
    assert {i["kind"] for i in selectors.open_items_for_handover()} >= {"incident", "instruction", "report_clock"}


def test_picture_changed_is_sent_on_create_and_on_change(api):
    seen = []

    def receiver(sender, incident, **kwargs):
        seen.append((incident.pk, incident.grade))

    picture_changed.connect(receiver)
    try:
        data = post_report(api)
        api.post("/api/v1/reports/", {"kind": "follow_up", "incident": data["incident"], "grade": "II"}, format="json")
        api.post("/api/v1/reports/", {"kind": "follow_up", "incident": data["incident"], "grade": "II"}, format="json")
    finally:
        picture_changed.disconnect(receiver)
    assert seen == [(data["incident"], "IV"), (data["incident"], "II")]


def test_classified_records_metadata_only(api):
    incident_id = post_report(api)["incident"]
    meta = {
        "incident": incident_id,
        "reference_number": "临密〔2026〕12号",
        "delivered_by": "机要员 刘",
        "recipient": "市委办公室",
        "delivered_at": timezone.now().isoformat(),
    }
    for content_key in ("content", "text", "description", "title", "attachment"):
        response = api.post("/api/v1/classified-deliveries/", {**meta, content_key: "绝密内容"}, format="json")
        assert response.status_code == 400 and content_key in response.data
    response = api.post("/api/v1/classified-deliveries/", meta, format="json")
    assert response.status_code == 201, response.data
    event = Event.objects.get(type="classified.delivered")
    assert "绝密内容" not in str(event.data) and event.data["reference_number"] == "临密〔2026〕12号"


def test_drills_are_marked_everywhere_and_excluded_from_statistics(api):
    post_report(api)
    drill = post_report(api, is_drill=True, title="演练：堤防管涌")
    stats = api.get("/api/v1/statistics/incidents/", {"period": "year"}).json()  # the one statistics (scoped)
    assert stats["total"] == 1
    events = Event.objects.filter(incident_id=drill["incident"], type__regex=r"^(incident|report)\.")
    assert events.count() == 2
    assert all(e.data["is_drill"] for e in events)
    assert all("演练" in e.summary for e in events)
    # A real follow-up cannot be filed on a drill.
    r = api.post(
        "/api/v1/reports/", {"kind": "follow_up", "incident": drill["incident"], "is_drill": False}, format="json"
    )
    assert r.status_code == 400 and "is_drill" in r.data
    r = api.post("/api/v1/reports/", {"kind": "follow_up", "incident": drill["incident"]}, format="json")
    assert r.status_code == 201 and Report.objects.get(pk=r.data["id"]).is_drill


def test_liaison_sees_only_its_departments_incidents(api, make_department, make_person, client_for):
    mine = post_report(api)["incident"]
    dept = make_department("水利局")
    transition(api, mine, "transferred", department=dept.pk, reason="移交")
    post_report(api, title="别的事件")
    liaison = client_for(make_person("liaison", dept=dept))
    listed = liaison.get("/api/v1/incidents/").data
    assert [i["id"] for i in listed["results"]] == [mine]


def test_list_is_paginated_and_bounded_in_queries(api, django_assert_max_num_queries):
    for n in range(5):
        post_report(api, title=f"事件{n}", latitude=28 + n, longitude=112)
    with django_assert_max_num_queries(12):
        response = api.get("/api/v1/incidents/")
    assert response.data["count"] == 5 and len(response.data["results"]) == 5
    # The list carries report ids (the detail has the full reports), as the schema says.
    row = response.json()["results"][0]
    assert row["reports"] and all(isinstance(r, int) for r in row["reports"])
    assert row["timeline"] == [] and row["instructions"] == []
    detail = api.get(f"/api/v1/incidents/{row['id']}/").json()
    assert [r["id"] for r in detail["reports"]] == row["reports"] and detail["timeline"]
