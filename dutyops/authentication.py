"""API authentication (a module of its own: DRF imports it while loading its settings)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions


class _ReadOnlyAccounts:
    """A wall board's account (role `board` alone) reads everything and changes
    nothing: refused here, for every write of every view, whatever its own permissions."""

    def authenticate(self, request):
        result = super().authenticate(request)
        if result is not None and request.method not in permissions.SAFE_METHODS:
            user = result[0]
            if not user.is_superuser and user.roles == {"board"}:
                raise exceptions.PermissionDenied(_("指挥大屏账号为只读账号。"))
        return result


class TokenAuthentication(_ReadOnlyAccounts, authentication.TokenAuthentication):
    pass


class SessionAuthentication(_ReadOnlyAccounts, authentication.SessionAuthentication):
    pass
