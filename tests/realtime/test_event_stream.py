"""The durable event stream: ordering, replay, audience, and delivery through real daphne."""

import asyncio
import json
import random
import threading
import time
import urllib.request

import pytest
from django.db import connection, transaction

from realtime.models import Event
from realtime.services import emit, events_at_end
from tests.conftest import token_for
from tests.wsclient import close_code, receive_for, run, stream_url


def _emit_committed(type="test.ping", departments=(), **data):
    with transaction.atomic():
        return emit(type, data, departments=departments)


def test_events_at_end_appends_in_emit_order_and_drops_rolled_back_ones(db):
    before = Event.objects.count()
    with transaction.atomic(), events_at_end():
        emit("test.ping", {"n": 1})
        assert Event.objects.count() == before  # held back until the block ends
        try:
            with transaction.atomic():
                emit("test.ping", {"n": "lost"})
                raise RuntimeError("the change this event recorded failed")
        except RuntimeError:
            pass
        emit("test.ping", {"n": 2})
    events = list(Event.objects.order_by("seq")[before:])
    assert [e.data["n"] for e in events] == [1, 2]
    assert events[0].at == events[1].at


def test_events_at_end_needs_a_transaction(transactional_db):
    with pytest.raises(transaction.TransactionManagementError), events_at_end():
        pass


# --- HTTP --------------------------------------------------------------------


def test_http_events_after_returns_newer_events_in_order(officer, client_for):
    first = _emit_committed(n=1)
    _emit_committed(n=2)
    _emit_committed(n=3)
    body = client_for(officer).get(f"/api/v1/events/?after={first.seq}").json()
    assert [e["data"]["n"] for e in body["results"]] == [2, 3]
    assert body["count"] == 2 and body["next"] is None
    envelope = body["results"][0]
    assert set(envelope) == {"seq", "type", "at", "data"}
    assert envelope["type"] == "test.ping" and envelope["at"].endswith("+08:00")


def test_http_events_pages_with_next_link(officer, client_for):
    for n in range(5):
        _emit_committed(n=n)
    client = client_for(officer)
    body = client.get("/api/v1/events/?after=0&limit=2").json()
    seen = [e["data"]["n"] for e in body["results"]]
    while body["next"]:
        body = client.get(body["next"]).json()
        seen += [e["data"]["n"] for e in body["results"]]
    assert seen == [0, 1, 2, 3, 4]


@pytest.mark.parametrize("query", ["after=-1", "after=abc", "limit=0", "limit=100000"])
def test_http_events_bad_query_is_400(officer, client_for, query):
    response = client_for(officer).get(f"/api/v1/events/?{query}")
    assert response.status_code == 400
    assert set(response.json()) <= {"after", "limit"}


def test_http_events_require_auth(client):
    assert client.get("/api/v1/events/").status_code in (401, 403)


def test_liaison_sees_only_its_departments_events_over_http(make_person, make_department, client_for):
    water, fire = make_department("水利局"), make_department("消防")
    liaison = make_person("liaison", dept=water)
    _emit_committed(dept="water", departments=[water.pk])
    _emit_committed(dept="fire", departments=[fire.pk])
    _emit_committed(dept="none")
    results = client_for(liaison).get("/api/v1/events/").json()["results"]
    assert [e["data"]["dept"] for e in results] == ["water"]


def test_emit_rolled_back_with_its_change_leaves_no_event(db):
    before = Event.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        emit("test.ping", {})
        raise RuntimeError("the change failed")
    assert Event.objects.count() == before


def test_events_cannot_be_changed_in_admin(make_person, client):
    admin = make_person("admin", is_staff=True, is_superuser=True)
    event = _emit_committed()
    client.force_login(admin)
    assert client.post(f"/admin/realtime/event/{event.seq}/delete/", {"post": "yes"}).status_code == 403
    assert Event.objects.filter(seq=event.seq).exists()


# --- WebSocket against real daphne -----------------------------------------------


def test_unauthenticated_socket_is_closed_with_4401(servers, db):
    server = servers.daphne()
    assert run(close_code(stream_url(server))) == 4401
    assert run(close_code(stream_url(server, token="not-a-token"))) == 4401


def test_socket_from_another_site_is_refused(servers, officer):
    server = servers.daphne()
    url = stream_url(server, token=token_for(officer))
    assert run(close_code(url, headers={"Origin": "http://evil.example"})) == "http 403"


def test_token_header_and_query_both_authenticate(servers, officer):
    server = servers.daphne()
    event = _emit_committed(n=1)
    token = token_for(officer)
    by_query = run(receive_for(stream_url(server, token=token, after=event.seq - 1), 5, until=lambda m: m))
    by_header = run(
        receive_for(
            stream_url(server, after=event.seq - 1), 5, headers={"Authorization": f"Token {token}"}, until=lambda m: m
        )
    )
    assert by_query[0]["seq"] == by_header[0]["seq"] == event.seq


def test_reconnect_with_after_gets_every_missed_event_once_in_order(servers, officer):
    server = servers.daphne()
    token = token_for(officer)
    seen = run(receive_for(stream_url(server, token=token, after=0), 1))
    last = seen[-1]["seq"] if seen else 0
    written = [_emit_committed(n=n).seq for n in range(10)]  # while disconnected
    got = run(receive_for(stream_url(server, token=token, after=last), 10, until=lambda m: len(m) >= 10))
    assert [m["seq"] for m in got] == written

    # and then it goes on live, without repeating anything
    async def live_then_write():
        task = asyncio.create_task(
            receive_for(stream_url(server, token=token, after=written[-1]), 10, until=lambda m: len(m) >= 1)
        )
        await asyncio.sleep(0.5)
        await asyncio.to_thread(lambda: (_emit_committed(n="live"), connection.close()))
        return await task

    live = run(live_then_write())
    assert [m["data"]["n"] for m in live] == ["live"]


def test_liaison_socket_never_receives_other_departments_events(servers, make_person, make_department):
    water, fire = make_department("水利局"), make_department("消防")
    server = servers.daphne()
    liaison = make_person("liaison", dept=water)
    start = _emit_committed(n="start").seq
    for i in range(20):
        _emit_committed(dept="fire", departments=[fire.pk], i=i)
        _emit_committed(dept="water", departments=[water.pk], i=i)
        _emit_committed(dept="all-staff", i=i)
    got = run(receive_for(stream_url(server, token=token_for(liaison), after=start), 5, until=lambda m: len(m) >= 20))
    assert len(got) == 20 and {m["data"]["dept"] for m in got} == {"water"}


def test_concurrent_writers_never_make_a_resuming_client_miss_an_event(servers, officer):
    """20 writers, 2,000 events, each committed after a random pause, while a
    client keeps disconnecting and resuming with ?after=: it sees every
    committed event exactly once, in seq order."""
    server = servers.daphne()
    token = token_for(officer)
    start = _emit_committed(n="start").seq
    writers_done = threading.Event()

    def writer(w):
        try:
            for n in range(100):
                with transaction.atomic():
                    emit("test.tick", {"w": w, "n": n})
                    time.sleep(random.random() * 0.003)  # hold the transaction open a while
        finally:
            connection.close()

    async def resuming_client():
        cursor, received, last = start, [], None
        while last is None or cursor < last:
            if last is None and writers_done.is_set():
                # Every writer has committed: the client is done once it has seen the last seq
                # (not at its first empty window, which a busy machine can make happen early).
                last = await asyncio.to_thread(_last_seq)
            batch = await receive_for(stream_url(server, token=token, after=cursor), random.uniform(0.05, 0.4))
            received += batch
            if batch:
                cursor = batch[-1]["seq"]
        return received

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(20)]
    for t in threads:
        t.start()

    def wait_writers():
        for t in threads:
            t.join()
        writers_done.set()

    async def main():
        waiter = asyncio.create_task(asyncio.to_thread(wait_writers))
        received = await resuming_client()
        await waiter
        return received

    received = run(main())
    seqs = [m["seq"] for m in received]
    committed = list(Event.objects.filter(seq__gt=start, type="test.tick").values_list("seq", flat=True))
    assert len(committed) == 2000
    assert seqs == sorted(set(seqs)), "duplicates or out of order"
    assert seqs == committed


def _last_seq():
    try:
        return Event.objects.order_by("-seq").values_list("seq", flat=True).first()
    finally:
        connection.close()


def _post_json(server, path, token, body):
    req = urllib.request.Request(
        f"{server.url}{path}",
        method="POST",
        data=json.dumps(body).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(req, timeout=10) as resp:
        return resp.status


def test_two_daphne_processes_both_deliver_an_event_written_through_either(servers, make_person):
    token = token_for(make_person("admin"))
    a, b = servers.daphne(), servers.daphne()
    start = _emit_committed(n="start").seq

    async def main():
        listeners = [
            asyncio.create_task(receive_for(stream_url(s, token=token, after=start), 15, until=lambda m: len(m) >= 2))
            for s in (a, b)
        ]
        await asyncio.sleep(0.5)
        for server, code in ((a, "VIA-A"), (b, "VIA-B")):
            assert (
                await asyncio.to_thread(
                    _post_json,
                    server,
                    "/api/v1/departments/",
                    token,
                    {"code": code, "name": code, "kind": "department"},
                )
                == 201
            )
        return await asyncio.gather(*listeners)

    for got in run(main()):
        assert [m["data"]["code"] for m in got] == ["VIA-A", "VIA-B"]


def test_times_in_event_data_are_shown_in_the_configured_zone(db):
    import datetime

    from django.utils import timezone

    due = timezone.now().astimezone(datetime.UTC).replace(hour=1, minute=30, second=0, microsecond=0)
    event = _emit_committed(due_at=due)
    assert event.data["due_at"] == f"{due.date().isoformat()}T09:30:00+08:00"  # UTC+8, same day


@pytest.mark.postgres
def test_the_database_refuses_to_rewrite_or_delete_events(db):
    from django.db import DatabaseError

    event = _emit_committed(n=1)
    for sql in (
        "UPDATE realtime_event SET type = 'forged' WHERE seq = %s",
        "DELETE FROM realtime_event WHERE seq = %s",
    ):
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cur:
            cur.execute(sql, [event.seq])
    assert Event.objects.get(seq=event.seq).type == "test.ping"
