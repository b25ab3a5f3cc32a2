"""/ws/events/: replay after ?after=, then the live stream, for one person."""

import functools
from urllib.parse import parse_qs

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer
from django.conf import settings
from django.http.cookie import parse_cookie
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header
from twisted.internet import tcp

from dutyops import policy

from . import revocation, selectors
from .hub import STAFF, get_hub
from .wire import encode, envelope

REPLAY_BATCH = 500
PLAIN_TCP = (tcp.Server,)  # daphne's accepted TCP connections (TLS ones are wrapped in another type)
CLOSE_UNAUTHENTICATED = 4401


class EventStreamConsumer(AsyncWebsocketConsumer):
    # No per-socket channel-layer channel: the process hub feeds every socket.
    channel_layer_alias = "__none__"

    async def connect(self):
        user = self.scope.get("user")
        await self.accept()
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        # Closed when the person's credentials are revoked (realtime.revocation).
        self.person_id, self.auth_version = user.pk, user.auth_version
        self.auth_token = self.scope.get("auth_token")
        self.watch = revocation.get_watch()
        self.watch.add(self)
        # The hub delivers by room, so a socket only ever hears what it may see,
        # and by language, so it reads each summary in its reader's language.
        rooms = await database_sync_to_async(policy.stream_rooms)(user)
        self.rooms = (STAFF,) if rooms is None else tuple(sorted(rooms))
        self.language = language_of(self.scope)
        self.buffer = []
        self.replaying = True
        self.protocol = _daphne_protocol(self.base_send)
        after = _after_param(self.scope)

        self.hub = get_hub()
        await self.hub.ensure_started()
        # Register before reading the table: whatever the hub delivers from
        # now on is buffered, and the replay covers everything before that.
        self.cursor = self.hub.last_seq if after is None else after
        self.hub.add(self)
        if after is not None:
            while True:
                events = await database_sync_to_async(selectors.visible_events)(user, self.cursor, REPLAY_BATCH)
                with translation.override(self.language):
                    payloads = [(event.seq, encode(envelope(event))) for event in events]
                for seq, payload in payloads:
                    await self._send(seq, payload)
                if len(events) < REPLAY_BATCH:
                    break
        while self.buffer:
            buffered, self.buffer = self.buffer, []
            for seq, payload in buffered:
                if seq > self.cursor:
                    await self._send(seq, payload)
        self.replaying = False

    async def disconnect(self, code):
        hub = getattr(self, "hub", None)
        if hub is not None:
            hub.discard(self)
        watch = getattr(self, "watch", None)
        if watch is not None:
            watch.discard(self)

    async def revoke(self, code):
        """The person's credentials were revoked: nothing more, and close."""
        await self.disconnect(code)
        await self.close(code=code)

    async def receive(self, text_data=None, bytes_data=None):
        """The stream is one-way; clients have nothing to say."""

    def take(self, run, data):
        """Called by the hub, in seq order, with a run of events this socket may see:
        `run` holds (seq, text, frame) for each, `data` their frames joined.
        Returns an awaitable only when the text must go through ASGI (not under daphne)."""
        if run[0][0] <= self.cursor:  # the replay already sent some
            run = [event for event in run if event[0] > self.cursor]
            if not run:
                return None
            data = b"".join(frame.payloadHybi for _seq, _text, frame in run)
        if self.replaying:
            self.buffer += [(seq, text) for seq, text, _frame in run]
            return None
        if self.protocol is None:
            return self._send_run(run)
        self.cursor = run[-1][0]
        if self.protocol.state == self.protocol.STATE_OPEN:
            write_frames(self.protocol, data)
        return None

    async def _send_run(self, run):
        for seq, text, _frame in run:
            await self._send(seq, text)

    async def _send(self, seq, payload):
        self.cursor = seq
        await self.base_send({"type": "websocket.send", "text": payload})


def _daphne_protocol(send):
    """daphne hands each application `partial(server.handle_reply, protocol)`;
    with the autobahn protocol in hand the hub can send a pre-framed message.
    Channels' session middleware wraps that send in its own (which only acts on
    HTTP responses): look through it. Under any other server this returns None
    and sends go through ASGI."""
    while not isinstance(send, functools.partial):
        send = getattr(getattr(send, "__self__", None), "real_send", None)  # channels.sessions
        if send is None:
            return None
    if send.args:
        protocol = send.args[0]
        if hasattr(protocol, "sendPreparedMessage") and getattr(protocol, "_perMessageCompress", None) is None:
            return protocol
    return None


def write_frames(protocol, data):
    """Send prepared WebSocket frames (one or several, joined) on daphne's socket.

    Twisted's transport.write() only queues the bytes and asks the event loop to
    watch the socket until it is writable, then to stop watching it: two epoll
    changes and a turn of the loop per socket, a thousand times per event. When
    nothing is queued before these frames, they are sent at once (a non-blocking
    send on the plain TCP connection, through twisted's own writeSomeData), and
    only what the kernel did not take is queued. A TLS connection or anything
    already queued goes the usual way, so the bytes on the wire stay in order.
    """
    transport = protocol.transport
    if (
        type(transport) not in PLAIN_TCP
        or protocol.send_queue
        or transport.dataBuffer
        or transport._tempDataBuffer
        or not transport.connected
        or transport.disconnecting
    ):
        protocol.sendData(data)
        return
    sent = transport.writeSomeData(data)
    if not isinstance(sent, int):  # the connection is gone: twisted finds out and closes it
        sent = 0
    if sent < len(data):
        transport.write(data[sent:])


def language_of(scope):
    """The language a socket reads summaries in: `?lang=`, else the language the
    person chose (Django's language cookie), else the browser's Accept-Language,
    else LANGUAGE_CODE; always one of settings.LANGUAGES."""
    wanted = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("lang", [])
    headers = dict(scope.get("headers", []))
    cookie = parse_cookie(headers.get(b"cookie", b"").decode("latin-1")).get(settings.LANGUAGE_COOKIE_NAME)
    if cookie:
        wanted.append(cookie)
    wanted += [code for code, _q in parse_accept_lang_header(headers.get(b"accept-language", b"").decode("latin-1"))]
    for code in wanted:
        try:
            return translation.get_supported_language_variant(code)
        except LookupError:
            continue
    return settings.LANGUAGE_CODE


def _after_param(scope):
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("after")
    if not values:
        return None
    try:
        return max(0, int(values[-1]))
    except ValueError:
        return 0
