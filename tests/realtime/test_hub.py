"""The process hub: one socket that fails never holds back the others."""

import asyncio
import json

from django.utils import timezone

from realtime.hub import GAP_GRACE_SECONDS, STAFF, Hub
from realtime.wire import message


class _Socket:
    def __init__(self, rooms, fail=False):
        self.rooms, self.language, self.fail, self.got, self.writes = rooms, "zh-hans", fail, [], []

    async def take(self, run, data):
        if self.fail:
            raise ConnectionError("Attempt to send on a closed protocol")
        self.got += [seq for seq, _text, _frame in run]
        self.writes.append(data)


def test_a_socket_closed_under_the_hub_is_dropped_and_the_others_still_hear_the_event():
    async def scenario():
        hub = Hub()
        closed, office, water, fire = _Socket((STAFF,), fail=True), _Socket((STAFF,)), _Socket((7,)), _Socket((8,))
        for socket in (closed, office, water, fire):
            hub.add(socket)
        for seq in (1, 2):
            await hub._deliver([message(seq, "alert.fed_back", timezone.now(), {}, [7])])
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


def test_what_arrived_together_goes_to_each_socket_in_one_write_each_event_its_own_frame(monkeypatch):
    """A busy hub sends a socket the run of events that queued up while it worked
    in one write: fewer sends, the same WebSocket messages in the same order, and
    each socket only the events its rooms may see."""
    monkeypatch.setattr("realtime.hub.selectors.events_after", lambda *args: [])

    async def scenario():
        hub = Hub()
        office, water, fire = _Socket((STAFF,)), _Socket((7,)), _Socket((8,))
        for socket in (office, water, fire):
            hub.add(socket)
        pump = asyncio.create_task(hub._pump())
        for seq, audience in ((1, [7]), (2, []), (3, [7, 8])):
            hub._inbox.put_nowait(message(seq, "department.updated", timezone.now(), {"name": f"第{seq}"}, audience))
        await asyncio.sleep(0.005)
        pump.cancel()
        return office, water, fire

    office, water, fire = asyncio.run(scenario())
    assert (office.got, water.got, fire.got) == ([1, 2, 3], [1, 3], [3])
    assert len(office.writes) == len(water.writes) == len(fire.writes) == 1
    texts = _frames(office.writes[0])
    assert [json.loads(text)["seq"] for text in texts] == [1, 2, 3]
    assert [json.loads(text)["seq"] for text in _frames(water.writes[0])] == [1, 3]


def _frames(data):
    """Split unmasked, unfragmented server text frames (RFC 6455) into their texts."""
    texts, i = [], 0
    while i < len(data):
        assert data[i] == 0x81  # FIN, text
        length, i = data[i + 1], i + 2
        if length == 126:
            length, i = int.from_bytes(data[i : i + 2], "big"), i + 2
        elif length == 127:
            length, i = int.from_bytes(data[i : i + 8], "big"), i + 8
        texts.append(data[i : i + length].decode())
        i += length
    return texts
