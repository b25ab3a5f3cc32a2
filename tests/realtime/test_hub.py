"""The process hub: one socket that fails never holds back the others."""

import asyncio

from django.utils import timezone

from realtime.hub import STAFF, Hub
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
