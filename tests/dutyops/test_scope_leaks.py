"""Leaks between departments the audit of issue 16 found after the policy landed: each
test asks what a liaison, and a bureau's duty leader, get back about another department,
and what the general duty office gets (CONTRACT.md "Roles and scope")."""

import datetime

import pytest
from django.utils import timezone

from duty import services as duty_services
from duty.models import Rotation


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
        f"/api/v1/rotations/{fire.pk}/generate/", {"from": "2026-12-01", "to": "2026-12-02"}, format="json"
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
