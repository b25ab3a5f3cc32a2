"""Faults survived: a daphne process killed, PostgreSQL restarted."""

import os
import shlex
import subprocess
import time
import urllib.error
import urllib.request

import pytest
from django.db import connection, transaction

from realtime.services import emit
from tests.conftest import token_for
from tests.wsclient import receive_for, run, stream_url


def _get(url, token, timeout=15):
    req = urllib.request.Request(url, headers={"Authorization": f"Token {token}"})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            return resp.status, time.monotonic() - started
    except urllib.error.HTTPError as exc:
        return exc.code, time.monotonic() - started


def test_clients_of_a_killed_daphne_resume_on_another_and_miss_nothing(servers, officer):
    a, b = servers.daphne(), servers.daphne()
    token = token_for(officer)
    with transaction.atomic():
        start = emit("test.ping", {"n": "start"}).seq
    seen = run(receive_for(stream_url(a, token=token, after=start - 1), 5, until=lambda m: m))
    a.stop(kill=True)  # SIGKILL: no goodbye to anyone
    with transaction.atomic():
        written = [emit("test.ping", {"n": n}).seq for n in range(10)]
    got = run(receive_for(stream_url(b, token=token, after=seen[-1]["seq"]), 10, until=lambda m: len(m) >= 10))
    assert [m["seq"] for m in got] == written


@pytest.mark.postgres
@pytest.mark.disruptive
def test_postgres_restart_gives_503_not_a_hang_and_recovers_by_itself(servers, officer):
    server = servers.daphne()
    token = token_for(officer)
    url = f"{server.url}/api/v1/departments/"
    assert _get(url, token)[0] == 200
    data = os.environ["DUTYOPS_TEST_PG_DATA"]
    pg_ctl = [os.path.join(os.environ["DUTYOPS_TEST_PG_BIN"], "pg_ctl"), "-D", data]
    as_pg = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    with open(os.path.join(data, "postmaster.opts")) as f:  # the options the server was started with
        options = shlex.split(f.read())[3:]  # drop the binary, "-D" and the folder
    connection.close()
    subprocess.run([*as_pg, *pg_ctl, "-m", "fast", "-w", "stop"], check=True, capture_output=True)
    try:
        status, seconds = _get(url, token)
        assert status == 503 and seconds < 10
        assert _get(f"{server.url}/healthz", token)[0] == 503
    finally:
        subprocess.run(
            [*as_pg, *pg_ctl, "-w", "start", "-l", os.path.join(data, "server.log"), "-o", shlex.join(options)],
            check=True,
            capture_output=True,
        )
    deadline = time.monotonic() + 15
    while _get(url, token)[0] != 200:
        assert time.monotonic() < deadline, "did not recover after PostgreSQL came back"
        time.sleep(0.5)
