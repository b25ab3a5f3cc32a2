"""Alerts over HTTP: manual dispatch, who may see and act, sign-for (also 20 at once), feedback, close, return."""

import datetime as dt
import json
import threading
import urllib.error
import urllib.request

import pytest
from django.utils import timezone

from alerts import services
from alerts.models import Alert
from realtime.models import Event
from tests.conftest import token_for


@pytest.fixture
def fire(make_department, department):
    return make_department("消防救援支队", parent=department)


def dispatch(incident, dept, **kw):
    kw.setdefault("duty", "加强巡堤查险")
    return services.dispatch_alert(incident=incident, department=dept, ack_minutes=30, feedback_minutes=120, **kw)


def test_duty_officer_dispatches_manually(officer, client_for, incident, water):
    response = client_for(officer).post(
        "/api/v1/alerts/",
        {"incident": incident.pk, "department": water.pk, "duty": "派员巡查", "ack_minutes": 15},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["state"] == "sent" and body["department"] == water.pk and body["incident"] == incident.pk
    assert body["ack_due_at"].endswith("+08:00") and body["feedback_due_at"]
    assert Alert.objects.get(pk=body["id"]).source == "manual"


@pytest.mark.parametrize(
    "payload,field",
    [
        ({"department": "W", "duty": "x"}, "incident"),
        ({"incident": "I", "department": 999999, "duty": "x"}, "department"),
        ({"incident": "I", "department": "W", "duty": ""}, "duty"),
        ({"incident": "I", "department": "W", "duty": "x", "ack_minutes": 0}, "ack_minutes"),
        ({"incident": "I", "department": "W", "duty": "x", "feedback_minutes": "abc"}, "feedback_minutes"),
        (
            {"incident": "I", "department": "W", "duty": "x", "ack_minutes": 60, "feedback_minutes": 10},
            "feedback_minutes",
        ),
    ],
)
def test_bad_dispatch_is_400_with_the_field(officer, client_for, incident, water, payload, field):
    payload = {k: {"I": incident.pk, "W": water.pk}.get(v, v) for k, v in payload.items()}
    response = client_for(officer).post("/api/v1/alerts/", payload, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Alert.objects.exists()


def test_liaison_cannot_dispatch_and_sees_only_its_departments_alerts(make_person, client_for, incident, water, fire):
    liaison = make_person("liaison", dept=water)
    mine, theirs = dispatch(incident, water), dispatch(incident, fire)
    client = client_for(liaison)
    assert (
        client.post("/api/v1/alerts/", {"incident": incident.pk, "department": water.pk, "duty": "x"}).status_code
        == 403
    )
    assert [a["id"] for a in client.get("/api/v1/alerts/").json()["results"]] == [mine.pk]
    assert client.get(f"/api/v1/alerts/{theirs.pk}/").status_code == 404
    assert client.get(f"/api/v1/alerts/{mine.pk}/").json()["recipients"][0]["person"] == liaison.pk


def test_nobody_signs_or_feeds_back_for_another_department(make_person, client_for, incident, water, fire, officer):
    alert = dispatch(incident, water)
    other_liaison = make_person("liaison", dept=fire)
    for person in (other_liaison, officer):  # another department's liaison; the office's own officer
        client = client_for(person)
        assert client.post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 403
        assert client.post(f"/api/v1/alerts/{alert.pk}/feedback/", {"text": "x"}, format="json").status_code == 403
    alert.refresh_from_db()
    assert alert.state == "sent" and alert.acknowledged_at is None


def test_the_departments_officer_on_duty_may_sign_but_not_one_off_duty(make_person, client_for, incident, water):
    from duty.models import Shift, ShiftOfficer

    on, off = make_person("duty_officer", dept=water), make_person("duty_officer", dept=water)
    now = timezone.now()
    shift = Shift.objects.create(
        duty_room=water, starts_at=now - dt.timedelta(hours=1), ends_at=now + dt.timedelta(hours=7)
    )
    ShiftOfficer.objects.create(shift=shift, person=on)
    alert = dispatch(incident, water)
    assert client_for(off).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").status_code == 403
    response = client_for(on).post(f"/api/v1/alerts/{alert.pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["acknowledged_by"] == on.pk


def test_sign_for_twice_returns_the_first(make_person, client_for, incident, water):
    a, b = make_person("liaison", dept=water), make_person("liaison", dept=water)
    alert = dispatch(incident, water)
    first = client_for(a).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").json()
    second = client_for(b).post(f"/api/v1/alerts/{alert.pk}/acknowledge/").json()
    assert first["state"] == "acknowledged" and first["acknowledged_by"] == a.pk
    assert (second["acknowledged_at"], second["acknowledged_by"]) == (first["acknowledged_at"], a.pk)
    assert Event.objects.filter(type="alert.acknowledged").count() == 1


def test_feedback_flow_close_and_return(make_person, client_for, incident, water, officer):
    liaison = client_for(make_person("liaison", dept=water))
    office = client_for(officer)
    alert = dispatch(incident, water)
    url = f"/api/v1/alerts/{alert.pk}"
    assert liaison.post(f"{url}/feedback/", {"text": "已处置"}, format="json").status_code == 409  # sign first
    assert office.post(f"{url}/return/", {"reason": "补充"}, format="json").status_code == 409  # nothing fed back
    liaison.post(f"{url}/acknowledge/")
    assert liaison.post(f"{url}/feedback/", {"text": " "}, format="json").status_code == 400
    response = liaison.post(
        f"{url}/feedback/",
        {"text": "已派 3 组巡堤", "attachments": [{"name": "现场.jpg", "size": 2048}]},
        format="json",
    )
    assert response.status_code == 201 and response.json()["attachments"][0]["name"] == "现场.jpg"
    assert office.get(f"{url}/").json()["state"] == "fed_back"
    assert liaison.post(f"{url}/close/", {}, format="json").status_code == 403
    returned = office.post(f"{url}/return/", {"reason": "请补充受影响人数", "feedback_minutes": 60}, format="json")
    assert returned.status_code == 200 and returned.json()["state"] == "acknowledged"
    assert returned.json()["feedback_round"] == 2
    liaison.post(f"{url}/feedback/", {"text": "受影响 120 人，已转移"}, format="json")
    closed = office.post(f"{url}/close/", {"reason": "已落实"}, format="json")
    assert closed.status_code == 200 and closed.json()["state"] == "closed"
    assert office.post(f"{url}/close/", {}, format="json").status_code == 409
    assert liaison.post(f"{url}/feedback/", {"text": "再补充"}, format="json").status_code == 409
    detail = office.get(f"{url}/").json()
    assert [f["round"] for f in detail["feedback"]] == [1, 2]
    types = list(Event.objects.filter(incident_id=incident.pk).values_list("type", flat=True))
    assert types == [
        "alert.created",
        "alert.acknowledged",
        "alert.fed_back",
        "alert.returned",
        "alert.fed_back",
        "alert.closed",
    ]


def test_alerts_are_history_no_patch_or_delete(officer, client_for, incident, water):
    alert = dispatch(incident, water)
    client = client_for(officer)
    assert client.patch(f"/api/v1/alerts/{alert.pk}/", {"duty": "x"}, format="json").status_code == 405
    assert client.delete(f"/api/v1/alerts/{alert.pk}/").status_code == 405


def test_list_filters_and_bad_filters(officer, client_for, incident, water, fire):
    dispatch(incident, water)
    dispatch(incident, fire)
    client = client_for(officer)
    assert client.get(f"/api/v1/alerts/?department={fire.pk}").json()["count"] == 1
    assert client.get("/api/v1/alerts/?state=sent&open=1").json()["count"] == 2
    assert client.get("/api/v1/alerts/?state=nope").status_code == 400
    assert client.get("/api/v1/alerts/?department=abc").status_code == 400


def test_twenty_concurrent_sign_fors_record_exactly_one(servers, make_person, incident, water):
    """Real daphne, 20 parallel requests from 20 liaisons of the department: one acknowledgement."""
    liaisons = [make_person("liaison", dept=water) for _ in range(20)]
    alert = dispatch(incident, water)
    tokens = [token_for(p) for p in liaisons]
    server = servers.daphne()
    barrier = threading.Barrier(20)
    results = [None] * 20

    def sign(i):
        request = urllib.request.Request(
            f"{server.url}/api/v1/alerts/{alert.pk}/acknowledge/",
            method="POST",
            headers={"Authorization": f"Token {tokens[i]}"},
        )
        barrier.wait()
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                results[i] = (response.status, json.loads(response.read()))
        except urllib.error.HTTPError as exc:
            results[i] = (exc.code, exc.read())

    threads = [threading.Thread(target=sign, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert all(status == 200 for status, _ in results), results
    signers = {body["acknowledged_by"] for _, body in results}
    stamps = {body["acknowledged_at"] for _, body in results}
    assert len(signers) == 1 and len(stamps) == 1
    assert Event.objects.filter(type="alert.acknowledged", data__id=alert.pk).count() == 1
    alert.refresh_from_db()
    assert alert.acknowledged_by_id in {p.pk for p in liaisons}
