"""After-commit broadcast of new events to every process's hub, off the request thread.

The committed event goes first to this process's own hubs (a hand-over to their
event loop: the sockets of the process that wrote it do not wait for a round
trip through Redis), then to this process's publisher thread, which sends
whatever has queued up as one message on the channel layer for the other
processes (a hub ignores the copy of an event it already has). A request never
waits on Redis. Without Redis (the embedded default) the in-memory layer cannot
cross processes: other processes find the event in the event table on their
next poll. Either way the broadcast is only a hint: a hub that misses it reads
the table.
"""

import asyncio
import logging
import threading

from channels.layers import get_channel_layer
from django.conf import settings

from .hub import notify_local_hubs
from .wire import GROUP

log = logging.getLogger(__name__)

BATCH = 500


class Publisher:
    """Hands messages from request threads to one publishing loop. A write's
    events arrive back to back (one commit, several hooks), so the loop is woken
    once and sends whatever has waited meanwhile as one message."""

    def __init__(self):
        self._lock = threading.Lock()
        self._loop = None
        self._wake = None
        self._waiting = []

    def submit(self, message):
        loop = self._loop or self._start()
        with self._lock:
            self._waiting.append(message)
            if len(self._waiting) > 1:
                return  # the loop has been woken for the first one and not taken it yet
        loop.call_soon_threadsafe(self._wake.set)

    def _start(self):
        with self._lock:
            if self._loop is None:
                ready = threading.Event()
                threading.Thread(target=self._run, args=(ready,), name="dutyops-publisher", daemon=True).start()
                ready.wait()
        return self._loop

    def _run(self, ready):
        loop = asyncio.new_event_loop()
        self._wake = asyncio.Event()
        self._loop = loop
        ready.set()
        loop.run_until_complete(self._publish_forever())

    async def _publish_forever(self):
        layer = get_channel_layer()
        while True:
            await self._wake.wait()
            self._wake.clear()
            with self._lock:
                waiting, self._waiting = self._waiting, []
            for start in range(0, len(waiting), BATCH):
                batch = waiting[start : start + BATCH]
                try:
                    await asyncio.wait_for(layer.group_send(GROUP, {"type": "stream.batch", "events": batch}), 2)
                except Exception as exc:  # noqa: BLE001 - Redis down: hubs poll the table meanwhile
                    log.warning(
                        "events %s..%s not broadcast (%s); hubs will read them from the table",
                        batch[0]["seq"],
                        batch[-1]["seq"],
                        exc,
                    )


_publisher = Publisher()


def broadcast(message):
    """Called after commit with a wire.message(); never blocks, never raises."""
    try:
        notify_local_hubs(message)
        if settings.REDIS_URL:
            _publisher.submit(message)
    except Exception as exc:  # noqa: BLE001 - never let delivery break the write
        log.warning("event %s not broadcast (%s)", message["seq"], exc)
