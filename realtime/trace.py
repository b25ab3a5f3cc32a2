"""Where the live path's milliseconds go (`bench_fanout.py --trace`); off by default.

With DUTYOPS_LIVE_TRACE set to a file, a write's request and then its event's
broadcast message carry a dict of stamps (time.time(), one clock for every
process of the host), and every hub appends one JSON line per event it delivers:

    http_in      the request reaches the ASGI application (daphne has parsed it)
    django_in    Django's middleware starts, in the request's thread
    emit         the view records its change on the stream (auth, parsing, the write: done)
    commit       the transaction has committed (the after-commit hook runs)
    hub_in       the process's hub takes the event from its inbox
    audience     the hub has found the sockets that may see it
    framed       the first language's text is rendered and framed
    written      every socket has been handed its frame

The benchmark adds the client's side (request sent, first, median and last frame
received) and prints the median and p99 of each step. With the setting unset,
nothing here runs: the stamps are read from a context variable that is never set.
"""

import contextvars
import json
import os
import threading
import time

from django.conf import settings

_stamps = contextvars.ContextVar("dutyops_live_trace", default=None)
_lock = threading.Lock()
_files = {}


def enabled():
    return bool(settings.DUTYOPS_LIVE_TRACE)


def current():
    """The stamps of the request being served, or None (always None when off)."""
    return _stamps.get()


def stamp(stamps, name):
    stamps[name] = time.time()


class TracedHTTP:
    """ASGI wrapper: starts a request's stamps. asgiref copies the context into
    the request's thread, so the view and emit() find the same dict."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        _stamps.set({"http_in": time.time()})
        await self.app(scope, receive, send)


def middleware(get_response):
    """First in MIDDLEWARE when tracing: the request is in its thread."""

    def traced(request):
        stamps = _stamps.get()
        if stamps is not None:
            stamp(stamps, "django_in")
        return get_response(request)

    return traced


def record(message, sockets):
    """Append a delivered event's stamps to the trace file (one JSON line)."""
    path = settings.DUTYOPS_LIVE_TRACE
    line = json.dumps({"seq": message["seq"], "pid": os.getpid(), "sockets": sockets, **message["trace"]})
    with _lock:
        out = _files.get(path)
        if out is None:
            out = _files[path] = open(path, "a", encoding="utf-8")  # noqa: SIM115 - kept open for the process
        out.write(line + "\n")
        out.flush()
