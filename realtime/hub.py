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
        # Sockets by what they may see, STAFF (every event) or a department id
        # (an event reaches it when the department is in its audience), and by
        # the language they read: an event only visits its audience, and is
        # rendered and framed once per language.
        self._rooms = {}
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
        for room in socket.rooms:
            self._rooms.setdefault(room, {}).setdefault(socket.language, set()).add(socket)
        # Sockets live for hours: once connections settle, move their objects
        # out of the cyclic GC's reach, or each full collection pauses every
        # socket of the process for 100+ ms with a thousand clients connected.
        if self._freeze is not None:
            self._freeze.cancel()
        self._freeze = asyncio.get_running_loop().call_later(FREEZE_AFTER_SECONDS, gc.freeze)

    def discard(self, socket):
        self._sockets.discard(socket)
        for room in socket.rooms:
            self._rooms.get(room, {}).get(socket.language, set()).discard(socket)
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
        the seq a rolled-back append left unused."""
        poll = settings.DUTYOPS_HUB_POLL_SECONDS
        while True:
            try:
                timeout = poll if not self._early else max(0.0, self._early_deadline - self.loop.time())
                try:
                    message = await asyncio.wait_for(self._inbox.get(), timeout=timeout)
                except TimeoutError:
                    message = None
                if message is None:  # a poll, a hint to read the table, or a gap that did not fill in time
                    await self._catch_up()
                    continue
                if "trace" in message:
                    trace.stamp(message["trace"], "hub_in")
                seq = message["seq"]
                if seq <= self.last_seq:
                    continue  # already delivered (the Redis copy of this process's own event)
                if seq > self.last_seq + 1:
                    if not self._early:
                        self._early_deadline = self.loop.time() + GAP_GRACE_SECONDS
                    self._early[seq] = message
                    continue
                await self._deliver(message)
                while self.last_seq + 1 in self._early:
                    await self._deliver(self._early.pop(self.last_seq + 1))
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - a failed read is retried on the next poll
                log.exception("event hub delivery failed; retrying")
                await asyncio.sleep(poll)

    async def _catch_up(self):
        while True:
            events = await database_sync_to_async(selectors.events_after)(self.last_seq, CATCH_UP_BATCH)
            for event in events:
                await self._deliver(message_of(event, [a.department_id for a in event.audience.all()]))
            if len(events) < CATCH_UP_BATCH:
                break
        self._early = {seq: message for seq, message in self._early.items() if seq > self.last_seq}
        self._early_deadline = self.loop.time() + GAP_GRACE_SECONDS

    async def _deliver(self, message):
        seq = self.last_seq = message["seq"]
        by_language = {}
        for room in (STAFF, *message["audience"]):
            for language, sockets in self._rooms.get(room, {}).items():
                if sockets:
                    by_language.setdefault(language, []).append(sockets)
        if not by_language:
            return
        stamps = message.get("trace")
        if stamps is not None:
            trace.stamp(stamps, "audience")
        rendered = Rendered(message)
        delivered = 0
        for language, groups in by_language.items():
            payload = rendered.text(language)
            # Frame the message once for all sockets of a language (daphne's autobahn
            # would otherwise build the same WebSocket frame a thousand times).
            frame = PreparedMessage(payload.encode(), isBinary=False, applyMask=False, doNotCompress=True)
            # A copy: sockets come and go while we await; a socket in two rooms gets it once.
            targets = list(groups[0]) if len(groups) == 1 else list(set().union(*groups))
            if stamps is not None and not delivered:
                trace.stamp(stamps, "framed")
            delivered += len(targets)
            for socket in targets:
                try:
                    pending = socket.offer(seq, payload, frame)
                    if pending is not None:
                        await pending
                except Exception:  # noqa: BLE001 - a socket closing under us never holds back the others
                    log.info("event %s: dropping a socket that could not take it", seq, exc_info=True)
                    self.discard(socket)
        if stamps is not None:
            trace.stamp(stamps, "written")
            trace.record(message, delivered)


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
