"""Baseline: a bare `websockets` broadcast server (no Django, no database).

Clients connect to /; a message on /publish is broadcast to every client.
"""

import asyncio
import sys

from websockets.asyncio.server import broadcast, serve

clients = set()


async def handler(ws):
    if ws.request.path.startswith("/publish"):
        async for message in ws:
            broadcast(clients, message)
        return
    clients.add(ws)
    try:
        await ws.wait_closed()
    finally:
        clients.discard(ws)


async def main(port):
    async with serve(handler, "127.0.0.1", port, max_queue=None, ping_interval=20):
        await asyncio.Future()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
