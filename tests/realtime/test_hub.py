"""The process hub: one socket that fails never holds back the others."""

import asyncio

from django.utils import timezone

from realtime.hub import GAP_GRACE_SECONDS, STAFF, Hub
from realtime.wire import message


class _Socket:
    def __init__(self, rooms, fail=False):
        self.rooms, self.language, self.fail, self.got = rooms, "zh-hans", fail, []

    async def offer(self, seq, payload, frame):
        if self.fail:
            raise ConnectionError("Attempt to send on a closed protocol")
        self.got.append(seq)


def test_a_socket_closed_under_the_hub_is_dropped_and_the_others_still_hear_the_event():
    async def scenario():
        hub = Hub()
        closed, office, water, fire = _Socket((STAFF,), fail=True), _Socket((STAFF,)), _Socket((7,)), _Socket((8,))
        for socket in (closed, office, water, fire):
            hub.add(socket)
        for seq in (1, 2):
            await hub._deliver(message(seq, "alert.fed_back", timezone.now(), {}, [7]))
        return hub, closed, office, water, fire

    hub, closed, office, water, fire = asyncio.run(scenario())
    assert office.got == [1, 2] and water.got == [1, 2] and fire.got == []  # the audience, and only it
    assert closed not in hub._sockets and hub.connected == 3


def test_events_arriving_out_of_order_are_delivered_in_order_without_reading_the_table(monkeypatch):
    """A process's own events come straight from its request threads, the others'
    through Redis: one that arrives early waits for those before it."""
    reads = []
    monkeypatch.setattr("realtime.hub.selectors.events_after", lambda *args: reads.append(args) or [])

    async def scenario():
        hub = Hub()
        office = _Socket((STAFF,))
        hub.add(office)
        pump = asyncio.create_task(hub._pump())
        for seq in (2, 3, 1, 1, 4):  # 1 late, then its Redis copy
            hub._inbox.put_nowait(message(seq, "department.updated", timezone.now(), {}, []))
        await asyncio.sleep(0.005)
        pump.cancel()
        return office.got

    assert asyncio.run(scenario()) == [1, 2, 3, 4]
    assert reads == []


def test_a_gap_that_does_not_fill_is_read_from_the_table(monkeypatch):
    """A seq left unused by a rolled-back append (or an event lost on the way) never
    arrives: after the grace the hub reads the table and goes on past it."""
    now = timezone.now()

    class _Audience:
        def all(self):
            return []

    class _Stored:
        seq, type, at, data, audience = 3, "department.updated", now, {}, _Audience()

    reads = []

    def events_after(after, limit):
        reads.append(after)
        return [_Stored()] if after < 3 else []

    monkeypatch.setattr("realtime.hub.selectors.events_after", events_after)

    async def scenario():
        hub = Hub()
        hub.last_seq = 1
        office = _Socket((STAFF,))
        hub.add(office)
        pump = asyncio.create_task(hub._pump())
        hub._inbox.put_nowait(message(3, "department.updated", now, {}, []))
        await asyncio.sleep(0.005)
        waited = list(office.got)
        await asyncio.sleep(GAP_GRACE_SECONDS * 3)
        hub._inbox.put_nowait(message(4, "department.updated", now, {}, []))
        await asyncio.sleep(0.005)
        pump.cancel()
        return waited, office.got

    waited, got = asyncio.run(scenario())
    assert waited == []  # 3 waited for 2 ...
    assert got == [3, 4]  # ... which never came: 3 from the table, then 4 as it arrived
    assert reads[0] == 1
