"""Reports from everyone in scope (issue 19): a department's or district's duty room and a
liaison file reports within their scope (CONTRACT.md "Roles and scope"); each lands in
the office's one-door register marked with its source; nobody files outside their scope."""

import pytest

from incidents.models import Incident, Report
from realtime.models import Event


@pytest.fixture
def tree(department, make_department):
    """The office at the top; two districts (one with a township), two departments."""
    frq = make_department("芙蓉区值班室", kind="district", parent=department)
    return {
        "office": department,
        "frq": frq,
        "frq_town": make_department("东屯渡街道", kind="township", parent=frq),
        "ylq": make_department("岳麓区值班室", kind="district", parent=department),
        "water": make_department("市水利局", parent=department),
        "fire": make_department("市消防救援支队", parent=department),
    }


@pytest.fixture
def people(tree, make_person):
    return {
        "office": make_person("duty_officer"),
        "frq_officer": make_person("duty_officer", dept=tree["frq"]),
        "frq_leader": make_person("duty_leader", dept=tree["frq"]),
        "ylq_officer": make_person("duty_officer", dept=tree["ylq"]),
        "water_liaison": make_person("liaison", dept=tree["water"]),
        "leader": make_person("leader"),
        "board": make_person("board"),
    }


def first_report(**extra):
    return {
        "category": "accident_disaster",
        "title": "东屯渡路口两车相撞",
        "description": "东屯渡路口两车相撞，一人受伤。",
        "injuries": 1,
        **extra,
    }


def test_a_district_duty_room_and_a_liaison_file_into_the_offices_register(tree, people, client_for):
    by_district = client_for(people["frq_officer"]).post("/api/v1/reports/", first_report(), format="json")
    assert by_district.status_code == 201, by_district.content
    assert by_district.json()["source"] == "芙蓉区值班室"
    assert by_district.json()["source_department"] == tree["frq"].pk
    assert by_district.json()["channel"] == "lower_level"

    by_liaison = client_for(people["water_liaison"]).post(
        "/api/v1/reports/",
        first_report(category="natural_disaster", title="临江河水位超警戒", description="临江河水位超警戒0.5米。"),
        format="json",
    )
    assert by_liaison.status_code == 201, by_liaison.content
    assert (by_liaison.json()["source"], by_liaison.json()["channel"]) == ("市水利局", "department")

    # The office's one-door register has both, each marked with where it came from.
    register = client_for(people["office"]).get("/api/v1/reports/").json()["results"]
    marked = {row["id"]: (row["source"], row["source_department"]) for row in register}
    assert marked[by_district.json()["id"]] == ("芙蓉区值班室", tree["frq"].pk)
    assert marked[by_liaison.json()["id"]] == ("市水利局", tree["water"].pk)
    # The room that filed holds the incident; a liaison's department follows its own.
    assert Incident.objects.get(pk=by_district.json()["incident"]).duty_room == tree["frq"]
    mine = client_for(people["water_liaison"]).get(f"/api/v1/incidents/{by_liaison.json()['incident']}/")
    assert mine.status_code == 200
    lines = [e.data for e in Event.objects.filter(type="report.created").order_by("seq")]
    assert [line["source"] for line in lines] == ["芙蓉区值班室", "市水利局"]
    # The office's own reports carry no source: it is the office.
    own = client_for(people["office"]).post("/api/v1/reports/", first_report(title="另一起"), format="json").json()
    assert own["source"] == "" and own["source_department"] is None and own["channel"] == "phone"


def test_nobody_files_outside_their_scope(tree, people, client_for):
    ylq_incident = client_for(people["ylq_officer"]).post("/api/v1/reports/", first_report(), format="json").json()
    water_incident = client_for(people["water_liaison"]).post("/api/v1/reports/", first_report(), format="json").json()
    before = Report.objects.count()
    follow_up = {"kind": "follow_up", "description": "伤者已送医。"}

    # Another district's incident, or on behalf of a unit outside one's subtree: 403.
    frq = client_for(people["frq_officer"])
    assert (
        frq.post("/api/v1/reports/", {**follow_up, "incident": ylq_incident["incident"]}, format="json").status_code
        == 403
    )
    assert (
        frq.post("/api/v1/reports/", first_report(source_department=tree["ylq"].pk), format="json").status_code == 403
    )
    assert (
        frq.post("/api/v1/reports/", first_report(source_department=tree["office"].pk), format="json").status_code
        == 403
    )
    # A liaison: only its own department's.
    liaison = client_for(people["water_liaison"])
    assert (
        liaison.post("/api/v1/reports/", {**follow_up, "incident": ylq_incident["incident"]}, format="json").status_code
        == 403
    )
    assert (
        liaison.post("/api/v1/reports/", first_report(source_department=tree["fire"].pk), format="json").status_code
        == 403
    )
    # Leaders and the wall board file nothing.
    for who in ("leader", "board"):
        assert client_for(people[who]).post("/api/v1/reports/", first_report(), format="json").status_code == 403
    assert Report.objects.count() == before

    # Within scope: a follow-up on its own incident; a report for its township.
    own = liaison.post("/api/v1/reports/", {**follow_up, "incident": water_incident["incident"]}, format="json")
    assert own.status_code == 201 and own.json()["source"] == "市水利局"
    town = frq.post("/api/v1/reports/", first_report(source_department=tree["frq_town"].pk), format="json")
    assert town.status_code == 201, town.content
    assert (town.json()["source"], town.json()["channel"]) == ("东屯渡街道", "lower_level")
    # The office files for anyone: a department's special report registered by phone.
    office = client_for(people["office"])
    for_water = office.post(
        "/api/v1/reports/",
        {**follow_up, "incident": ylq_incident["incident"], "source_department": tree["water"].pk},
        format="json",
    )
    assert for_water.status_code == 201 and for_water.json()["source"] == "市水利局"
    assert for_water.json()["channel"] == "department"
