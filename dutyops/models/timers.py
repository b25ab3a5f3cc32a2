"""Durable timers: a deadline in a table, fired exactly once by the worker."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Timer(models.Model):
    kind = models.CharField(_("类型"), max_length=64)
    # What the timer is about, e.g. "alert:42:ack:1". Unique per kind so that
    # scheduling the same deadline twice is a no-op, not a double reminder.
    key = models.CharField(_("键"), max_length=128)
    due_at = models.DateTimeField(_("到期时间"))
    payload = models.JSONField(_("参数"), default=dict, blank=True)
    fired_at = models.DateTimeField(_("触发时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("定时任务")
        verbose_name_plural = _("定时任务")
        constraints = [models.UniqueConstraint(fields=["kind", "key"], name="timer_kind_key_unique")]
        indexes = [
            models.Index(
                fields=["due_at"],
                name="timer_pending_due",
                condition=models.Q(fired_at__isnull=True, cancelled_at__isnull=True),
            )
        ]

    def __str__(self):
        return f"{self.kind} {self.key} @ {self.due_at:%Y-%m-%d %H:%M:%S}"
