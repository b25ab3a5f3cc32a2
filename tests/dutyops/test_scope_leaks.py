"""Leaks between departments the audit of issue 16 found after the policy landed: each
test asks what a liaison, and a bureau's duty leader, get back about another department,
and what the general duty office gets (CONTRACT.md "Roles and scope")."""

import datetime

import pytest
from django.utils import timezone

from duty import services as duty_services
from duty.models import Rotation
from incidents.models import Incident


@pytest.fixture
def rooms(make_department, department):
    """The general duty office (`department`) with the water bureau and the fire brigade below it."""
    return {
        "office": department,
        "water": make_department("水利局", parent=department),
        "fire": make_department("消防救援支队", parent=department),
    }


@pytest.fixture
def people(make_person, rooms):
    return {
        "office": make_person("duty_officer"),
        "liaison": make_person("liaison", dept=rooms["water"]),
        "room_leader": make_person("duty_leader", dept=rooms["water"]),
        "fire_officer": make_person("duty_officer", dept=rooms["fire"], full_name="消防值班员"),
        "water_officer": make_person("duty_officer", dept=rooms["water"], full_name="水利值班员"),
    }


# --- 1. rosters: rotations/ and duty/now/ ----------------------------------------------------


def _rotation(room, person):
    return Rotation.objects.create(duty_room=room, name=f"{room.name}轮班", officers=[person.pk], officers_per_shift=1)


def test_rotations_are_listed_and_opened_only_for_ones_own_rooms(client_for, rooms, people):
    water = _rotation(rooms["water"], people["water_officer"])
    fire = _rotation(rooms["fire"], people["fire_officer"])
    for role in ("liaison", "room_leader"):
        client = client_for(people[role])
        listed = [r["id"] for r in client.get("/api/v1/rotations/").json()["results"]]
        assert listed == [water.pk], role
        assert client.get(f"/api/v1/rotations/{water.pk}/").json()["officers"] == [people["water_officer"].pk]
        assert client.get(f"/api/v1/rotations/{fire.pk}/").status_code == 404, role
    # Another room's rotation cannot be regenerated or changed either (it is not found).
    r = client_for(people["room_leader"]).post(
        f"/api/v1/rotations/{fire.pk}/generate/",
        {
            "from": str(timezone.localdate() + datetime.timedelta(days=1)),
            "to": str(timezone.localdate() + datetime.timedelta(days=2)),
        },
        format="json",
    )
    assert r.status_code == 404
    office = client_for(people["office"])
    assert {r["id"] for r in office.get("/api/v1/rotations/").json()["results"]} == {water.pk, fire.pk}
    assert office.get(f"/api/v1/rotations/{fire.pk}/").status_code == 200


def _on_now(room, person):
    now = timezone.now()
    duty_services.create_shift(
        duty_room=room,
        starts_at=now - datetime.timedelta(hours=1),
        ends_at=now + datetime.timedelta(hours=5),
        officers=[person],
    )


def test_who_is_on_duty_in_another_room_is_that_rooms_roster(client_for, rooms, people):
    """duty/now names the people on shift (and their phones): a roster, read within one's scope.
    Whom to call in another department is its duty phone in `departments/`, open to all."""
    _on_now(rooms["water"], people["water_officer"])
    _on_now(rooms["fire"], people["fire_officer"])
    for role in ("liaison", "room_leader"):
        client = client_for(people[role])
        own = client.get("/api/v1/duty/now/", {"department": rooms["water"].pk})
        assert own.status_code == 200 and own.json()["officers"][0]["full_name"] == "水利值班员"
        other = client.get("/api/v1/duty/now/", {"department": rooms["fire"].pk})
        assert other.status_code == 403, role
        assert "消防值班员" not in other.content.decode()
        assert client.get(f"/api/v1/departments/{rooms['fire'].pk}/").status_code == 200  # its phone: the directory
    r = client_for(people["office"]).get("/api/v1/duty/now/", {"department": rooms["fire"].pk})
    assert r.status_code == 200 and r.json()["officers"][0]["full_name"] == "消防值班员"


# --- 5. search, statistics and their export ---------------------------------------------------


@pytest.fixture
def two_rooms_incidents(rooms, people):
    """An incident the water bureau registered and one the fire brigade did, today."""
    now = timezone.now()
    common = {"category": "accident_disaster", "reported_at": now, "grade": "IV"}
    return {
        "water": Incident.objects.create(
            title="滨江路水管爆裂", subtype="water_supply", district="岳麓区", duty_room=rooms["water"], **common
        ),
        "fire": Incident.objects.create(
            title="开福区仓库火灾", subtype="fire", district="开福区", duty_room=rooms["fire"], **common
        ),
    }


def test_search_finds_only_the_incidents_one_may_open(client_for, people, two_rooms_incidents):
    for role in ("liaison", "room_leader"):
        client = client_for(people[role])
        assert client.get("/api/v1/incidents/", {"q": "仓库火灾"}).json()["count"] == 0, role
        found = client.get("/api/v1/incidents/", {"q": "水管"}).json()["results"]
        assert [i["id"] for i in found] == [two_rooms_incidents["water"].pk]
        listed = client.get("/api/v1/incidents/").json()["results"]
        assert {i["id"] for i in listed} == {two_rooms_incidents["water"].pk}
    office = client_for(people["office"]).get("/api/v1/incidents/", {"q": "仓库火灾"}).json()["results"]
    assert [i["id"] for i in office] == [two_rooms_incidents["fire"].pk]


def test_the_incident_list_page_shows_only_the_incidents_one_may_open(client, people, two_rooms_incidents):
    for role in ("liaison", "room_leader"):
        client.force_login(people[role])
        page = client.get("/incidents/").content.decode()
        assert "滨江路水管爆裂" in page and "开福区仓库火灾" not in page, role
    client.force_login(people["office"])
    assert "开福区仓库火灾" in client.get("/incidents/").content.decode()


def test_statistics_and_their_export_count_only_the_incidents_one_may_open(client_for, people, two_rooms_incidents):
    import csv
    import io

    from openpyxl import load_workbook

    day = timezone.localdate(two_rooms_incidents["water"].reported_at).isoformat()
    period = {"period": "month", "date": day}
    for role in ("liaison", "room_leader"):
        client = client_for(people[role])
        figures = client.get("/api/v1/statistics/incidents/", period).json()
        assert figures["total"] == 1, role
        assert [r["key"] for r in figures["by_district"]] == ["岳麓区"]
        assert [r["key"] for r in figures["by_subtype"]] == ["water_supply"]
        exported = client.get("/api/v1/statistics/incidents/export/", {**period, "kind": "csv"})
        rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
        assert exported.status_code == 200 and not any("开福区" in cell for row in rows for cell in row)
        book = load_workbook(
            io.BytesIO(client.get("/api/v1/statistics/incidents/export/", {**period, "kind": "xlsx"}).content)
        )
        cells = [str(c.value) for sheet in book for row in sheet.iter_rows() for c in row]
        assert "岳麓区" in cells and "开福区" not in cells
    office = client_for(people["office"]).get("/api/v1/statistics/incidents/", period).json()
    assert office["total"] == 2 and {r["key"] for r in office["by_district"]} == {"岳麓区", "开福区"}


def test_the_board_snapshot_is_the_offices(client_for, people, two_rooms_incidents):
    for role in ("liaison", "room_leader"):
        assert client_for(people[role]).get("/api/v1/board/snapshot/").status_code == 403
    snapshot = client_for(people["office"]).get("/api/v1/board/snapshot/").content.decode()
    assert "开福区仓库火灾" in snapshot and "滨江路水管爆裂" in snapshot
