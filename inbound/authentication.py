"""The inbound systems' authentication: their key in `X-Api-Key` (CONTRACT.md, inbound/).

A source is no person: the request's user is anonymous and `request.auth` is the
Source, whose `idempotency_owner` ("source:<id>") makes the Idempotency-Key its
own (dutyops.idempotency). A wrong, revoked or malformed key is a 401.
"""

from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from . import keys

HEADER = "HTTP_X_API_KEY"


class SourceKeyAuthentication(authentication.BaseAuthentication):
    def authenticate(self, request):
        from .models import Source  # noqa: PLC0415 - DRF may import this before the apps are ready

        key = request.META.get(HEADER)
        if key is None:
            return None
        if not key or len(key) > keys.MAX_LENGTH or not key.isascii():
            raise exceptions.AuthenticationFailed(_("接入密钥无效。"))
        source = Source.objects.filter(key_hash=keys.digest(key), active=True).select_related("duty_room").first()
        if source is None:
            raise exceptions.AuthenticationFailed(_("接入密钥无效。"))
        return AnonymousUser(), source

    def authenticate_header(self, request):
        return "Api-Key"
