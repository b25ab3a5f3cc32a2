import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dutyops.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

import asyncio  # noqa: E402
from concurrent.futures import ThreadPoolExecutor  # noqa: E402

from asgiref.sync import ThreadSensitiveContext  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from django.conf import settings  # noqa: E402

from realtime.auth import EventStreamAuthStack  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402
from realtime.trace import TracedHTTP  # noqa: E402


class BoundedConcurrency:
    """At most `limit` HTTP requests inside Django at once per process; the
    others wait their turn, first come first served, in the event loop.

    Django runs a request's sync code in a thread, and one process runs one
    thread at a time (the GIL). Unbounded, twenty requests share that core by
    turns: each waits on the others after every database round trip, the stream
    lock is held while its holder waits for the GIL, and the unlucky ones wait
    longest. Bounded, each goes through at full speed (bench_intake.py).

    Each slot keeps its thread, as a threaded WSGI server does: Django would
    start and join a thread for every request, and build a new database
    connection wrapper in it (a quarter of a millisecond each time).
    """

    def __init__(self, app, limit):
        self.app = app
        self.turns = asyncio.Semaphore(limit)  # FIFO: a newcomer never overtakes a waiter
        self.threads = [ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"http-{n}") for n in range(limit)]

    async def __call__(self, scope, receive, send):
        async with self.turns:
            thread = self.threads.pop()
            try:
                # Django's own ThreadSensitiveContext() finds this one and uses it.
                async with ThreadSensitiveContext(executor=thread):
                    await self.app(scope, receive, send)
            finally:
                self.threads.append(thread)


limit = settings.DUTYOPS_HTTP_CONCURRENCY
http_app = BoundedConcurrency(django_asgi_app, limit) if limit else django_asgi_app
application = ProtocolTypeRouter(
    {
        "http": TracedHTTP(http_app) if settings.DUTYOPS_LIVE_TRACE else http_app,
        "websocket": EventStreamAuthStack(URLRouter(websocket_urlpatterns)),
    }
)

# Everything imported so far lives for the whole process: keep it out of the
# cyclic GC's full collections, which otherwise pause every live socket for
# 100+ ms once a thousand clients are connected.
import gc  # noqa: E402

gc.collect()
gc.freeze()
