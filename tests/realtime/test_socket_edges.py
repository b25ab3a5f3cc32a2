"""The event stream's edges against real daphne (issue 16, item 6): the Origin
check compares scheme, host and port; one person holds at most
DUTYOPS_MAX_SOCKETS_PER_PERSON sockets (one more is closed with 4429); a deeply
nested JSON frame from a client changes nothing."""

import asyncio
import json

import pytest
from django.db import transaction
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from realtime.auth import CLOSE_TOO_MANY_SOCKETS
from realtime.services import emit
from tests.conftest import token_for
from tests.wsclient import close_code, receive_for, run, stream_url


def opens(url, headers=None):
    """True when the server accepts the socket (and keeps it open for a moment)."""

    async def go():
        try:
            await receive_for(url, 0.5, headers=headers)
        except Exception as exc:  # noqa: BLE001 - refused at the handshake or closed
            return repr(exc)
        return True

    return run(go())


def test_origin_must_match_scheme_host_and_port(servers, officer):
    server = servers.daphne()
    url = stream_url(server, token=token_for(officer))
    own = f"http://127.0.0.1:{server.port}"
    assert opens(url, {"Origin": own}) is True
    assert opens(url) is True  # no Origin: not a browser, the token decides
    for other in (
        f"https://127.0.0.1:{server.port}",  # another scheme
        f"http://127.0.0.1:{server.port + 1}",  # another port
        "http://127.0.0.1",  # the default port
        f"http://localhost:{server.port}",  # another host (though an allowed one)
        "http://evil.example",
        "null",
    ):
        assert run(close_code(url, headers={"Origin": other})) == "http 403", other


def test_listed_origins_match_exactly(servers, officer):
    server = servers.daphne(
        DUTYOPS_ALLOWED_ORIGINS="https://duty.example.gov:8443", DUTYOPS_ALLOWED_HOSTS="127.0.0.1,duty.example.gov"
    )
    url = stream_url(server, token=token_for(officer))
    assert opens(url, {"Origin": "https://duty.example.gov:8443"}) is True
    for other in ("https://duty.example.gov", "http://duty.example.gov:8443", "https://evil.duty.example.gov:8443"):
        assert run(close_code(url, headers={"Origin": other})) == "http 403", other


def test_https_behind_a_trusted_proxy_only(servers, officer):
    """Behind nginx (TLS), the page is https://host while daphne hears ws://: the
    proxy's X-Forwarded-Proto says so, believed only from a trusted proxy."""
    trusted = servers.daphne(DUTYOPS_TRUSTED_PROXIES="127.0.0.1")
    untrusted = servers.daphne(DUTYOPS_TRUSTED_PROXIES="10.9.9.9")
    token = token_for(officer)
    for server, accepted in ((trusted, True), (untrusted, False)):
        url = stream_url(server, token=token)
        headers = {"Origin": f"https://127.0.0.1:{server.port}", "X-Forwarded-Proto": "https"}
        result = opens(url, headers)
        assert (result is True) is accepted, (server.port, result)
    # From the trusted proxy over HTTPS, a plain-http page is another origin.
    url = stream_url(trusted, token=token)
    headers = {"Origin": f"http://127.0.0.1:{trusted.port}", "X-Forwarded-Proto": "https"}
    assert run(close_code(url, headers=headers)) == "http 403"


def test_a_person_holds_at_most_the_configured_number_of_sockets(servers, officer, make_person):
    server = servers.daphne(DUTYOPS_MAX_SOCKETS_PER_PERSON="2")
    url = stream_url(server, token=token_for(officer))
    other = stream_url(server, token=token_for(make_person("duty_officer")))

    async def scenario():
        first = await connect(url, open_timeout=10)
        second = await connect(url, open_timeout=10)
        third_code = await close_code(url)
        others = [await connect(other, open_timeout=10), await connect(other, open_timeout=10)]
        await first.close()
        await asyncio.sleep(0.5)  # the server hears the close
        again = await connect(url, open_timeout=10)
        try:
            await asyncio.wait_for(again.recv(), timeout=0.5)
            again_open = True
        except TimeoutError:
            again_open = True
        except ConnectionClosed:
            again_open = False
        for ws in (second, again, *others):
            await ws.close()
        return third_code, again_open

    third_code, again_open = run(scenario())
    assert third_code == CLOSE_TOO_MANY_SOCKETS == 4429
    assert again_open  # closing one frees its place


def test_a_deeply_nested_frame_from_a_client_changes_nothing(servers, officer):
    server = servers.daphne()
    url = stream_url(server, token=token_for(officer))

    async def scenario():
        async with connect(url, open_timeout=10) as ws:
            await ws.send("[" * 100_000 + "]" * 100_000)
            await ws.send(json.dumps({"a": "b"}))
            await asyncio.sleep(0.3)
            await asyncio.to_thread(_emit)
            return json.loads(await asyncio.wait_for(ws.recv(), timeout=10))

    message = run(scenario())
    assert message["type"] == "test.ping"


def _emit():
    from django.db import connections

    try:
        with transaction.atomic():
            emit("test.ping", {"n": 1})
    finally:
        connections.close_all()


pytestmark = pytest.mark.django_db(transaction=True)
