"""WebSocket authentication: session cookie, `Authorization: Token`, or `?token=`."""

from urllib.parse import parse_qs, urlparse

from channels.auth import AuthMiddlewareStack
from channels.db import database_sync_to_async
from django.conf import settings
from django.http.request import validate_host


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


class OriginCheckMiddleware:
    """Browsers always send Origin: refuse other sites' pages (cross-site
    WebSocket hijacking with our session cookie). Non-browser clients send
    none and still need a token."""

    def __init__(self, inner):
        self.inner = inner

    async def __call__(self, scope, receive, send):
        for name, value in scope.get("headers", []):
            if name == b"origin":
                host = urlparse(value.decode("latin-1")).hostname or ""
                if not validate_host(host, settings.ALLOWED_HOSTS):
                    await send({"type": "websocket.close", "code": 4403})
                    return
        return await self.inner(scope, receive, send)


def EventStreamAuthStack(inner):  # noqa: N802 - reads like Channels' own stacks
    return OriginCheckMiddleware(AuthMiddlewareStack(TokenAuthMiddleware(inner)))
