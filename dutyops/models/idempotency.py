"""The first answer to an API POST sent with an Idempotency-Key (see dutyops.idempotency)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdempotencyRecord(models.Model):
    # Whose key it is: "person:<id>" for a signed-in person (token or session
    # alike), or what the request's authenticator names, e.g. "source:<id>".
    owner = models.CharField(_("调用方"), max_length=64)
    key = models.CharField(_("幂等键"), max_length=255)
    # SHA-256 of the request's method, path and body: the same key with another
    # request is refused, never answered with the first one's response.
    fingerprint = models.CharField(_("请求指纹"), max_length=64)
    created_at = models.DateTimeField(_("创建时间"), db_index=True)
    status = models.PositiveSmallIntegerField(_("状态码"), default=0)
    content_type = models.CharField(_("内容类型"), max_length=128, blank=True)
    body = models.BinaryField(_("响应体"), blank=True, default=b"")

    class Meta:
        verbose_name = _("幂等请求记录")
        verbose_name_plural = _("幂等请求记录")
        constraints = [models.UniqueConstraint(fields=["owner", "key"], name="idempotency_owner_key_unique")]

    def __str__(self):
        return f"{self.owner} {self.key}"
