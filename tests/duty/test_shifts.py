"""Shifts (CONTRACT `shifts/`) and who is on duty now (`duty/now/`)."""

import datetime
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from duty import selectors, services
from duty.models import Shift
from realtime.models import Event

TZ = ZoneInfo("Asia/Shanghai")
# Tomorrow's 08:30 handover, from the real clock: every shift here lies ahead,
# so none has ended (an ended shift may no longer be edited) on any test date.
T0 = (timezone.localtime(timezone.now(), TZ) + datetime.timedelta(days=1)).replace(
    hour=8, minute=30, second=0, microsecond=0
)


def at(hours):
    return T0 + datetime.timedelta(hours=hours)


@pytest.fixture
def crew(make_person):
    return {
        "leader": make_person("duty_leader", full_name="陈带班"),
        "a": make_person("duty_officer", full_name="张值班"),
        "b": make_person("duty_officer", full_name="李值班"),
        "c": make_person("duty_officer", full_name="王值班"),
    }


@pytest.fixture
def writer(make_person):
    return make_person("duty_leader", full_name="排班领导")


def post_shift(client, room, start, end, leader=None, officers=()):
    return client.post(
        "/api/v1/shifts/",
        {
            "duty_room": room.pk,
            "starts_at": start.isoformat(),
            "ends_at": end.isoformat(),
            "leader": leader.pk if leader else None,
            "officers": [p.pk for p in officers],
        },
        format="json",
    )


def test_create_shift_returns_contract_fields_and_emits_shift_changed(client_for, writer, department, crew):
    r = post_shift(client_for(writer), department, at(0), at(24), crew["leader"], [crew["a"], crew["b"]])
    assert r.status_code == 201, r.content
    body = r.json()
    assert {"id", "duty_room", "starts_at", "ends_at", "leader", "officers"} <= set(body)
    assert body["duty_room"] == department.pk
    assert body["leader"] == crew["leader"].pk
    assert body["officers"] == [crew["a"].pk, crew["b"].pk]
    assert body["starts_at"].endswith("+08:00")
    event = Event.objects.filter(type="shift.changed").latest("seq")
    assert event.data["id"] == body["id"] and event.data["action"] == "created"
    assert "陈带班" in event.summary
    assert list(event.audience.values_list("department_id", flat=True)) == [department.pk]


def test_overlapping_shift_in_same_room_refused_with_clear_400(client_for, writer, department, crew):
    client = client_for(writer)
    assert post_shift(client, department, at(0), at(24), crew["leader"], [crew["a"]]).status_code == 201
    r = post_shift(client, department, at(12), at(36), None, [crew["b"]])
    assert r.status_code == 400
    assert "重叠" in r.json()["starts_at"][0]
    # Back-to-back is fine: shifts are half-open intervals.
    assert post_shift(client, department, at(24), at(48), None, [crew["b"]]).status_code == 201
    assert Shift.objects.count() == 2


def test_person_never_on_two_rooms_at_once(client_for, writer, department, make_department, crew):
    other = make_department("应急局值班室")
    client = client_for(writer)
    assert post_shift(client, department, at(0), at(24), crew["leader"], [crew["a"]]).status_code == 201
    r = post_shift(client, other, at(6), at(18), None, [crew["a"], crew["b"]])
    assert r.status_code == 400
    assert "张值班" in r.json()["officers"][0] and "两处" in r.json()["officers"][0]
    # Leader double-booked as an officer elsewhere is refused too.
    r = post_shift(client, other, at(6), at(18), None, [crew["leader"]])
    assert r.status_code == 400 and "陈带班" in r.json()["officers"][0]
    assert not Shift.objects.filter(duty_room=other).exists()


def test_bad_input_gives_400_never_500(client_for, writer, department, crew):
    client = client_for(writer)
    r = post_shift(client, department, at(5), at(1), None, [crew["a"]])
    assert r.status_code == 400 and "ends_at" in r.json()
    r = post_shift(client, department, at(0), at(5), crew["a"], [crew["a"]])
    assert r.status_code == 400 and "leader" in r.json()
    r = client.post("/api/v1/shifts/", {"duty_room": department.pk}, format="json")
    assert r.status_code == 400
    r = client.post("/api/v1/shifts/", {"duty_room": 99999, "starts_at": "x", "ends_at": "y"}, format="json")
    assert r.status_code == 400


def test_only_roster_writers_may_change_shifts(client_for, officer, department, crew):
    r = post_shift(client_for(officer), department, at(0), at(24), None, [crew["a"]])
    assert r.status_code == 403
    assert client_for(officer).get("/api/v1/shifts/").status_code == 200


def test_patch_and_delete_shift(client_for, writer, department, crew):
    client = client_for(writer)
    sid = post_shift(client, department, at(0), at(24), crew["leader"], [crew["a"]]).json()["id"]
    r = client.patch(f"/api/v1/shifts/{sid}/", {"officers": [crew["b"].pk, crew["c"].pk]}, format="json")
    assert r.status_code == 200 and r.json()["officers"] == [crew["b"].pk, crew["c"].pk]
    assert Shift.objects.get(pk=sid).pinned
    assert client.delete(f"/api/v1/shifts/{sid}/").status_code == 204
    assert Event.objects.filter(type="shift.changed", data__action="deleted").exists()


def test_shift_with_checkin_cannot_be_deleted(client_for, writer, department, crew):
    shift = services.create_shift(
        duty_room=department, starts_at=at(0), ends_at=at(24), leader=crew["leader"], officers=[crew["a"]]
    )
    services.check_in(shift, crew["a"], at=at(0))
    r = client_for(writer).delete(f"/api/v1/shifts/{shift.pk}/")
    assert r.status_code == 409
    r = client_for(writer).patch(f"/api/v1/shifts/{shift.pk}/", {"starts_at": at(1).isoformat()}, format="json")
    assert r.status_code == 409


def test_duty_now(client_for, officer, department, crew):
    services.create_shift(
        duty_room=department, starts_at=at(0), ends_at=at(24), leader=crew["leader"], officers=[crew["a"], crew["b"]]
    )
    client = client_for(officer)
    r = client.get("/api/v1/duty/now/", {"department": department.pk, "at": at(3).isoformat()})
    assert r.status_code == 200
    body = r.json()
    assert set(body) == {"shift", "leader", "officers"}
    assert body["leader"]["id"] == crew["leader"].pk and body["leader"]["full_name"] == "陈带班"
    assert [o["id"] for o in body["officers"]] == [crew["a"].pk, crew["b"].pk]
    # End is exclusive; before start nobody.
    assert client.get("/api/v1/duty/now/", {"department": department.pk, "at": at(24).isoformat()}).status_code == 404
    assert client.get("/api/v1/duty/now/", {"department": department.pk, "at": at(-1).isoformat()}).status_code == 404
    # Naive times are read as Asia/Shanghai.
    r = client.get("/api/v1/duty/now/", {"department": department.pk, "at": at(0.5).replace(tzinfo=None).isoformat()})
    assert r.status_code == 200
    # `at` defaults to now, and this roster only begins tomorrow.
    r = client.get("/api/v1/duty/now/", {"department": department.pk})
    assert r.status_code == 404


@pytest.mark.parametrize(
    "params,field",
    [({"department": "abc"}, "department"), ({}, "department"), ({"department": "1", "at": "yesterday"}, "at")],
)
def test_duty_now_bad_input(client_for, officer, params, field):
    r = client_for(officer).get("/api/v1/duty/now/", params)
    assert r.status_code == 400 and field in r.json()


def test_on_duty_selector_is_one_query(department, crew, django_assert_max_num_queries):
    for day in range(5):
        services.create_shift(
            duty_room=department,
            starts_at=at(24 * day),
            ends_at=at(24 * day + 24),
            leader=crew["leader"],
            officers=[crew["a"], crew["b"]],
        )
    with django_assert_max_num_queries(1):
        on = selectors.on_duty(department.pk, at(50))
        names = [str(p) for p in on.officers] + [str(on.leader)]
        room = (on.shift.duty_room.name, on.shift.duty_room.kind, on.shift.duty_room.parent_id)
    assert on.shift.starts_at == at(48) and on.shift.ends_at == at(72)
    assert names == ["张值班", "李值班", "陈带班"]
    assert room == (department.name, department.kind, None)
    assert selectors.on_duty(department.pk, at(24 * 5)) is None
    assert selectors.on_duty(department.pk + 1000, at(50)) is None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    intervals=st.lists(st.tuples(st.integers(0, 96), st.integers(1, 30)), min_size=1, max_size=12),
    probes=st.lists(st.integers(-5, 130), min_size=1, max_size=10),
)
def test_roster_never_overlaps_and_duty_now_matches(department, crew, intervals, probes):
    """Whatever order shifts are attempted in, the stored roster never overlaps,
    and on_duty agrees with a brute-force scan at any instant."""
    from django.core.exceptions import ValidationError

    Shift.objects.all().delete()
    for start, length in intervals:
        try:
            services.create_shift(duty_room=department, starts_at=at(start), ends_at=at(start + length), officers=[])
        except ValidationError:
            pass
    stored = sorted(Shift.objects.values_list("starts_at", "ends_at", "pk"))
    for (_s1, e1, _), (s2, _e2, _) in zip(stored, stored[1:], strict=False):
        assert e1 <= s2
    for p in probes:
        t = at(p)
        expected = [pk for s, e, pk in stored if s <= t < e]
        on = selectors.on_duty(department.pk, t)
        assert (on.shift.pk if on else None) == (expected[0] if expected else None)


def test_duty_now_payload_equals_serializer_output(client_for, officer, department, crew):
    """duty/now builds its JSON by hand for speed: it must stay what the serializer would say."""
    from duty.serializers import OnDutySerializer

    services.create_shift(
        duty_room=department, starts_at=at(0), ends_at=at(24), leader=crew["leader"], officers=[crew["a"], crew["b"]]
    )
    r = client_for(officer).get("/api/v1/duty/now/", {"department": department.pk, "at": at(1).isoformat()})
    on = selectors.on_duty(department.pk, at(1))
    on.shift = selectors.shifts_with_people().get(pk=on.shift.pk)
    assert r.json() == dict(OnDutySerializer(on).data)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_overlapping_writes_one_wins(department, make_department, crew):
    """Two requests racing to book the same room, or the same person in two rooms:
    row locks make exactly one of them win."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connection

    other = make_department("另一值班室")
    barrier = threading.Barrier(4)
    outcomes = []

    def book(room, officers, offset):
        try:
            barrier.wait()
            services.create_shift(duty_room=room, starts_at=at(offset), ends_at=at(offset + 24), officers=officers)
            outcomes.append(("ok", room.pk))
        except ValidationError:
            outcomes.append(("refused", room.pk))
        finally:
            connection.close()

    threads = [
        threading.Thread(target=book, args=(department, [crew["a"]], 0)),
        threading.Thread(target=book, args=(department, [crew["b"]], 6)),
        threading.Thread(target=book, args=(other, [crew["c"]], 100)),
        threading.Thread(target=book, args=(other, [crew["c"]], 110)),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert sorted(outcomes) == sorted(
        [("ok", department.pk), ("refused", department.pk), ("ok", other.pk), ("refused", other.pk)]
    )
    assert Shift.objects.filter(duty_room=department).count() == 1
    assert Shift.objects.filter(duty_room=other).count() == 1
