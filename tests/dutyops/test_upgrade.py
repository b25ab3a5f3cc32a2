"""An installation upgraded from main at 0cc85b3 (the duty models still in dutyops/)
keeps every row and the event stream, and works: migrate a database the old code made.

The database is tests/data/main-0cc85b3.sql.gz (how it was made: tests/data/README.md).
"""

import gzip
import hashlib
import json
import os
import subprocess
import sys

import psycopg2
import pytest
from django.apps import apps
from django.db import connection

from incidents.seed import CITY_PLACES_CSV
from tests.conftest import ROOT, database_url_for_subprocess

pytestmark = pytest.mark.postgres

DUMP = ROOT / "tests" / "data" / "main-0cc85b3.sql.gz"
# The duty models (their content types moved from dutyops to duty).
MOVED = sorted(model._meta.model_name for model in apps.get_app_config("duty").get_models())


def _digest(url):
    """Row counts of every table (the moved ones under their old names), the event
    stream, and who the duty content types belong to."""
    conn = psycopg2.connect(url)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' ORDER BY 1")
        counts = {}
        for (table,) in cursor.fetchall():
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            old_name = f"dutyops_{table[5:]}" if table.startswith("duty_") else table
            counts[old_name] = cursor.fetchone()[0]
        cursor.execute("SELECT seq, type, at, data::text, actor_id, incident_id FROM realtime_event ORDER BY seq")
        stream = cursor.fetchall()
        cursor.execute("SELECT event_id, department_id FROM realtime_eventaudience ORDER BY 1, 2")
        audience = cursor.fetchall()
        cursor.execute(
            "SELECT model, app_label FROM django_content_type WHERE model = ANY(%s) AND app_label IN ('dutyops', 'duty')",
            [MOVED],
        )
        content_types = dict(cursor.fetchall())
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        migrations = cursor.fetchall()
        return counts, stream, audience, content_types, migrations
    finally:
        conn.close()


def _leaked_audience(stream, audience):
    """The audience rows realtime 0004 removes: of events neither incident-level nor
    addressed to that department (dutyops.policy.event_audience)."""
    from dutyops import policy

    by_seq = {seq: (type_, json.loads(data), incident) for seq, type_, _at, data, _actor, incident in stream}
    leaked = set()
    for seq, department in audience:
        type_, data, incident = by_seq[seq]
        if incident is None or policy.reaches_incident(type_):
            continue
        named = {data["department"]} if type_.startswith("alert.") else set(data.get("departments", [department]))
        if department not in named:
            leaked.add((seq, department))
    return leaked


@pytest.fixture
def old_database(transactional_db):
    name = f"{connection.settings_dict['NAME']}_from_0cc85b3"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    url = database_url_for_subprocess().rsplit("/", 1)[0] + f"/{name}"
    psql = os.path.join(os.environ["DUTYOPS_TEST_PG_BIN"], "psql")
    subprocess.run(
        [psql, "-q", "-v", "ON_ERROR_STOP=1", url],
        input=gzip.decompress(DUMP.read_bytes()),
        check=True,
        capture_output=True,
    )
    yield url
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')


def _old_tokens(url):
    conn = psycopg2.connect(url)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT key, user_id FROM authtoken_token ORDER BY 1")
        return cursor.fetchall()
    finally:
        conn.close()


def _rows(url, sql):
    conn = psycopg2.connect(url)
    try:
        cursor = conn.cursor()
        cursor.execute(sql)
        return cursor.fetchall()
    finally:
        conn.close()


def _hashed_tokens(url):
    conn = psycopg2.connect(url)
    try:
        cursor = conn.cursor()
        cursor.execute("SELECT digest, user_id FROM dutyops_apitoken ORDER BY 1")
        return cursor.fetchall()
    finally:
        conn.close()


def test_an_upgrade_from_0cc85b3_keeps_every_row_and_the_stream_and_works(old_database):
    before = _digest(old_database)
    old_tokens = _old_tokens(old_database)
    old_feeds = _rows(old_database, "SELECT id, token FROM dutyops_calendarfeed ORDER BY 1")
    env = dict(os.environ, DATABASE_URL=old_database, DJANGO_SETTINGS_MODULE="dutyops.settings_test")
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert migrate.returncode == 0, migrate.stdout + migrate.stderr
    counts, stream, audience, content_types, migrations = _digest(old_database)

    # The migrations since 0cc85b3 are recorded (three of them issue 15's, checked below).
    assert counts.pop("django_migrations") == len(migrations) > before[0].pop("django_migrations")
    # Every table the old database had keeps every row (the duty tables now named duty_*);
    # migrations since then may only add tables, and the content types and permissions of
    # their models (the duty models' own ones move: checked below).
    grown = ("django_content_type", "auth_permission")
    # Issue 16: DRF's plain-text token table is gone; every token lives on as its
    # SHA-256 (its clients keep it), and nothing else holds it in plain text.
    assert before[0].pop("authtoken_token") == len(old_tokens) > 0 and "authtoken_token" not in counts
    assert _hashed_tokens(old_database) == sorted(
        (hashlib.sha256(key.encode()).hexdigest(), user_id) for key, user_id in old_tokens
    )
    # Calendar feeds too (duty 0003): each keeps its token's SHA-256, so its URL keeps working.
    assert old_feeds and _rows(old_database, "SELECT id, digest, prefix FROM duty_calendarfeed ORDER BY 1") == [
        (pk, hashlib.sha256(token.encode()).hexdigest(), token[:6]) for pk, token in old_feeds
    ]
    assert all(counts[table] >= before[0].pop(table) for table in grown)
    # Issue 18 (incidents 0005): the city's streets, 街道 and landmarks join the gazetteer
    # the demo seeded; none of its places is touched.
    with open(CITY_PLACES_CSV, encoding="utf-8") as f:
        city = len(f.read().strip().splitlines()) - 1
    assert counts.pop("incidents_place") == before[0].pop("incidents_place") + city
    # Issue 16 (realtime 0004): an alert's or a case's old event no longer reaches the
    # other departments alerted on the same incident; every other row stays.
    leaked = _leaked_audience(before[1], before[2])
    assert len(leaked) == 4  # the dump's three alert.created and one supervision.created
    assert counts.pop("realtime_eventaudience") == before[0].pop("realtime_eventaudience") - len(leaked)
    assert {table: counts.get(table) for table in before[0]} == before[0]
    assert stream == before[1]  # the event stream, byte for byte
    assert audience == [row for row in before[2] if row not in leaked]
    assert len(stream) > 100
    assert before[3] == dict.fromkeys(MOVED, "dutyops") and content_types == dict.fromkeys(MOVED, "duty")
    assert migrations[: len(before[4])] == before[4]
    assert {
        ("dutyops", "0004_duty_models_move_to_duty_app"),
        ("duty", "0001_initial"),
        ("duty", "0002_content_types"),
    } <= set(migrations)
    assert before[0]["dutyops_shift"] > 100 and before[0]["dutyops_handover"] == 1

    check = subprocess.run(
        [sys.executable, "tests/dutyops/upgrade_check.py"], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert check.returncode == 0, check.stderr[-3000:]
    report = json.loads(check.stdout.strip().splitlines()[-1])
    assert report["roster_page"] == 200 and report["daily_report"] == 200 and report["admin_shifts"] == 200
    assert report["shifts_api"] > 0
    assert report["events_api"] == len(stream)
    assert report["old_summaries"] == len(stream)  # every old event still shows its line
    assert report["admin_log_model"] == "duty.shift"
    assert "duty.change_shift" in report["group_permissions"]
    assert report["new_event"]["type"] == "dutylog.added" and report["new_event"]["after_old"]
    assert "升级后的第一条日志" in report["new_event"]["summary"]
