"""The ASGI entry point: HTTP requests bounded per process, served in arrival order."""

import asyncio

from dutyops.asgi import BoundedConcurrency


def test_requests_beyond_the_bound_wait_their_turn_in_arrival_order():
    inside, most, order = 0, 0, []

    async def app(scope, receive, send):
        nonlocal inside, most
        inside += 1
        most = max(most, inside)
        order.append(scope["n"])
        await asyncio.sleep(0.01)
        inside -= 1

    async def arrive():
        bounded = BoundedConcurrency(app, 3)
        await asyncio.gather(*(bounded({"type": "http", "n": n}, None, None) for n in range(12)))

    asyncio.run(arrive())
    assert most == 3
    assert order == list(range(12))
