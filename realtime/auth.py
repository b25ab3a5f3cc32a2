"""WebSocket authentication: session cookie, `Authorization: Token`, or `?token=`."""

import collections
import ipaddress
from urllib.parse import parse_qs, urlparse

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.conf import settings
from django.http.request import validate_host

from dutyops.middleware import trusted_networks


@database_sync_to_async
def _user_for_token(digest):
    from dutyops.models import ApiToken

    token = ApiToken.objects.select_related("user", "user__department").filter(digest=digest).first()
    if token is None or not token.user.is_active:
        return None
    user = token.user
    _ = user.roles  # resolve roles here, not on the event loop
    return user


def _token_from_scope(scope):
    for name, value in scope.get("headers", []):
        if name == b"authorization":
            kind, _, key = value.decode("latin-1").partition(" ")
            if kind.lower() == "token" and key.strip():
                return key.strip()
    values = parse_qs(scope.get("query_string", b"").decode("latin-1")).get("token")
    return values[-1] if values else None


class TokenAuthMiddleware:
    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        key = _token_from_scope(scope)
        if key:
            from django.contrib.auth.models import AnonymousUser

            from dutyops.models.tokens import digest_of

            # auth_token: the socket closes if this token is revoked (realtime.revocation).
            digest = digest_of(key)
            scope = dict(scope, user=(await _user_for_token(digest)) or AnonymousUser(), auth_token=digest)
        return await self.inner(scope, receive, send)


def _origin(scheme, netloc):
    """(scheme, host, port) of an origin, the port spelled out (http 80, https 443)."""
    parts = urlparse(f"{scheme}://{netloc}")
    try:
        port = parts.port or (443 if scheme == "https" else 80)
    except ValueError:
        return None
    return (scheme, (parts.hostname or "").lower(), port)


def _parse_origin(text):
    parts = urlparse(text.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        return None
    return _origin(parts.scheme, parts.netloc)


def allowed_origins():
    """Origins other than the socket's own that may open it: CSRF_TRUSTED_ORIGINS
    (DUTYOPS_ALLOWED_ORIGINS feeds both), exact scheme, host and port; a host
    written `*.example.gov` matches its subdomains."""
    return [o for o in map(_parse_origin, settings.CSRF_TRUSTED_ORIGINS) if o]


def _own_origin(scope):
    """The page origin that belongs to this socket: https when the socket is wss
    or a trusted proxy says the client came over HTTPS, and the Host it asked for."""
    headers = dict(scope.get("headers", []))
    secure = scope.get("scheme") == "wss"
    if not secure and headers.get(b"x-forwarded-proto", b"").decode("latin-1").strip().lower() == "https":
        peer = (scope.get("client") or ("", 0))[0]
        networks = trusted_networks(settings.DUTYOPS_TRUSTED_PROXIES)
        secure = _is_trusted(peer, networks)
    return _origin("https" if secure else "http", headers.get(b"host", b"").decode("latin-1"))


def _is_trusted(peer, networks):
    try:
        ip = ipaddress.ip_address(peer)
    except ValueError:
        return False
    return any(ip in network for network in networks)


def origin_allowed(scope, origin_header):
    """Same scheme, host and port as the socket itself (what Django's CSRF check
    asks of a form), or listed; and the host one of ALLOWED_HOSTS either way."""
    origin = _parse_origin(origin_header)
    if origin is None or not validate_host(origin[1], settings.ALLOWED_HOSTS):
        return False
    if origin == _own_origin(scope):
        return True
    scheme, host, port = origin
    for allowed_scheme, allowed_host, allowed_port in allowed_origins():
        if (allowed_scheme, allowed_port) != (scheme, port):
            continue
        if allowed_host == host or (allowed_host.startswith("*.") and host.endswith(allowed_host[1:])):
            return True
    return False


class OriginCheckMiddleware:
    """Browsers always send Origin: refuse other sites' pages (cross-site
    WebSocket hijacking with our session cookie), comparing scheme, host and
    port, so http://our-host or https://our-host:8443 is another site. Non-browser
    clients send none and still need a token. Refused: HTTP 403 at the handshake."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        for name, value in scope.get("headers", []):
            if name == b"origin" and not origin_allowed(scope, value.decode("latin-1")):
                await send({"type": "websocket.close", "code": 4403})
                return
        return await self.inner(scope, receive, send)


CLOSE_TOO_MANY_SOCKETS = 4429


class SocketLimitMiddleware:
    """At most DUTYOPS_MAX_SOCKETS_PER_PERSON open sockets per person in this
    process; one more is accepted and closed at once with code 4429, so the
    client can tell it from a network failure (and not retry in a loop).
    Per process by design (N processes: up to N x the limit): a shared counter
    would put Redis or the database on every connect, and a crashed process
    would leave its counts behind (README, docs/security.md)."""

    def __init__(self, inner):
        self.inner = inner
        self.open = collections.Counter()

    async def __call__(self, scope, receive, send):
        user = scope.get("user")
        limit = settings.DUTYOPS_MAX_SOCKETS_PER_PERSON
        if not limit or user is None or not user.is_authenticated:
            return await self.inner(scope, receive, send)
        key = user.pk
        if self.open[key] >= limit:
            message = await receive()
            if message.get("type") == "websocket.connect":
                await send({"type": "websocket.accept"})
                await send({"type": "websocket.close", "code": CLOSE_TOO_MANY_SOCKETS})
            return None
        self.open[key] += 1
        try:
            return await self.inner(scope, receive, send)
        finally:
            self.open[key] -= 1
            if self.open[key] <= 0:
                del self.open[key]


def EventStreamAuthStack(inner):  # noqa: N802 - reads like Channels' own stacks
    return OriginCheckMiddleware(AuthMiddlewareStack(TokenAuthMiddleware(SocketLimitMiddleware(inner))))
