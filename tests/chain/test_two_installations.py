"""Two real installations linked county to city (issue 19, item 2): two daphne
processes and their workers, two databases (two SQLite files; two PostgreSQL
databases on the second pass). A county upward report appears at the city's
intake within seconds; with the city stopped, everything sent meanwhile arrives
once and in order when it returns; a follow-up joins the same city incident; the
city's sign-for shows at the county."""

import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest
from django.core.management import call_command
from django.db import connection

from chain.models import Delivery, Outbox, UpwardReport
from chain.seed import seed as seed_line
from dutyops.models import Department
from tests.conftest import ROOT, database_url_for_subprocess, free_port

CITY_SETUP = """
from dutyops.models import ApiToken, Department, Person
from dutyops.models.tokens import digest_of
office = Department.objects.create(code="LJ-ZBS", name="临江市人民政府总值班室", kind="duty_office")
officer = Person.objects.create_user(username="city-officer", full_name="城市值班员", department=office)
officer.set_roles(["duty_officer"])
ApiToken.objects.create(user=officer, digest=digest_of("{token}"), prefix="{token}"[:6])
"""


def _wait(predicate, timeout, what):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.2)
    pytest.fail(f"not within {timeout} s: {what}")


@pytest.fixture
def city_database(transactional_db):
    """A second database for the city: a migrated copy (SQLite) or a migrated database (PostgreSQL)."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        path = f"{s['NAME']}.city.sqlite3"
        source, target = sqlite3.connect(s["NAME"]), sqlite3.connect(path)
        source.backup(target)
        source.close()
        target.close()
        yield f"sqlite:///{path}"
        for suffix in ("", "-wal", "-shm"):
            if os.path.exists(path + suffix):
                os.remove(path + suffix)
        return
    name = f"{s['NAME']}_city"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = database_url_for_subprocess().rsplit("/", 1)[0] + f"/{name}"
    manage(url, "migrate", "--noinput")
    yield url
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(database_url, *argv):
    env = dict(os.environ, DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="dutyops.settings_test", DJANGO_DEBUG="0")
    done = subprocess.run(
        [sys.executable, "manage.py", *argv], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def start_patiently(server, timeout=120):
    """Start a stopped server again; on a busy machine daphne may need more than the fixture's 30 s."""
    try:
        server.start()
    except RuntimeError:
        if server.proc.poll() is not None:
            raise

        def up():
            try:
                with socket.create_connection(("127.0.0.1", server.port), timeout=0.5):
                    return True
            except OSError:
                return False

        _wait(up, timeout, "the city back up")


class Answer:
    def __init__(self, status_code, body, headers):
        self.status_code, self.text, self.headers = status_code, body.decode("utf-8", "replace"), headers

    def json(self):
        return json.loads(self.text)


def http(method, url, data=None, headers=None, timeout=10):
    """One request with urllib (the answer, whatever its status)."""
    request = urllib.request.Request(url, data=data, headers=headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return Answer(response.status, response.read(), response.headers)
    except urllib.error.HTTPError as exc:
        return Answer(exc.code, exc.read(), exc.headers)


class City:
    """The city installation seen from outside: its API, as its duty officer."""

    def __init__(self, url, token):
        self.url, self.headers = url, {"Authorization": f"Token {token}"}

    def get(self, path):
        response = http("GET", self.url + path, headers=self.headers)
        assert response.status_code == 200, response.text
        return response.json()

    def lower_level_reports(self):
        try:
            rows = self.get("/api/v1/reports/?page_size=200")["results"]
        except (urllib.error.URLError, ConnectionError):
            return []
        return sorted((r for r in rows if r["channel"] == "lower_level"), key=lambda r: r["id"])


CITY = "临江市人民政府总值班室"


def _the_county(make_person, client_for):
    """This test's database is the county: its duty office, an officer's API client, its statutory line."""
    county_office = Department.objects.create(code="FRQ-ZBS", name="芙蓉区人民政府总值班室", kind="duty_office")
    officer = make_person("duty_officer", dept=county_office, full_name="区值班员", phone="0731-12346000")
    county = client_for(officer)
    seed_line()
    return county


def _the_county_linked_up(servers, fast, city_url, up_credential, down_credential):
    """The county's daphne, its link up to the city, its worker. Returns its server."""
    county_server = servers.daphne(**fast)
    call_command(
        "chain_link",
        "up",
        name=CITY,
        url=city_url,
        credential=up_credential,
        issue=down_credential,
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    servers.worker(**fast)
    return county_server


def _the_city_linked_down(servers, city_env, city_port, city_token, county_url, up_credential, down_credential):
    """The city: its own database, the account standing for the district, linked down to
    it; its daphne and worker. Returns (server, worker)."""
    city_database = city_env["DATABASE_URL"]
    manage(city_database, "shell", "-c", CITY_SETUP.format(token=city_token))
    manage(
        city_database,
        "chain_link",
        "down",
        "--name=芙蓉区",
        f"--url={county_url}",
        "--department=LJ-FRQ",
        f"--credential={down_credential}",
        f"--issue={up_credential}",
    )
    return servers.daphne(port=city_port, **city_env), servers.worker(**city_env)


def _report(county, kind, incident=None, **extra):
    """An upward report of `kind` from the county (for a new incident, a first report opens
    it): queued for the city. Returns (county incident id, upward report id)."""
    if incident is None:
        body = {
            "kind": "first",
            "channel": "phone",
            "title": extra.pop("title"),
            "description": "芙蓉路一化工仓库起火。",
            "category": "accident_disaster",
            "grade": "III",
            "location_text": "芙蓉路88号",
            "deaths": 0,
            "injuries": 2,
        }
        response = county.post("/api/v1/reports/", body, format="json")
        assert response.status_code == 201, response.data
        incident = response.data["incident"]
    response = county.post(
        f"/api/v1/incidents/{incident}/upward-reports/",
        {"kind": kind, "unverified_reason": "情况紧急，先行报告", **extra},
        format="json",
    )
    assert response.status_code == 201, response.data
    states = {r["name"]: r["delivery"] for r in response.data["recipients"]}
    assert states[CITY] == "queued"
    return incident, response.data["id"]


def _city_state(upward_id):
    """The county's delivery of an upward report to the city (its state, the city's answer)."""
    return Delivery.objects.get(upward_report_id=upward_id, link__isnull=False)


def _warm_up(city):
    """A running installation is warm: its first intake reads the lexicon and the gazetteer."""
    warm = http(
        "POST",
        city.url + "/api/v1/reports/",
        json.dumps({"kind": "first", "channel": "phone", "title": "预热", "category": "natural_disaster"}).encode(),
        city.headers | {"Content-Type": "application/json"},
        timeout=60,
    )
    assert warm.status_code == 201, warm.text


def _a_first_report_reaches_the_city(county, city):
    """Within seconds, at the city's intake, from the room standing for the sender. Returns
    (county incident, upward report id, the city's incident)."""
    started = time.monotonic()
    fire, first_id = _report(county, "first", title="芙蓉路化工仓库火灾", measures="消防出动8车")
    arrived = _wait(city.lower_level_reports, 15, "the first report at the city")
    seconds = time.monotonic() - started
    print(f"county -> city: {seconds:.1f} s")
    assert seconds < 15, seconds  # typically 1-3 s; a shared 2-core machine under load took up to 8.5 s
    # source: the room standing for the sender in the city's tree; the unit as the sender names it
    assert [(r["kind"], r["title"], r["source"], r["reporter_unit"]) for r in arrived] == [
        ("first", "芙蓉路化工仓库火灾", "芙蓉区", "芙蓉区人民政府总值班室")
    ]
    city_incident = arrived[0]["incident"]
    _wait(lambda: _city_state(first_id).state == "delivered", 10, "delivered at the county")
    assert _city_state(first_id).remote_incident == str(city_incident)
    return fire, first_id, city_incident


def _sent_while_the_city_is_down(county, fire):
    """A follow-up, another incident's first report, the final report: retried, still queued.
    Returns their upward report ids and the other incident."""
    _f, follow_id = _report(
        county, "follow_up", incident=fire, measures="明火已扑灭", support_needed="请求调派环境监测车"
    )
    blast, other_id = _report(county, "first", title="东屯渡燃气管道泄漏")
    _f, final_id = _report(county, "final", incident=fire, text="现场清理完毕")
    _wait(
        lambda: Outbox.objects.filter(delivery__upward_report_id=follow_id, attempts__gte=2).exists(),
        15,
        "retries while the city is down",
    )
    time.sleep(2)
    assert {_city_state(i).state for i in (follow_id, other_id, final_id)} == {"queued"}
    return {"follow_up": follow_id, "other": other_id, "final": final_id, "blast": blast}


def _everything_arrives_once_in_order(city, city_incident, sent):
    """After the city's return: each report once, in the order sent; follow-ups and the final
    join the city's incident of the first report. Returns the city's rows."""
    _wait(lambda: (r := city.lower_level_reports()) and len(r) >= 4 and r, 30, "everything after the return")
    time.sleep(2)  # nothing more comes: each once
    rows = city.lower_level_reports()
    assert [(r["kind"], r["title"]) for r in rows] == [
        ("first", "芙蓉路化工仓库火灾"),
        ("follow_up", "芙蓉路化工仓库火灾"),
        ("first", "东屯渡燃气管道泄漏"),
        ("final", "芙蓉路化工仓库火灾"),
    ]
    # Follow-ups and the final join the city's incident of the first report; the other is its own.
    assert [r["incident"] for r in rows] == [city_incident, city_incident, rows[2]["incident"], city_incident]
    assert rows[2]["incident"] != city_incident
    assert "请求调派环境监测车" in rows[1]["description"]
    for upward_id in (sent["follow_up"], sent["other"], sent["final"]):
        _wait(lambda u=upward_id: _city_state(u).state == "delivered", 10, "delivered states")
    return rows


def _a_repeat_is_accepted_once_and_only_from_the_link(city, follow_id, up_credential):
    """A message repeated with its key (an answer lost on the way back) is accepted once;
    the city officer's own token is not a link's."""
    upward = UpwardReport.objects.get(pk=follow_id)
    message = Outbox.objects.get(delivery__upward_report=upward)
    again = http(
        "POST",
        city.url + "/api/v1/chain/reports/",
        data=json.dumps(message.payload, ensure_ascii=False).encode(),  # the same bytes as the worker's
        headers={
            "Authorization": f"Token {up_credential}",
            "Idempotency-Key": message.key,
            "Content-Type": "application/json; charset=utf-8",
        },
        timeout=10,
    )
    assert again.status_code == 201 and again.headers.get("Idempotent-Replayed") == "true"
    assert len(city.lower_level_reports()) == 4
    # Traffic is authenticated per link: the city officer's own token is not a link's.
    refused = http(
        "POST",
        city.url + "/api/v1/chain/reports/",
        data=json.dumps(message.payload).encode(),
        headers=city.headers | {"Idempotency-Key": "x1", "Content-Type": "application/json"},
    )
    assert refused.status_code in (401, 403)


def _the_city_signs_for_the_first(city, county, rows, fire, first_id, follow_id):
    """The city signs for the first report: the county sees 已签收 (the follow-up: delivered)."""
    inbox = city.get("/api/v1/chain/inbox/")["results"]
    first_inbound = next(i for i in inbox if i["report"] == rows[0]["id"])
    signed = http("POST", f"{city.url}/api/v1/chain/inbox/{first_inbound['id']}/sign/", b"", city.headers)
    assert signed.status_code == 200, signed.text
    _wait(lambda: _city_state(first_id).state == "acknowledged", 15, "the sign-for at the county")
    delivery = _city_state(first_id)
    assert delivery.acknowledged_by == "城市值班员" and delivery.acknowledged_at
    listed = county.get(f"/api/v1/incidents/{fire}/upward-reports/").json()
    shown = {u["id"]: {r["name"]: r["delivery"] for r in u["recipients"]} for u in listed}
    assert shown[first_id][CITY] == "acknowledged"
    assert shown[follow_id][CITY] == "delivered"


def test_county_reports_reach_the_city_once_in_order_and_the_sign_for_comes_back(
    servers, city_database, make_person, client_for
):
    city_token, up_credential, down_credential = (secrets.token_hex(20) for _ in range(3))
    city_port = free_port()
    city_url = f"http://127.0.0.1:{city_port}"
    fast = {"DUTYOPS_CHAIN_RETRY_MAX_SECONDS": "1"}
    redis = os.environ.get("REDIS_URL")
    city_env = {
        **fast,
        "DATABASE_URL": city_database,
        "DUTYOPS_INSTALLATION_NAME": CITY,
        **({"REDIS_URL": redis.rsplit("/", 1)[0] + "/1"} if redis else {}),
    }
    county = _the_county(make_person, client_for)
    county_server = _the_county_linked_up(servers, fast, city_url, up_credential, down_credential)
    city_server, city_worker = _the_city_linked_down(
        servers, city_env, city_port, city_token, county_server.url, up_credential, down_credential
    )
    city = City(city_url, city_token)
    _warm_up(city)

    # 1. A first report reaches the city's intake within seconds.
    fire, first_id, city_incident = _a_first_report_reaches_the_city(county, city)

    # 2. The city is down for a while: what the county sends meanwhile waits, then arrives once, in order.
    city_server.stop()
    city_worker.stop()
    sent = _sent_while_the_city_is_down(county, fire)
    start_patiently(city_server)
    city_worker.start()
    rows = _everything_arrives_once_in_order(city, city_incident, sent)
    _a_repeat_is_accepted_once_and_only_from_the_link(city, sent["follow_up"], up_credential)

    # 3. The city signs for the first report: the county sees 已签收.
    _the_city_signs_for_the_first(city, county, rows, fire, first_id, sent["follow_up"])
    assert sent["blast"] != fire
