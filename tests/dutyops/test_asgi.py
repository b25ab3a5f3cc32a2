"""The ASGI entry point: HTTP requests bounded per process, served in arrival
order, on threads that each slot keeps."""

import asyncio
import json
import threading

import pytest
from channels.testing import HttpCommunicator
from django.core.signals import request_started

from dutyops import asgi
from dutyops.asgi import BoundedConcurrency
from incidents.models import Incident, Report
from tests.conftest import token_for


def test_requests_beyond_the_bound_wait_their_turn_in_arrival_order():
    inside, most, order = 0, 0, []

    async def app(scope, receive, send):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        order.append(scope["n"])
        await asyncio.sleep(0.01)
        inside -= 1

    async def arrive():
        bounded = BoundedConcurrency(app, 3)
        await asyncio.gather(*(bounded({"type": "http", "n": n}, None, None) for n in range(12)))

    asyncio.run(arrive())
    assert most == 3
    assert order == list(range(12))


def _request(method, url, body=b"", headers=()):
    headers = [(b"host", b"testserver"), *headers]
    if body:
        headers.append((b"content-length", str(len(body)).encode()))
    communicator = HttpCommunicator(asgi.application, method, url, body=body, headers=headers)
    return asyncio.run(communicator.get_response(timeout=10))


@pytest.mark.django_db(transaction=True)
def test_a_report_through_the_asgi_application_is_registered_with_the_security_headers(officer):
    body = json.dumps(
        {"kind": "first", "channel": "phone", "title": "万家丽路燃气泄漏", "category": "accident_disaster"}
    )
    response = _request(
        "POST",
        "/api/v1/reports/",
        body.encode(),
        [(b"authorization", f"Token {token_for(officer)}".encode()), (b"content-type", b"application/json")],
    )
    assert response["status"] == 201, response["body"]
    headers = dict(response["headers"])
    assert b"default-src 'self'" in headers[b"Content-Security-Policy"]
    created = json.loads(response["body"])
    assert Report.objects.get(pk=created["id"]).incident == Incident.objects.get(title="万家丽路燃气泄漏")


@pytest.mark.django_db(transaction=True)
def test_requests_run_on_the_slots_own_threads_not_one_new_thread_each():
    threads = []

    def record(**kwargs):
        threads.append(threading.current_thread())

    request_started.connect(record)  # a sync receiver: Django calls it in the request's thread
    try:
        for _ in range(6):
            assert _request("GET", "/healthz")["status"] == 200
    finally:
        request_started.disconnect(record)
    assert len(threads) == 6 and len(set(threads)) == 1 and threads[0].name.startswith("http-")
    assert threads[0].is_alive()
