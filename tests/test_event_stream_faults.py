"""The stream survives what a duty room's night brings: restarts and a Redis outage."""

import asyncio
import json
import shutil
import subprocess
import time
import urllib.request

import pytest
from django.db import transaction

from realtime.services import emit
from tests.conftest import free_port, token_for
from tests.wsclient import receive_for, run, stream_url


def _post_department(server, token, code):
    req = urllib.request.Request(
        f"{server.url}/api/v1/departments/",
        method="POST",
        data=json.dumps({"code": code, "name": code, "kind": "department"}).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    started = time.monotonic()
    with urllib.request.urlopen(req, timeout=20) as resp:
        return resp.status, time.monotonic() - started


def test_client_resumes_across_a_server_restart_without_missing_anything(servers, officer):
    server = servers.daphne()
    token = token_for(officer)
    with transaction.atomic():
        before = emit("test.ping", {"n": "before"}).seq
    seen = run(receive_for(stream_url(server, token=token, after=before - 1), 5, until=lambda m: m))
    server.stop()
    with transaction.atomic():
        while_down = [emit("test.ping", {"n": n}).seq for n in range(5)]
    server.start()
    got = run(receive_for(stream_url(server, token=token, after=seen[-1]["seq"]), 10, until=lambda m: len(m) >= 5))
    assert [m["seq"] for m in got] == while_down


@pytest.mark.postgres
def test_writes_succeed_and_boards_catch_up_while_redis_is_down(servers, make_person):
    """Redis stopped: the API still commits; live clients still get every event
    (from the event table) and keep getting them after Redis returns."""
    redis_server = shutil.which("redis-server")
    port = free_port()
    argv = [redis_server, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]
    redis = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
    try:
        time.sleep(0.3)
        server = servers.daphne(REDIS_URL=f"redis://127.0.0.1:{port}/0")
        token = token_for(make_person("admin"))

        async def scenario():
            nonlocal redis
            listener = asyncio.create_task(
                receive_for(stream_url(server, token=token), 30, until=lambda m: len(m) >= 6)
            )
            await asyncio.sleep(0.5)
            assert (await asyncio.to_thread(_post_department, server, token, "UP-1"))[0] == 201
            redis.terminate()
            redis.wait(5)
            for n in range(2, 5):
                status, seconds = await asyncio.to_thread(_post_department, server, token, f"DOWN-{n}")
                assert status == 201 and seconds < 5, "a write must not hang on a dead Redis"
            redis = subprocess.Popen(argv, stdout=subprocess.DEVNULL)
            await asyncio.sleep(1.5)
            for n in (5, 6):
                assert (await asyncio.to_thread(_post_department, server, token, f"UP-{n}"))[0] == 201
            return await listener

        got = run(scenario())
        assert [m["data"]["code"] for m in got] == ["UP-1", "DOWN-2", "DOWN-3", "DOWN-4", "UP-5", "UP-6"]
    finally:
        redis.terminate()
        redis.wait(5)
