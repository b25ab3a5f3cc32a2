"""Backup and restore (scripts/backup.sh, scripts/restore.sh) keep every record and the stream."""

import os
import stat
import subprocess
from pathlib import Path

import psycopg2
import pytest
from django.db import connection, transaction

from realtime.models import Event
from realtime.services import emit
from tests.conftest import ROOT, database_url_for_subprocess

pytestmark = pytest.mark.postgres


def _table_digest(cursor):
    """Row counts of every DutyOps table, and the event stream itself."""
    cursor.execute("""SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'
                      AND table_name ~ '^(dutyops|incidents|plans|alerts|realtime)_' ORDER BY 1""")
    counts = {}
    for (table,) in cursor.fetchall():
        cursor.execute(f'SELECT count(*) FROM "{table}"')
        counts[table] = cursor.fetchone()[0]
    cursor.execute("SELECT seq, type, data::text FROM realtime_event ORDER BY seq")
    return counts, cursor.fetchall()


def test_a_restored_dump_has_every_record_and_event(transactional_db, make_person, tmp_path):
    officer = make_person("duty_officer")
    with transaction.atomic():
        for n in range(25):
            emit("test.ping", {"n": n, "text": "水位超警戒"}, actor=officer)
    # Every pg_dump / pg_restore call is recorded: the password must never be on a command line.
    spy = tmp_path / "bin"
    spy.mkdir()
    for tool in ("pg_dump", "pg_restore"):
        (spy / tool).write_text(
            f'#!/bin/sh\necho "$0 $*" >> {tmp_path}/argv.log\nexec {os.environ["DUTYOPS_TEST_PG_BIN"]}/{tool} "$@"\n'
        )
        (spy / tool).chmod(0o755)
    url = database_url_for_subprocess().replace("dutyops:@", "dutyops:s3cret-pw@")  # trust auth: any password
    env = dict(os.environ, PATH=f"{spy}:{os.environ['PATH']}", DATABASE_URL=url)
    dump = tmp_path / "dutyops.dump"
    subprocess.run([ROOT / "scripts" / "backup.sh", dump], env=env, check=True, capture_output=True)
    assert Path(dump).stat().st_size > 0
    assert stat.S_IMODE(Path(dump).stat().st_mode) == 0o600  # people and credentials: the owner's eyes only

    restored = f"{connection.settings_dict['NAME']}_restored"
    with connection.cursor() as cur:
        cur.execute(f'DROP DATABASE IF EXISTS "{restored}"')
        cur.execute(f'CREATE DATABASE "{restored}"')
    try:
        target = env["DATABASE_URL"].rsplit("/", 1)[0] + f"/{restored}"
        subprocess.run(
            [ROOT / "scripts" / "restore.sh", dump], env=dict(env, DATABASE_URL=target), check=True, capture_output=True
        )
        argv = (tmp_path / "argv.log").read_text()
        assert "pg_dump" in argv and "pg_restore" in argv and "s3cret-pw" not in argv
        with connection.cursor() as cur:
            original = _table_digest(cur)
        conn = psycopg2.connect(target)
        try:
            copy = _table_digest(conn.cursor())
        finally:
            conn.close()
        assert copy == original
        assert len(copy[1]) == Event.objects.count() >= 25
    finally:
        with connection.cursor() as cur:
            cur.execute(f'DROP DATABASE IF EXISTS "{restored}"')


def test_a_dump_holds_no_live_credential(transactional_db, make_person, tmp_path):
    """Issue 16: sessions and kept Idempotency-Key answers are dumped as empty tables; API
    tokens and calendar feed tokens are only digests. The tables themselves are there."""
    from django.contrib.sessions.backends.db import SessionStore
    from django.utils import timezone

    from duty.models import CalendarFeed
    from dutyops.models import ApiToken, IdempotencyRecord

    officer = make_person("duty_officer", username="dump_officer")
    session = SessionStore()
    session["_auth_user_id"] = str(officer.pk)
    session.create()
    IdempotencyRecord.objects.create(
        owner=f"person:{officer.pk}",
        key="k-1",
        fingerprint="f" * 64,
        created_at=timezone.now(),
        status=201,
        content_type="application/json",
        body=b'{"key": "dsk_kept-answer-marker"}',
    )
    _token, key = ApiToken.issue(officer)
    _feed, feed_token = CalendarFeed.issue(owner=officer, person=officer)
    dump = tmp_path / "dutyops.dump"
    env = dict(os.environ, DATABASE_URL=database_url_for_subprocess())
    subprocess.run([ROOT / "scripts" / "backup.sh", dump], env=env, check=True, capture_output=True)
    pg_restore = os.path.join(os.environ["DUTYOPS_TEST_PG_BIN"], "pg_restore")
    script = subprocess.run([pg_restore, "--file=-", dump], check=True, capture_output=True, text=True).stdout
    assert "dump_officer" in script  # the data is there
    assert "CREATE TABLE public.django_session" in script and "CREATE TABLE public.dutyops_idempotencyrecord" in script
    assert "COPY public.duty_calendarfeed " in script and "COPY public.dutyops_apitoken " in script
    assert "COPY public.django_session " not in script and "COPY public.dutyops_idempotencyrecord " not in script
    for secret in (session.session_key, "kept-answer-marker", b"kept-answer-marker".hex(), key, feed_token):
        assert secret not in script
