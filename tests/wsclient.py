"""A real WebSocket client for the event stream (the `websockets` library)."""

import asyncio
import json
import time
from urllib.parse import urlencode

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus


def stream_url(server, token=None, after=None):
    query = {k: v for k, v in (("token", token), ("after", after)) if v is not None}
    return f"{server.ws_url}/ws/events/" + (f"?{urlencode(query)}" if query else "")


async def receive_for(url, seconds, headers=None, until=None):
    """Messages received within `seconds` (or until `until(messages)` holds)."""
    return (await receive_stamped(url, seconds, headers, until))[0]


async def receive_stamped(url, seconds, headers=None, until=None):
    """(messages, arrival times by time.monotonic()) as receive_for, for measuring delivery delays."""
    messages, times = [], []
    async with connect(url, additional_headers=headers, open_timeout=10) as ws:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + seconds
        while loop.time() < deadline:
            try:
                raw = await asyncio.wait_for(ws.recv(), timeout=max(0.01, deadline - loop.time()))
            except TimeoutError:
                break
            times.append(time.monotonic())
            messages.append(json.loads(raw))
            if until and until(messages):
                break
    return messages, times


async def close_code(url, headers=None):
    """The close code the server sends to this connection ("http 403" if it refuses the handshake)."""
    try:
        async with connect(url, additional_headers=headers, open_timeout=10) as ws:
            await asyncio.wait_for(ws.recv(), timeout=10)
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd else None
    except InvalidStatus as exc:
        return f"http {exc.response.status_code}"
    return None


def run(coro):
    return asyncio.run(coro)
