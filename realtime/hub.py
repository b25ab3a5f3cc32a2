"""One event hub per server process.

Instead of a channel-layer message per socket (1,000 sockets = 1,000 Redis
messages per event), each process subscribes once to the event group and
pushes the already-encoded payload to its local sockets. The event table is
the source of truth: a gap in seq, a silent layer or a Redis outage makes the
hub read what it missed from the database, so no socket ever skips an event.
"""

import asyncio
import gc
import logging

from autobahn.websocket.protocol import PreparedMessage
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings

from . import selectors, trace
from .wire import GROUP, Rendered, message_of

log = logging.getLogger(__name__)

CATCH_UP_BATCH = 1000
REJOIN_SECONDS = 600  # group membership expires in the layer after a day
FREEZE_AFTER_SECONDS = 1.0
COMPACT_AFTER_CLOSED = 200
STAFF = "*"
# How long an event that arrived early waits for the ones before it to arrive
# before the hub reads them from the table (another process's event comes
# through Redis in about a millisecond).
GAP_GRACE_SECONDS = 0.02


class Hub:
    def __init__(self):
        # Sockets by the rooms they may see (STAFF: every event; department ids:
        # an event reaches them when one is in its audience) and the language
        # they read. Sockets of one kind get the same frames, so an event is
        # rendered and framed once per language, and a run of events is joined
        # once per kind.
        self._kinds = {}
        self._sockets = set()
        self.last_seq = 0
        self._inbox = asyncio.Queue()
        self._early = {}  # seq -> message that arrived before the one it follows
        self._early_deadline = 0.0
        self.loop = asyncio.get_running_loop()
        self._tasks = []
        self._started = None
        self._freeze = None
        self._gone = 0

    async def ensure_started(self):
        if self._started is None:
            self._started = asyncio.get_running_loop().create_future()
            self.last_seq = await database_sync_to_async(selectors.latest_seq)()
            self._tasks = [asyncio.create_task(self._pump())]
            if settings.REDIS_URL:  # other processes' events arrive through Redis
                self._tasks.append(asyncio.create_task(self._listen()))
            self._started.set_result(True)
        await self._started

    @property
    def connected(self):
        return len(self._sockets)

    def add(self, socket):
        self._sockets.add(socket)
        self._kinds.setdefault((socket.rooms, socket.language), set()).add(socket)
        # Sockets live for hours: once connections settle, move their objects
        # out of the cyclic GC's reach, or each full collection pauses every
        # socket of the process for 100+ ms with a thousand clients connected.
        if self._freeze is not None:
            self._freeze.cancel()
        self._freeze = asyncio.get_running_loop().call_later(FREEZE_AFTER_SECONDS, gc.freeze)

    def discard(self, socket):
        self._sockets.discard(socket)
        kind = self._kinds.get((socket.rooms, socket.language))
        if kind is not None:
            kind.discard(socket)
            if not kind:
                del self._kinds[(socket.rooms, socket.language)]
        # Frozen objects of closed sockets are only reclaimed by a full
        # collection; run one once as many sockets have gone as remain.
        self._gone += 1
        if self._gone >= max(COMPACT_AFTER_CLOSED, self.connected):
            self._gone = 0
            asyncio.get_running_loop().call_later(FREEZE_AFTER_SECONDS, _compact)

    async def _listen(self):
        """Receive broadcasts from the channel layer, forever, surviving outages."""
        backoff = 0.5
        while True:
            layer = get_channel_layer()
            try:
                channel = await layer.new_channel()
                await layer.group_add(GROUP, channel)
                joined = asyncio.get_running_loop().time()
                backoff = 0.5
                self._inbox.put_nowait(None)  # read anything sent while we were away
                while True:
                    message = await layer.receive(channel)
                    for event in message["events"]:
                        self._inbox.put_nowait(event)
                    if asyncio.get_running_loop().time() - joined > REJOIN_SECONDS:
                        await layer.group_add(GROUP, channel)
                        joined = asyncio.get_running_loop().time()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - layer down: poll the table meanwhile
                log.warning("event hub lost the channel layer (%s); retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5)

    async def _pump(self):
        """The only task that delivers, so sockets see events in seq order.

        Events can arrive out of order: this process's own come straight from
        its request threads, the others' through Redis, and two commits' hooks
        may race. One that comes early waits (in `_early`) for those before it,
        up to GAP_GRACE_SECONDS; then the table is read, which also steps over
        the seq a rolled-back append left unused.

        Whatever arrived while the hub was busy goes out together: each socket
        gets the run's frames in one write (still one WebSocket message per
        event), so a busy hub spends a send per socket per run, not per event."""
        poll = settings.DUTYOPS_HUB_POLL_SECONDS
        while True:
            try:
                timeout = poll if not self._early else max(0.0, self._early_deadline - self.loop.time())
                try:
                    arrived = [await asyncio.wait_for(self._inbox.get(), timeout=timeout)]
                except TimeoutError:
                    arrived = [None]
                while not self._inbox.empty():
                    arrived.append(self._inbox.get_nowait())
                # None: a poll, a hint to read the table, or a gap that did not fill in time
                read_table = None in arrived
                for message in arrived:
                    if message is None:
                        continue
                    if "trace" in message:
                        trace.stamp(message["trace"], "hub_in")
                    if message["seq"] > self.last_seq:  # else already delivered (the Redis copy of our own)
                        if not self._early:
                            self._early_deadline = self.loop.time() + GAP_GRACE_SECONDS
                        self._early[message["seq"]] = message
                run = []
                while self.last_seq + len(run) + 1 in self._early:
                    run.append(self._early.pop(self.last_seq + len(run) + 1))
                if run:
                    await self._deliver(run)
                if read_table:
                    await self._catch_up()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a failed read is retried on the next poll
                log.exception("event hub delivery failed; retrying")
                await asyncio.sleep(poll)

    async def _catch_up(self):
        while True:
            events = await database_sync_to_async(selectors.events_after)(self.last_seq, CATCH_UP_BATCH)
            if events:
                await self._deliver(
                    [message_of(event, [a.department_id for a in event.audience.all()]) for event in events]
                )
            if len(events) < CATCH_UP_BATCH:
                break
        self._early = {seq: message for seq, message in self._early.items() if seq > self.last_seq}
        self._early_deadline = self.loop.time() + GAP_GRACE_SECONDS

    async def _deliver(self, messages):
        """Deliver a run of consecutive events to the sockets that may see them."""
        self.last_seq = messages[-1]["seq"]
        if not self._kinds:
            return
        staged = [_Staged(message) for message in messages]
        delivered = dict.fromkeys(range(len(staged)), 0)
        for (rooms, language), sockets in tuple(self._kinds.items()):
            if not sockets:
                continue
            chosen = [i for i, event in enumerate(staged) if event.reaches(rooms)]
            if not chosen:
                continue
            frames = [staged[i].frame(language) for i in chosen]
            data = frames[0].payloadHybi if len(frames) == 1 else b"".join(f.payloadHybi for f in frames)
            run = [(staged[i].seq, staged[i].rendered.text(language), frames[n]) for n, i in enumerate(chosen)]
            for i in chosen:
                delivered[i] += len(sockets)
            for socket in tuple(sockets):  # a copy: sockets come and go while we await
                try:
                    pending = socket.take(run, data)
                    if pending is not None:
                        await pending
                except Exception:  # noqa: BLE001 - a socket closing under us never holds back the others
                    log.info("event %s: dropping a socket that could not take it", run[0][0], exc_info=True)
                    self.discard(socket)
        for event, count in zip(staged, delivered.values(), strict=True):
            if event.stamps is not None:
                trace.stamp(event.stamps, "written")
                trace.record(event.rendered.message, count)


class _Staged:
    """One event on its way out: who it reaches, its text and frame per language, each built once."""

    __slots__ = ("seq", "rendered", "audience", "stamps", "_frames")

    def __init__(self, message):
        self.seq = message["seq"]
        self.rendered = Rendered(message)
        self.audience = frozenset(message["audience"])
        self.stamps = message.get("trace")
        if self.stamps is not None:
            trace.stamp(self.stamps, "audience")
        self._frames = {}

    def reaches(self, rooms):
        return rooms == (STAFF,) or not self.audience.isdisjoint(rooms)

    def frame(self, language):
        frame = self._frames.get(language)
        if frame is None:
            # Framed once for all sockets of a language (daphne's autobahn would
            # otherwise build the same WebSocket frame a thousand times).
            payload = self.rendered.text(language).encode()
            frame = self._frames[language] = PreparedMessage(
                payload, isBinary=False, applyMask=False, doNotCompress=True
            )
            if self.stamps is not None and "framed" not in self.stamps:
                trace.stamp(self.stamps, "framed")
        return frame


def _compact():
    gc.unfreeze()
    gc.collect()
    gc.freeze()


_hubs = {}


def notify_local_hubs(message):
    """Hand a committed event to this process's hubs (thread-safe)."""
    for hub in tuple(_hubs.values()):
        if "trace" in message:  # its own stamps: the publisher may be encoding the message meanwhile
            message = {**message, "trace": dict(message["trace"])}
        hub.loop.call_soon_threadsafe(hub._inbox.put_nowait, message)


def get_hub():
    """The hub of the running event loop (one per daphne process)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None:
        hub = _hubs[loop] = Hub()
    return hub
