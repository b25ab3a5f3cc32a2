"""Short-lived per-process caches of rarely edited rows that hot paths read on
every request (API tokens with their owner and roles, report-clock policies,
the plan-registry token, the gazetteer).

An edit clears them at once in the process that made it (signal receivers call
clear()); other processes see it within settings.DUTYOPS_CACHE_SECONDS.
Callers must not mutate what they get: copy it first.
"""

import time

from django.conf import settings
from django.db import connection, transaction


class Recent:
    """{key: load(key)}, each entry kept `seconds` (DUTYOPS_CACHE_SECONDS unless
    given; a function: asked each time). A load that raises caches nothing (an unknown token is looked up
    again next time)."""

    everywhere = []  # every instance, for clear_all()

    def __init__(self, load, seconds=None):
        self._load = load
        self._seconds = seconds
        self._items = {}
        Recent.everywhere.append(self)

    def get(self, key):
        now = time.monotonic()
        hit = self._items.get(key)
        if hit is not None and hit[0] > now:
            return hit[1]
        value = self._load(key)
        seconds = settings.DUTYOPS_CACHE_SECONDS if self._seconds is None else self._seconds
        if callable(seconds):
            seconds = seconds()
        if seconds > 0:
            if len(self._items) > 10_000:  # only valid keys get in; expired ones linger until here
                self._items = {k: v for k, v in self._items.items() if v[0] > now}
            self._items[key] = (now + seconds, value)
        return value

    def clear(self, *args, **kwargs):
        """Forget everything (also a signal receiver: any edit of the source rows).
        Inside a transaction, again at commit: until then another thread may
        read the old rows and keep them."""
        self._items = {}
        if connection.in_atomic_block:
            transaction.on_commit(self._forget)

    def _forget(self):
        self._items = {}

    def forget_where(self, matches):
        """Forget the entries whose value `matches` (an edit of the rows some of them
        were read from); inside a transaction, again at commit, as clear() does."""
        self._items = {key: hit for key, hit in self._items.items() if not matches(hit[1])}
        if connection.in_atomic_block:
            transaction.on_commit(lambda: self.forget_where(matches))


def clear_all():
    """Forget every cache of this process (tests: rows may have been rolled back)."""
    for cache in Recent.everywhere:
        cache.clear()
