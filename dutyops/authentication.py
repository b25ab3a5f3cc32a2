"""API authentication (a module of its own: DRF imports it while loading its settings)."""

import copy

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions, permissions

from .cache import Recent


class _ReadOnlyAccounts:
    """A wall board's account (role `board` alone) reads everything and changes
    nothing: refused here, for every write of every view, whatever its own permissions.
    An account with no role (policy.without_role: a linked installation's) is refused
    every view but those whose authentication names a link (`for_links`)."""

    for_links = False

    def authenticate(self, request):
        from . import policy  # noqa: PLC0415 - see the module docstring

        result = super().authenticate(request)
        if result is None:
            return result
        if not self.for_links and policy.without_role(result[0]):
            raise exceptions.PermissionDenied(_("该账号没有角色，不能使用本接口。"))
        if request.method not in permissions.SAFE_METHODS and policy.read_only(result[0]):
            raise exceptions.PermissionDenied(_("指挥大屏账号为只读账号。"))
        return result


def _load_token(digest):
    from .models import ApiToken  # noqa: PLC0415 - see the module docstring

    try:
        # The owner's department too: the policy asks whether they are in the duty office
        # (policy.in_office) and intake marks a report with their room, on every request.
        token = ApiToken.objects.select_related("user__department").get(digest=digest)
    except ApiToken.DoesNotExist:
        raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
    if not token.user.is_active:
        raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
    token.user.roles  # noqa: B018 - read now, so that the cached owner carries them
    return token


def _token_seconds():
    # A revoked token must stop everywhere within settings.DUTYOPS_REVOCATION_SECONDS.
    return min(settings.DUTYOPS_CACHE_SECONDS, settings.DUTYOPS_REVOCATION_SECONDS)


# Integrations post with one token many times a second: its owner, their department and roles are
# three queries per request otherwise. Any edit of tokens, people, departments or roles clears
# it (dutyops.apps), and so does a revocation notice (realtime.revocation); other
# processes follow within DUTYOPS_REVOCATION_SECONDS at most. Keyed by digest.
tokens = Recent(_load_token, seconds=_token_seconds)


def forget_tokens(sender, instance, **kwargs):
    """A signal receiver: an edit of a token, a person or a department forgets the cached
    tokens read from that row (the token itself, the person's, the department's people's),
    not every token of the process: an admin renaming a unit keeps their own."""
    from .models import ApiToken, Department, Person  # noqa: PLC0415 - see the module docstring

    if isinstance(instance, ApiToken):
        tokens.forget_where(lambda token: token.pk == instance.pk)
    elif isinstance(instance, Person):
        tokens.forget_where(lambda token: token.user_id == instance.pk)
    elif isinstance(instance, Department):
        tokens.forget_where(lambda token: token.user.department_id == instance.pk)
    else:
        tokens.clear()


class TokenAuthentication(_ReadOnlyAccounts, authentication.TokenAuthentication):
    def authenticate_credentials(self, key):
        from .models.tokens import digest_of  # noqa: PLC0415 - see the module docstring

        cached = tokens.get(digest_of(key))
        token, user = copy.copy(cached), copy.copy(cached.user)  # each request gets its own instances
        token._state.fields_cache["user"] = user
        if user._state.fields_cache.get("department") is not None:
            user._state.fields_cache["department"] = copy.copy(user.department)
        return user, token


class SessionAuthentication(_ReadOnlyAccounts, authentication.SessionAuthentication):
    pass
