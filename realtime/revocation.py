"""Closing the sockets of a person whose credentials were revoked (dutyops.credentials).

Each process keeps its open event-stream sockets by person, with the auth
version (and API token) each one was opened with. A revocation reaches them two ways:
- at once: after commit, a notice goes to this process directly and, with Redis,
  to every process through the channel layer (group `dutyops.revocations`);
- at the latest DUTYOPS_REVOCATION_SECONDS later: every process re-reads, for
  the people with sockets open here, their auth version, whether they are
  active, and whether the tokens the sockets were opened with still exist (one
  indexed query each, only while sockets are open): the net under a lost
  notice, a process on the in-memory layer, a change made by a script.
Either way a socket opened before the revocation is closed with code 4401
(CLOSE_REVOKED): the same as "not signed in" at connect, which is what the
person now is, so clients do what they already do for it: sign in again
(static/board/live.js shows "unauthorised" and reloads the page, which asks
for a login). (daphne sends no close reason.)
"""

import asyncio
import logging

from asgiref.sync import async_to_sync
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db import connection

from dutyops.authentication import tokens
from dutyops.models import ApiToken, Person

log = logging.getLogger(__name__)

GROUP = "dutyops.revocations"
CLOSE_REVOKED = 4401
NOTICE_TIMEOUT = 2


class Watch:
    """The open sockets of one event loop by person (daphne runs one loop)."""

    def __init__(self, loop):
        self._by_person = {}
        self.loop = loop
        self._tasks = []

    def add(self, socket):
        """`socket` has person_id, auth_version, auth_token (digest or None) and
        async revoke(); call from the event loop once it is authenticated."""
        if not self._tasks:
            self._tasks = [self.loop.create_task(self._recheck_forever())]
            if settings.REDIS_URL:
                self._tasks.append(self.loop.create_task(self._listen()))
        self._by_person.setdefault(socket.person_id, set()).add(socket)

    def discard(self, socket):
        sockets = self._by_person.get(getattr(socket, "person_id", None))
        if sockets is not None:
            sockets.discard(socket)
            if not sockets:
                del self._by_person[socket.person_id]

    @property
    def watched(self):
        return sum(len(s) for s in self._by_person.values())

    async def revoke(self, person_id, version):
        """Close `person_id`'s sockets opened before auth version `version`."""
        tokens.clear()  # and this process's cached tokens
        stale = [s for s in self._by_person.get(person_id, ()) if s.auth_version < version]
        await self._close(stale)

    async def _close(self, sockets):
        for socket in sockets:
            self.discard(socket)
            try:
                await socket.revoke(CLOSE_REVOKED)
            except Exception:  # noqa: BLE001 - one socket's failure never spares the others
                log.exception("could not close a revoked socket")
        if sockets:
            log.info("closed %d socket(s) of revoked credentials", len(sockets))

    def notify(self, person_id, version):
        """From any thread of this process: revoke now."""
        if not self.loop.is_closed():
            self.loop.call_soon_threadsafe(lambda: self.loop.create_task(self.revoke(person_id, version)))

    async def _listen(self):
        backoff = 0.5
        while True:
            layer = get_channel_layer()
            try:
                channel = await layer.new_channel()
                await layer.group_add(GROUP, channel)
                backoff = 0.5
                while True:
                    message = await layer.receive(channel)
                    await self.revoke(message["person"], message["version"])
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # noqa: BLE001 - layer down: the re-check covers meanwhile
                log.warning("revocation notices lost the channel layer (%s); retrying in %.1fs", exc, backoff)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5)

    async def _recheck_forever(self):
        while True:
            await asyncio.sleep(settings.DUTYOPS_REVOCATION_SECONDS)
            try:
                await self.recheck()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - database briefly away: next round
                log.exception("revocation re-check failed; retrying")

    async def recheck(self):
        sockets = [s for group in self._by_person.values() for s in group]
        if not sockets:
            return
        people, live_tokens = await database_sync_to_async(_current)(
            {s.person_id for s in sockets}, {s.auth_token for s in sockets if s.auth_token}
        )
        await self._close(
            [
                s
                for s in sockets
                if people.get(s.person_id, -1) != s.auth_version or (s.auth_token and s.auth_token not in live_tokens)
            ]
        )


def _current(person_ids, digests):
    """{person id: auth version} of the active ones, and the digests still issued."""
    if connection.vendor == "postgresql":
        return _current_by_arrays(person_ids, digests)
    people = dict(Person.objects.filter(pk__in=person_ids, is_active=True).values_list("pk", "auth_version"))
    live = set(ApiToken.objects.filter(digest__in=digests).values_list("digest", flat=True)) if digests else set()
    return people, live


def _current_by_arrays(person_ids, digests):
    """The same, each set passed as one array: a process holds a thousand sockets of
    hundreds of people, and the ORM prepares an IN list's every value in Python, every
    DUTYOPS_REVOCATION_SECONDS (3-4 % of a daphne's time on the flood day)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, auth_version FROM {Person._meta.db_table} WHERE is_active AND id = ANY(%s)",
            [list(person_ids)],
        )
        people = dict(cursor.fetchall())
        live = set()
        if digests:
            cursor.execute(f"SELECT digest FROM {ApiToken._meta.db_table} WHERE digest = ANY(%s)", [list(digests)])
            live = {row[0] for row in cursor.fetchall()}
    return people, live


_watches = {}


def get_watch():
    """The watch of the running event loop."""
    loop = asyncio.get_running_loop()
    watch = _watches.get(loop)
    if watch is None:
        for gone in [other for other in _watches if other.is_closed()]:
            del _watches[gone]
        watch = _watches[loop] = Watch(loop)
    return watch


def notice(person_id, version):
    """dutyops.credentials.notices: after a revocation commits, tell this process and
    (with Redis) every other one. Never raises; the re-check is the net."""
    for watch in list(_watches.values()):
        watch.notify(person_id, version)
    if settings.REDIS_URL:
        try:
            async_to_sync(_send)(person_id, version)
        except Exception as exc:  # noqa: BLE001 - Redis down: the re-check closes them
            log.warning("revocation notice for person %s not sent (%s)", person_id, exc)


async def _send(person_id, version):
    message = {"type": "auth.revoked", "person": person_id, "version": version}
    await asyncio.wait_for(get_channel_layer().group_send(GROUP, message), NOTICE_TIMEOUT)
