"""The application's database role (manage.py grant_app_role) reads and writes
what it needs, but cannot rewrite the audit trail: no UPDATE, DELETE, TRUNCATE,
ALTER or DISABLE TRIGGER on the event tables. The owner cannot TRUNCATE it by
accident either."""

import datetime
import json
import time
import urllib.request

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.utils import timezone

from incidents.seed import seed_reference_data
from realtime.models import Event
from realtime.services import emit
from tests.conftest import database_url_for_subprocess, token_for

pytestmark = pytest.mark.postgres

ROLE = "dutyops_app_test"


@pytest.fixture
def app_url(transactional_db, monkeypatch):
    monkeypatch.setenv("DUTYOPS_APP_DB_PASSWORD", "app-role-pw-1")
    call_command("grant_app_role", role=ROLE, stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("grant_app_role", role=ROLE, stdout=open("/dev/null", "w"))  # idempotent  # noqa: SIM115
    owner = database_url_for_subprocess()
    scheme, rest = owner.split("://", 1)
    yield f"{scheme}://{ROLE}:app-role-pw-1@{rest.split('@', 1)[1]}"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP OWNED BY {ROLE}")
        cursor.execute(f"DROP ROLE {ROLE}")


def _as_app(url, statement, params=None):
    conn = psycopg2.connect(url)
    try:
        with conn, conn.cursor() as cursor:
            cursor.execute(statement, params)
            return cursor.fetchall() if cursor.description else None
    finally:
        conn.close()


def test_the_app_role_reads_and_appends_but_never_rewrites_the_trail(app_url, make_person):
    officer = make_person("duty_officer")
    with transaction.atomic():
        emit("test.ping", {"n": 1}, actor=officer)
    assert _as_app(app_url, "SELECT count(*) FROM realtime_event") == [(1,)]
    _as_app(app_url, "INSERT INTO realtime_event (type, at, data) VALUES ('test.ping', now(), '{}')")
    refused = [
        "UPDATE realtime_event SET type = 'forged'",
        "DELETE FROM realtime_event",
        "TRUNCATE realtime_event",
        "DELETE FROM realtime_eventaudience",
        "ALTER TABLE realtime_event DISABLE TRIGGER ALL",
        "ALTER TABLE realtime_event DROP COLUMN data",
        "DROP TABLE realtime_eventaudience",
    ]
    for statement in refused:
        with pytest.raises(psycopg2.Error) as caught:
            _as_app(app_url, statement)
        assert caught.value.pgcode in ("42501",), (statement, caught.value.pgerror)  # insufficient_privilege
    assert Event.objects.count() == 2 and not Event.objects.filter(type="forged").exists()
    # Everything else the application writes it may change.
    _as_app(app_url, "UPDATE dutyops_person SET phone = '0731-1' WHERE id = %s", [officer.pk])


def test_the_owner_cannot_truncate_the_trail_by_accident(transactional_db):
    with transaction.atomic():
        emit("test.ping", {"n": 1})
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("TRUNCATE realtime_event CASCADE")
    assert Event.objects.count() == 1


def test_daphne_and_the_worker_run_on_the_app_role(app_url, servers, make_person):
    """The grants are enough for the real thing: intake, the event stream, and a
    worker firing a statutory clock that ran out (a grade II phone report is due
    within 30 minutes of receipt; this one came in 31 minutes ago)."""
    seed_reference_data()  # the clock policies
    officer = make_person("duty_officer")
    server = servers.daphne(DATABASE_URL=app_url)
    servers.worker(DATABASE_URL=app_url)
    received = timezone.now() - datetime.timedelta(minutes=31)
    body = {"title": "河堤管涌", "category": "natural_disaster", "grade": "II", "received_at": received.isoformat()}
    auth = {"Authorization": f"Token {token_for(officer)}"}
    request = urllib.request.Request(
        f"{server.url}/api/v1/reports/",
        data=json.dumps(body).encode(),
        headers={**auth, "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
    deadline, types = time.monotonic() + 15, set()
    while "report.overdue" not in types and time.monotonic() < deadline:
        time.sleep(0.3)
        with urllib.request.urlopen(urllib.request.Request(f"{server.url}/api/v1/events/?after=0", headers=auth)) as r:
            types = {e["type"] for e in json.loads(r.read())["results"]}
    assert {"incident.created", "report.created", "report.overdue"} <= types


def _post(server, path, token, body):
    request = urllib.request.Request(
        f"{server.url}{path}",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201
        return json.loads(response.read())


def test_the_chain_runs_on_the_app_role_and_cannot_rewrite_what_went_up(app_url, servers, make_person, make_department):
    """Verifications and upward reports are append-only for the app role, and the
    outbox still works on it: it locks a delivery without its upward report (a lock
    on a row is an UPDATE right). The installation reports up to itself here."""
    from chain.models import Delivery, Link, Recipient

    seed_reference_data()
    officer = make_person("duty_officer")
    peer = make_person("duty_officer", dept=make_department("芙蓉区值班室", kind="district"))
    server = servers.daphne(DATABASE_URL=app_url)
    servers.worker(DATABASE_URL=app_url)
    Link.objects.create(name="芙蓉区", direction="down", url=server.url, account=peer)
    up = Link.objects.create(name="回环", direction="up", url=server.url, credential=token_for(peer))
    Recipient.objects.create(name="回环", kind="duty_office", required=True, link=up)
    token = token_for(officer)
    body = {"title": "河堤管涌", "category": "natural_disaster", "grade": "II"}
    incident = _post(server, "/api/v1/reports/", token, body)["incident"]
    _post(server, f"/api/v1/incidents/{incident}/verifications/", token, {"facts": "管涌1处", "method": "电话核实"})
    _post(server, f"/api/v1/incidents/{incident}/upward-reports/", token, {"kind": "first", "verified": True})
    deadline = time.monotonic() + 20
    while Delivery.objects.get().state != "delivered" and time.monotonic() < deadline:
        time.sleep(0.3)
    assert Delivery.objects.get().state == "delivered", Delivery.objects.get().last_error
    for statement in (
        "UPDATE chain_upwardreport SET kind = 'final'",
        "DELETE FROM chain_upwardreport",
        "UPDATE chain_verification SET facts = 'x'",
        "DELETE FROM chain_verification",
    ):
        with pytest.raises(psycopg2.Error) as caught:
            _as_app(app_url, statement)
        assert caught.value.pgcode == "42501", statement
