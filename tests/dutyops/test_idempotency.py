"""Idempotency-Key on API POSTs (CONTRACT.md, "HTTP API"; dutyops/idempotency.py):
a repeat by the same caller within 24 h gets the first answer and creates nothing."""

import datetime
import json
import threading
import urllib.error
import urllib.request
import uuid
from types import SimpleNamespace

import pytest
from django.db import OperationalError
from django.test import RequestFactory
from django.utils import timezone
from rest_framework.authentication import BaseAuthentication
from rest_framework.test import APIClient
from rest_framework.views import APIView

from dutyops import idempotency
from dutyops.models import IdempotencyRecord, Timer
from incidents.models import Incident, Report
from realtime.models import Event
from tests.conftest import token_for

REPORT = {
    "kind": "first",
    "channel": "hotline",
    "title": "滨江路积水",
    "description": "滨江路与五一大道路口积水约三十厘米，车辆缓行。",
    "category": "natural_disaster",
    "subtype": "flood",
    "location_text": "滨江路与五一大道路口",
    "latitude": 28.2,
    "longitude": 112.96,
}


@pytest.fixture
def taxonomy(db):
    from incidents.seed import seed_reference_data

    seed_reference_data()


def post(client, body, key, path="/api/v1/reports/"):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post(path, body, format="json", **headers)


def test_a_repeat_gets_the_first_answer_and_creates_nothing(officer, client_for, taxonomy):
    client, key = client_for(officer), str(uuid.uuid4())
    first = post(client, REPORT, key)
    assert first.status_code == 201, first.content
    assert "Idempotent-Replayed" not in first
    again = post(client, REPORT, key)
    assert again.status_code == 201
    assert again.content == first.content  # byte for byte: same incident id, same report id
    assert again["Idempotent-Replayed"] == "true"
    assert again["Content-Type"] == first["Content-Type"]
    assert Incident.objects.count() == 1 and Report.objects.count() == 1
    assert Event.objects.filter(type="incident.created").count() == 1
    # without a key, or with another, the same body is a new report
    assert post(client, REPORT, None).json()["id"] != first.json()["id"]
    assert post(client, REPORT, str(uuid.uuid4())).json()["id"] != first.json()["id"]
    assert Report.objects.count() == 3


def test_the_same_key_with_another_request_is_a_422_that_creates_nothing(officer, client_for, taxonomy):
    client, key = client_for(officer), "hotline-2026-000123"
    assert post(client, REPORT, key).status_code == 201
    changed = post(client, {**REPORT, "title": "滨江路积水加深"}, key)
    assert changed.status_code == 422
    assert "Idempotency-Key" in changed.json()["detail"]
    in_english = client.post(
        "/api/v1/reports/", {**REPORT, "title": "x"}, format="json", HTTP_IDEMPOTENCY_KEY=key, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert in_english.json()["detail"].startswith("This Idempotency-Key was already used for a different request")
    # the same body to another path is another request too
    elsewhere = post(client, {"text": "x"}, key, path=f"/api/v1/incidents/{Incident.objects.get().pk}/instructions/")
    assert elsewhere.status_code == 422
    assert Report.objects.count() == 1


def test_keys_belong_to_their_caller(make_person, client_for, taxonomy):
    """Two people (or systems) may happen to pick the same key: each gets its own answer."""
    a, b = make_person("duty_officer"), make_person("duty_officer")
    first = post(client_for(a), REPORT, "same-key")
    second = post(client_for(b), REPORT, "same-key")
    assert first.status_code == second.status_code == 201
    assert first.json()["id"] != second.json()["id"]
    assert "Idempotent-Replayed" not in second


def test_the_session_and_the_token_are_one_caller(officer, client_for, taxonomy):
    """A person's key is theirs however they sign in: a page's session or an API token."""
    session = APIClient()
    session.force_login(officer)
    first = post(session, REPORT, "k-1")
    assert first.status_code == 201
    by_token = post(client_for(officer), REPORT, "k-1")
    assert by_token.content == first.content and by_token["Idempotent-Replayed"] == "true"
    assert Report.objects.count() == 1


def test_only_success_is_kept(officer, client_for, taxonomy):
    """A refused request created nothing: the same key may carry the corrected request."""
    client = client_for(officer)
    bad = post(client, {**REPORT, "category": "weather"}, "k-2")
    assert bad.status_code == 400 and "category" in bad.json()
    assert not IdempotencyRecord.objects.exists()
    good = post(client, REPORT, "k-2")
    assert good.status_code == 201
    assert post(client, REPORT, "k-2").content == good.content
    assert IdempotencyRecord.objects.get().status == 201


def test_a_server_error_rolls_everything_back(officer, client_for, taxonomy, monkeypatch):
    """A 5xx keeps no answer and no half-written record: the retry runs afresh."""
    from incidents import views

    real_intake = views.services.intake

    def intake_then_lose_the_database(data, actor):
        real_intake(data, actor)  # the incident, its report and events are written...
        raise OperationalError("server closed the connection unexpectedly")  # ...then the database goes

    monkeypatch.setattr(views.services, "intake", intake_then_lose_the_database)
    client = client_for(officer)
    lost = post(client, REPORT, "k-3")
    assert lost.status_code == 503
    assert not Incident.objects.exists() and not Report.objects.exists() and not Event.objects.exists()
    assert not IdempotencyRecord.objects.exists()
    monkeypatch.setattr(views.services, "intake", real_intake)
    assert post(client, REPORT, "k-3").status_code == 201
    assert Report.objects.count() == 1


def test_answers_expire_after_24_hours_and_are_pruned(officer, client_for, taxonomy):
    client = client_for(officer)
    first = post(client, REPORT, "k-4")
    record = IdempotencyRecord.objects.get()
    # the worker's prune is armed for an hour after this hour
    prune = Timer.objects.get(kind=idempotency.PRUNE_TIMER)
    assert record.created_at < prune.due_at <= record.created_at + datetime.timedelta(hours=1)
    # 24 h later the key is free again: a new report
    IdempotencyRecord.objects.update(created_at=timezone.now() - datetime.timedelta(hours=24, seconds=1))
    later = post(client, REPORT, "k-4")
    assert later.status_code == 201 and "Idempotent-Replayed" not in later
    assert later.json()["id"] != first.json()["id"]
    assert IdempotencyRecord.objects.count() == 1  # the expired row was taken over
    # prune() deletes what is older than 24 h, and only that
    IdempotencyRecord.objects.create(
        owner="person:0", key="old", fingerprint="-", created_at=timezone.now() - datetime.timedelta(hours=25)
    )
    assert idempotency.prune() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["k-4"]


def test_the_prune_timer_deletes_expired_answers(db):
    from dutyops.timers import fire_due, schedule

    now = timezone.now()
    IdempotencyRecord.objects.create(
        owner="person:1", key="a", fingerprint="-", created_at=now - datetime.timedelta(hours=30)
    )
    IdempotencyRecord.objects.create(owner="person:1", key="b", fingerprint="-", created_at=now)
    schedule(idempotency.PRUNE_TIMER, "test", now - datetime.timedelta(seconds=1))
    assert fire_due() == 1
    assert list(IdempotencyRecord.objects.values_list("key", flat=True)) == ["b"]


@pytest.mark.parametrize("key", ["", "x" * 256, "键", "a\tb"])
def test_a_malformed_key_is_a_400_that_names_the_header(officer, client_for, taxonomy, key):
    response = post(client_for(officer), REPORT, key)
    assert response.status_code == 400
    assert list(response.json()) == ["Idempotency-Key"]
    assert not Report.objects.exists()


def test_who_may_not_create_is_not_helped_by_a_key(make_person, client_for, taxonomy):
    """The key changes nothing about who may do what: the view answers as without it."""
    anonymous = APIClient()
    assert post(anonymous, REPORT, "k-5").status_code == 401
    assert post(anonymous, REPORT, "键").status_code == 401  # a malformed key too
    board = make_person("board")
    assert post(client_for(board), REPORT, "k-5").status_code == 403
    leader = make_person("leader")  # a government leader files no reports (a liaison may, issue 19)
    assert post(client_for(leader), REPORT, "k-5").status_code == 403
    assert not Report.objects.exists() and not IdempotencyRecord.objects.exists()


def test_the_token_endpoint_ignores_the_header(officer):
    officer.set_password("pw-12345678")
    officer.save()
    body = {"username": officer.username, "password": "pw-12345678"}
    for _ in range(2):
        response = APIClient().post("/api/v1/auth/token/", body, format="json", HTTP_IDEMPOTENCY_KEY="t")
        assert response.status_code == 200 and "Idempotent-Replayed" not in response
    assert not IdempotencyRecord.objects.exists()


class _SourceKey(BaseAuthentication):
    """What an inbound system's authenticator (issue 19: X-Api-Key) returns."""

    def authenticate(self, request):
        if request.META.get("HTTP_X_API_KEY") == "secret-7":
            return SimpleNamespace(is_authenticated=True, pk=None), SimpleNamespace(idempotency_owner="source:7")
        return None


class _InboundView(APIView):
    authentication_classes = [_SourceKey]


def test_a_caller_that_is_no_person_names_itself_through_its_authenticator(officer):
    factory = RequestFactory()
    request = factory.post("/api/v1/inbound/", b"{}", content_type="application/json", HTTP_X_API_KEY="secret-7")
    assert idempotency.owner_of(request, _InboundView) == "source:7"
    request = factory.post("/api/v1/inbound/", b"{}", content_type="application/json", HTTP_X_API_KEY="wrong")
    assert idempotency.owner_of(request, _InboundView) is None
    # a person: the same owner through the token as through the session
    request = factory.post("/x/", HTTP_AUTHORIZATION=f"Token {token_for(officer)}")
    assert idempotency.owner_of(request, APIView) == f"person:{officer.pk}"


def test_the_schema_documents_the_header_on_every_post_but_the_token(admin_user, client_for):
    schema = client_for(admin_user).get("/api/schema/?format=json").json()
    posts = {path: ops["post"] for path, ops in schema["paths"].items() if "post" in ops}
    assert len(posts) > 40
    for path, op in posts.items():
        headers = [p["name"] for p in op.get("parameters", []) if p["in"] == "header"]
        if path == "/api/v1/auth/token/":
            assert headers == [] and "422" not in op["responses"], path
        else:
            assert "Idempotency-Key" in headers, path
            assert op["responses"]["422"]["content"]["application/json"]["schema"]["$ref"].endswith("/Error"), path


# --- concurrency, through real servers ---------------------------------------------


def _post(server, token, body, key):
    request = urllib.request.Request(
        f"{server.url}/api/v1/reports/",
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json", "Idempotency-Key": key},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, response.read(), response.headers.get("Idempotent-Replayed")
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), exc.headers.get("Idempotent-Replayed")


def test_simultaneous_repeats_on_two_processes_run_once(servers, make_person, taxonomy):
    """Eight copies of one report, sent at the same instant to two daphne processes:
    one runs, the others wait for it and get its answer. One incident, one report,
    one event. (The second pass runs this on PostgreSQL, where the waiting is the
    unique index's; on SQLite it is the write lock's.)"""
    officer = make_person("duty_officer")
    token = token_for(officer)
    a, b = servers.daphne(), servers.daphne()
    for server in (a, b):  # warm both up: the race below is between requests, not process starts
        assert _post(server, token, {**REPORT, "title": f"预热 {server.port}"}, f"warm-{server.port}")[0] == 201
    results, start = [], threading.Barrier(8)

    def send(server):
        start.wait()
        results.append(_post(server, token, REPORT, "race-1"))

    threads = [threading.Thread(target=send, args=([a, b][i % 2],)) for i in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert len(results) == 8
    assert {status for status, _, _ in results} == {201}, results
    assert len({body for _, body, _ in results}) == 1  # the same answer, byte for byte
    assert sorted(replayed or "" for _, _, replayed in results) == [""] + ["true"] * 7
    incident_id = json.loads(results[0][1])["incident"]
    assert Report.objects.filter(incident_id=incident_id).count() == 1
    assert Incident.objects.filter(title=REPORT["title"]).count() == 1
    assert Event.objects.filter(type="incident.created", incident_id=incident_id).count() == 1
    assert IdempotencyRecord.objects.filter(key="race-1").count() == 1
