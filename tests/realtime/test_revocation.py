"""Revocation closes open sockets on real daphne processes within 5 s (issue 16,
CONTRACT.md "Roles and scope"): deactivation, a new password, other roles or
another department, and a rotated kiosk token, each for a token socket and a
session socket, on the process that made the change and on another one.

On the first pass (SQLite, in-memory layer) the other process learns it from its
periodic re-check (DUTYOPS_REVOCATION_SECONDS); on the second (PostgreSQL +
Redis) from the notice on the channel layer. Either way within 5 s."""

import asyncio
import io
import json
import time
import urllib.request

import pytest
from django.core.management import call_command
from django.test import Client
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from realtime.revocation import CLOSE_REVOKED
from tests.conftest import token_for
from tests.wsclient import close_code, run, stream_url

LIMIT = 5.0


def _request(server, method, path, token, body=None):
    req = urllib.request.Request(
        f"{server.url}{path}",
        method=method,
        data=json.dumps(body).encode() if body is not None else None,
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


def _cookie(session):
    return {"Cookie": f"sessionid={session.cookies['sessionid'].value}"}


async def _until_closed(ws, seconds):
    """(close code, reason, time.monotonic() at close), or (None, None, None) if still open."""
    deadline = asyncio.get_running_loop().time() + seconds
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout=max(0.01, deadline - asyncio.get_running_loop().time()))
    except ConnectionClosed as exc:
        return (exc.rcvd.code if exc.rcvd else None), (exc.rcvd.reason if exc.rcvd else None), time.monotonic()
    except TimeoutError:
        return None, None, None


async def _closed_after(sockets, act, seconds=LIMIT + 3):
    """Open `sockets` [(url, headers)], run `act()` (in a thread), and return, per
    socket, (code, reason, seconds from the end of act() to the close)."""
    opened = [await connect(url, additional_headers=headers, open_timeout=10) for url, headers in sockets]
    try:
        await asyncio.sleep(0.5)  # each server has registered its socket
        for ws in opened:
            assert ws.state.name == "OPEN"
        await asyncio.to_thread(act)
        acted = time.monotonic()
        results = await asyncio.gather(*(_until_closed(ws, seconds) for ws in opened))
    finally:
        for ws in opened:
            await ws.close()
    return [(code, reason, None if at is None else round(at - acted, 2)) for code, reason, at in results]


CHANGES = {
    "deactivated": ("DELETE", None),
    "password": ("PATCH", {"password": "Another-pw-2026"}),
    "roles": ("PATCH", {"roles": ["liaison"]}),
    "department": ("PATCH", "other department"),
}


@pytest.mark.parametrize("change", sorted(CHANGES))
def test_a_change_closes_the_persons_sockets_on_every_process_within_5_s(change, servers, make_person, make_department):
    admin = token_for(make_person("admin"))
    person = make_person("duty_officer")
    other = make_department("另一个单位")
    session = Client()
    session.force_login(person)
    a, b = servers.daphne(), servers.daphne()
    method, body = CHANGES[change]
    body = {"department": other.pk} if body == "other department" else body

    def act():
        assert _request(a, method, f"/api/v1/people/{person.pk}/", admin, body) in (200, 204)

    token = token_for(person)
    closes = run(
        _closed_after(
            [
                (stream_url(a, token=token), None),  # where the change is made
                (stream_url(b, token=token), None),  # another process
                (stream_url(b), _cookie(session)),  # a browser's session
            ],
            act,
        )
    )
    print(f"{change}: closed after {[c[2] for c in closes]} s")
    for code, _reason, seconds in closes:
        assert code == CLOSE_REVOKED and seconds is not None and seconds < LIMIT, closes
    # And they cannot come back.
    assert run(close_code(stream_url(b, token=token))) == CLOSE_REVOKED
    assert run(close_code(stream_url(a), _cookie(session))) == CLOSE_REVOKED


def test_other_edits_leave_the_socket_open(servers, make_person):
    admin = token_for(make_person("admin"))
    person = make_person("duty_officer")
    server = servers.daphne()

    def act():
        body = {"phone": "13900000000", "roles": ["duty_officer"]}  # same roles: no change
        assert _request(server, "PATCH", f"/api/v1/people/{person.pk}/", admin, body) == 200

    # Longer than the re-check: it found nothing to close either.
    closes = run(_closed_after([(stream_url(server, token=token_for(person)), None)], act, seconds=4))
    assert closes == [(None, None, None)]


def test_rotating_the_kiosk_token_closes_the_boards_sockets_within_5_s(servers):
    out = io.StringIO()
    call_command("board_token", stdout=out)
    old = out.getvalue().strip().split("token=")[1]
    kiosk = Client()
    assert kiosk.get(f"/board/?token={old}").status_code == 302  # the 30-day kiosk session
    a, b = servers.daphne(), servers.daphne()
    rotated = io.StringIO()

    def act():  # on the command line, outside either server
        call_command("board_token", "--rotate", stdout=rotated)

    closes = run(_closed_after([(stream_url(a), _cookie(kiosk)), (stream_url(b, token=old), None)], act))
    print(f"kiosk rotation: closed after {[c[2] for c in closes]} s")
    for code, _reason, seconds in closes:
        assert code == CLOSE_REVOKED and seconds is not None and seconds < LIMIT, closes
    assert run(close_code(stream_url(a), _cookie(kiosk))) == CLOSE_REVOKED
    assert run(close_code(stream_url(b, token=old))) == CLOSE_REVOKED
    new = rotated.getvalue().strip().split("token=")[1]
    assert run(_closed_after([(stream_url(b, token=new), None)], lambda: None, seconds=1)) == [(None, None, None)]


def test_deleting_the_token_a_socket_was_opened_with_closes_it(servers, make_person):
    """Only that token's sockets: the person's others stay open."""
    from dutyops.models import ApiToken

    person = make_person("duty_officer")
    server = servers.daphne()
    doomed, kept = token_for(person), token_for(person)

    def act():
        ApiToken.objects.filter(user=person).order_by("created", "pk").first().delete()

    closes = run(_closed_after([(stream_url(server, token=doomed), None), (stream_url(server, token=kept), None)], act))
    assert closes[0][0] == CLOSE_REVOKED and closes[0][2] < LIMIT and closes[1] == (None, None, None), closes
