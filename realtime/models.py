"""The durable event stream: an append-only table with a global, gap-free-visible seq."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Event(models.Model):
    append_only = True  # the application's database role may only read and insert (grant_app_role)
    # seq is the primary key. services.emit serialises appends so that seqs
    # become visible in commit order: a reader that has seen seq N has seen
    # every committed event below N, so `seq > after` never skips one.
    seq = models.BigAutoField(primary_key=True)
    type = models.CharField(_("类型"), max_length=64, db_index=True)
    at = models.DateTimeField(_("时间"))
    data = models.JSONField(_("内容"), default=dict)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("操作人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    incident_id = models.BigIntegerField(_("事件编号"), null=True, blank=True, db_index=True)
    # Restricted audience: departments whose liaisons may see this event.
    # Staff roles see every event regardless.
    departments = models.ManyToManyField(
        "dutyops.Department", through="EventAudience", related_name="+", verbose_name=_("可见单位")
    )

    class Meta:
        ordering = ["seq"]
        verbose_name = _("事件流记录")
        verbose_name_plural = _("事件流记录")

    def __str__(self):
        return f"#{self.seq} {self.type}"


class EventAudience(models.Model):
    append_only = True
    event = models.ForeignKey(Event, on_delete=models.PROTECT, related_name="audience")
    department = models.ForeignKey("dutyops.Department", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["department", "event"], name="event_audience_unique")]

    def __str__(self):
        return f"#{self.event_id} -> {self.department_id}"
