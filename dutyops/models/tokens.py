"""API tokens, stored as their SHA-256 digest: the value is shown once, when issued."""

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# A person keeps at most this many tokens from `POST auth/token/` (each call
# issues one): issuing another drops the oldest.
TOKENS_PER_PERSON = 20


def digest_of(key):
    """The stored form of a token. Tokens are 160 random bits, so a plain SHA-256
    (no salt, no stretching) cannot be reversed, and lookups stay one index read."""
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


class ApiToken(models.Model):
    digest = models.CharField(_("摘要"), max_length=64, unique=True, editable=False)
    # The first characters of the token, to tell a person's tokens apart.
    prefix = models.CharField(_("前缀"), max_length=8, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.CASCADE, related_name="api_tokens"
    )
    created = models.DateTimeField(_("签发时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")
        ordering = ["-created", "-pk"]

    def __str__(self):
        return f"{self.prefix}…"

    @classmethod
    def issue(cls, user, keep=None):
        """A new token for `user`: (the row, the token itself). Only the digest is
        kept. keep: then drop the person's oldest tokens beyond that many."""
        key = secrets.token_hex(20)
        token = cls.objects.create(user=user, digest=digest_of(key), prefix=key[:6])
        if keep is not None:
            stale = cls.objects.filter(user=user).values_list("pk", flat=True)[keep:]
            cls.objects.filter(pk__in=list(stale)).delete()
        return token, key
