"""API authentication (a module of its own: DRF imports it while loading its settings)."""

import copy

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from .cache import Recent


class _ReadOnlyAccounts:
    """A wall board's account (role `board` alone) reads everything and changes
    nothing: refused here, for every write of every view, whatever its own permissions."""

    def authenticate(self, request):
        from . import policy  # noqa: PLC0415 - see the module docstring

        result = super().authenticate(request)
        if result is not None and request.method not in permissions.SAFE_METHODS and policy.read_only(result[0]):
            raise exceptions.PermissionDenied(_("指挥大屏账号为只读账号。"))
        return result


def _load_token(key):
    from rest_framework.authtoken.models import Token  # noqa: PLC0415 - see the module docstring

    try:
        token = Token.objects.select_related("user").get(key=key)
    except Token.DoesNotExist:
        raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
    token.user.roles  # noqa: B018 - read now, so that the cached owner carries them
    return token


# Integrations post with one token many times a second: its owner and roles are
# two queries per request otherwise. Any edit of tokens, people or roles clears
# it (dutyops.apps); other processes follow within DUTYOPS_CACHE_SECONDS.
tokens = Recent(_load_token)


class TokenAuthentication(_ReadOnlyAccounts, authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        cached = tokens.get(key)
        token, user = copy.copy(cached), copy.copy(cached.user)  # each request gets its own instances
        token._state.fields_cache["user"] = user
        return user, token


class SessionAuthentication(_ReadOnlyAccounts, authentication.SessionAuthentication):
    pass
