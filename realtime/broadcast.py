"""After-commit broadcast of new events to every process's hub, off the request thread.

A request never waits on Redis: emit() hands the committed event to this
process's publisher thread, which sends whatever has queued up as one message
on the channel layer. Without Redis (the embedded default) the in-memory layer
cannot cross processes, so the event goes straight to this process's hubs;
other processes find it in the event table on their next poll. Either way the
broadcast is only a hint: a hub that misses it reads the table.
"""

import asyncio
import logging
import threading

from channels.layers import get_channel_layer
from django.conf import settings

log = logging.getLogger(__name__)

GROUP = "dutyops.events"
BATCH = 500


class Publisher:
    def __init__(self):
        self._lock = threading.Lock()
        self._loop = None
        self._queue = None

    def submit(self, message):
        loop = self._loop or self._start()
        loop.call_soon_threadsafe(self._queue.put_nowait, message)

    def _start(self):
        with self._lock:
            if self._loop is None:
                ready = threading.Event()
                threading.Thread(target=self._run, args=(ready,), name="dutyops-publisher", daemon=True).start()
                ready.wait()
        return self._loop

    def _run(self, ready):
        loop = asyncio.new_event_loop()
        self._queue = asyncio.Queue()
        self._loop = loop
        ready.set()
        loop.run_until_complete(self._publish_forever())

    async def _publish_forever(self):
        layer = get_channel_layer()
        while True:
            batch = [await self._queue.get()]
            while not self._queue.empty() and len(batch) < BATCH:
                batch.append(self._queue.get_nowait())
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
    """Called after commit with {"seq", "payload", "audience"}; never blocks, never raises."""
    try:
        if settings.REDIS_URL:
            _publisher.submit(message)
        else:
            from .hub import notify_local_hubs

            notify_local_hubs(message)
    except Exception as exc:  # noqa: BLE001 - never let delivery break the write
        log.warning("event %s not broadcast (%s)", message["seq"], exc)
