"""续报/终报 open from an incident (the incident and kind set and shown), the duplicates
flagged at intake kept on the incident, and an instruction's responsible department."""

import pytest
from django.test import Client

from alerts.models import SupervisionCase
from board import selectors as board_selectors
from incidents.models import Incident
from incidents.seed import seed_reference_data
from incidents.services import intake


@pytest.fixture
def page_for():
    def make(person):
        client = Client()
        client.force_login(person)
        return client

    return make


def test_the_follow_up_form_names_the_incident_and_never_opens_a_new_one(page_for, officer, client_for):
    incident = Incident.objects.create(title="东江溃堤", category="natural_disaster")
    page = page_for(officer).get(f"/incidents/intake/?incident={incident.pk}&kind=follow_up").content.decode()
    assert f"本报告补充到事件 #{incident.pk}" in page and "东江溃堤" in page
    assert f'name="incident" type="number" min="1" value="{incident.pk}" readonly' in page
    assert '<option value="follow_up" selected>' in page and 'value="first"' not in page
    final = page_for(officer).get(f"/incidents/intake/?incident={incident.pk}&kind=final").content.decode()
    assert '<option value="final" selected>' in final
    fresh = page_for(officer).get("/incidents/intake/").content.decode()
    assert '<option value="first"' in fresh and "本报告补充到事件" not in fresh
    # What the form then posts joins the incident.
    r = client_for(officer).post(
        "/api/v1/reports/", {"kind": "follow_up", "incident": incident.pk, "description": "水位回落"}, format="json"
    )
    assert r.status_code == 201 and r.json()["incident"] == incident.pk and Incident.objects.count() == 1


def test_the_follow_up_form_of_an_incident_one_may_not_see_is_a_404(page_for, make_person, make_department):
    incident = Incident.objects.create(title="东江溃堤", category="natural_disaster")
    outsider = make_person("liaison", dept=make_department("外单位"))
    assert page_for(outsider).get(f"/incidents/intake/?incident={incident.pk}").status_code == 404


def test_a_flagged_duplicate_is_kept_and_offered_on_the_page_and_the_board(page_for, officer):
    seed_reference_data()
    call = {"channel": "phone", "kind": "first", "category": "accident_disaster", "latitude": 28.2, "longitude": 112.96}
    _, first, _ = intake({**call, "title": "桃子湖路燃气泄漏", "location_text": "桃子湖路 12 号"}, officer)
    _, second, dups = intake({**call, "title": "桃子湖路小区燃气泄漏", "location_text": "桃子湖路 12 号"}, officer)
    assert dups == [first.pk]
    second.refresh_from_db()
    assert second.possible_duplicates == [first.pk]
    page = page_for(officer).get(f"/incidents/{second.pk}/").content.decode()
    assert f'data-into="{first.pk}"' in page and f"合并到 #{first.pk}" in page
    rows = {r["id"]: r for r in board_selectors.active_incidents(officer)}
    assert rows[second.pk]["possible_duplicates"] == [first.pk]


def test_an_instruction_goes_to_the_responsible_department_the_leader_names(
    client_for, make_person, make_department, department
):
    water = make_department("水利局", parent=department)
    fire = make_department("消防救援支队", parent=department)
    incident = Incident.objects.create(title="临江河水位超警戒", category="natural_disaster")
    leader = client_for(make_person("leader"))
    r = leader.post(
        f"/api/v1/incidents/{incident.pk}/instructions/",
        {"text": "请消防救援支队全力搜救", "departments": [fire.pk]},
        format="json",
    )
    assert r.status_code == 201, r.content
    case = SupervisionCase.objects.get(instruction_id=r.json()["id"])
    assert list(case.departments.all()) == [fire] and case.state == "assigned"
    assert water not in case.departments.all()
    bad = leader.post(
        f"/api/v1/incidents/{incident.pk}/instructions/", {"text": "x", "departments": [999999]}, format="json"
    )
    assert bad.status_code == 400 and "departments" in bad.json()
