"""realtime.consumers.write_frames: frames sent at once when nothing is queued, the
rest queued in order, and anything unusual left to twisted."""

import pytest
from autobahn.websocket.protocol import PreparedMessage

from realtime import consumers


class _Transport:
    """Twisted's plain TCP transport, as far as write_frame looks at it."""

    def __init__(self, takes=None, lost=False):
        self.dataBuffer, self._tempDataBuffer = b"", []
        self.connected, self.disconnecting = True, False
        self.takes, self.lost = takes, lost  # bytes the kernel accepts at once (None: all)
        self.sent, self.queued = b"", b""

    def writeSomeData(self, data):  # noqa: N802 - twisted's name
        if self.lost:
            return ConnectionError("lost")
        n = len(data) if self.takes is None else min(self.takes, len(data))
        self.sent += bytes(data[:n])
        return n

    def write(self, data):
        self.queued += data
        self._tempDataBuffer.append(data)


class _Protocol:
    def __init__(self, transport):
        self.transport, self.send_queue, self.via_autobahn = transport, [], []

    def sendData(self, data):  # noqa: N802 - autobahn's name
        self.via_autobahn.append(data)


@pytest.fixture(autouse=True)
def _plain_tcp(monkeypatch):
    monkeypatch.setattr(consumers, "PLAIN_TCP", (_Transport,))


def _frame(text):
    return PreparedMessage(text.encode(), isBinary=False, applyMask=False, doNotCompress=True)


def test_a_frame_goes_out_at_once_when_nothing_is_queued():
    protocol = _Protocol(_Transport())
    frame = _frame("事件").payloadHybi
    consumers.write_frames(protocol, frame)
    assert protocol.transport.sent == frame and protocol.transport.queued == b""
    assert protocol.via_autobahn == []


def test_what_the_kernel_does_not_take_is_queued_and_the_next_frame_waits_behind_it():
    protocol = _Protocol(_Transport(takes=3))
    first, second = _frame("第一条事件").payloadHybi, _frame("第二条").payloadHybi
    consumers.write_frames(protocol, first)
    consumers.write_frames(protocol, second)
    transport = protocol.transport
    assert transport.sent == first[:3]
    assert transport.queued == first[3:]  # the rest of the first, in twisted's queue ...
    assert protocol.via_autobahn == [second]  # ... so the second goes behind it, never before


def test_a_lost_connection_or_another_transport_is_left_to_twisted():
    lost = _Protocol(_Transport(lost=True))
    frame = _frame("事件").payloadHybi
    consumers.write_frames(lost, frame)
    assert lost.transport.queued == frame  # twisted finds the connection gone and closes it

    class _Tls(_Transport):
        pass

    tls = _Protocol(_Tls())
    consumers.write_frames(tls, frame)
    assert tls.via_autobahn == [frame] and tls.transport.sent == b""


def test_under_daphne_the_hub_writes_frames_through_the_whole_auth_stack(transactional_db):
    """The pre-framed fast path needs daphne's protocol behind the `send` the consumer
    gets; Channels' session middleware wraps that send, and the fast path must see
    through it (it did not, and every socket built its own frame)."""
    import asyncio
    import functools

    from realtime.auth import EventStreamAuthStack
    from realtime.consumers import _daphne_protocol

    class _AutobahnProtocol:
        _perMessageCompress = None  # noqa: N815 - autobahn's name

        def sendPreparedMessage(self, frame):  # noqa: N802 - autobahn's name
            pass

    protocol, seen = _AutobahnProtocol(), []

    async def handle_reply(protocol, message):
        pass

    async def consumer(scope, receive, send):
        seen.append(send)

    async def receive():
        return {"type": "websocket.connect"}

    scope = {"type": "websocket", "path": "/ws/events/", "headers": [], "query_string": b"", "client": ("127.0.0.1", 1)}
    asyncio.run(EventStreamAuthStack(consumer)(scope, receive, functools.partial(handle_reply, protocol)))
    assert _daphne_protocol(seen[0]) is protocol
    assert _daphne_protocol(lambda message: None) is None  # another server: plain ASGI sends
