"""Accountability (issue 19): late, omitted, concealed and false reports held to
account (迟报/漏报/瞒报/谎报), the staff error register (差错登记), and the duty
discipline policy the per-person figures are measured against.

Findings and errors are records of a decision: written once with who decided
and when, never changed or deleted (save() and delete() refuse, the admin
only shows them, the API has no PATCH or DELETE). A correction is a new record
that names the one it corrects (`corrects`), and may withdraw it (`withdrawn`).
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class WrittenOnce(models.Model):
    """A record that is never rewritten: only inserted."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValueError(f"{type(self).__name__} is a record: corrections are new records")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} is a record: it is never deleted")


class ReportingFinding(WrittenOnce):
    """A report held to account: which unit (and person), what was found, who decided."""

    class Kind(models.TextChoices):
        LATE = "late", _("迟报")
        OMITTED = "omitted", _("漏报")
        CONCEALED = "concealed", _("瞒报")
        FALSE = "false", _("谎报")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    department = models.ForeignKey(
        "dutyops.Department", verbose_name=_("责任单位"), on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("涉及事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    due_at = models.DateTimeField(_("应报时间"), null=True, blank=True)
    reported_at = models.DateTimeField(_("实际报告时间"), null=True, blank=True)
    finding = models.TextField(_("认定情况"), max_length=5_000)
    decision = models.TextField(_("处理意见"), max_length=2_000, blank=True)
    corrects = models.ForeignKey(
        "self", verbose_name=_("更正的认定"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn = models.BooleanField(_("撤销原认定"), default=False)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("认定人"), on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(_("认定时间"))

    class Meta:
        ordering = ["-decided_at", "-id"]
        verbose_name = _("迟报漏报瞒报谎报认定")
        verbose_name_plural = _("迟报漏报瞒报谎报登记")

    def __str__(self):
        return f"{self.get_kind_display()} {self.department} #{self.pk}"


class StaffError(WrittenOnce):
    """差错登记: an error a person on duty made, as the duty leader (or above) found it."""

    class Kind(models.TextChoices):
        INTAKE = "intake", _("接报差错")
        RECORD = "record", _("登记差错")
        RELAY = "relay", _("传达差错")
        REPORT = "report", _("报送差错")
        HANDOVER = "handover", _("交接差错")
        OTHER = "other", _("其他差错")

    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices)
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("当事人"), on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(
        "dutyops.Department",
        verbose_name=_("所在单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    occurred_at = models.DateTimeField(_("发生时间"))
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("涉及事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    description = models.TextField(_("差错情况"), max_length=5_000)
    consequence = models.CharField(_("后果"), max_length=500, blank=True)
    corrects = models.ForeignKey(
        "self", verbose_name=_("更正的登记"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    withdrawn = models.BooleanField(_("撤销原登记"), default=False)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("登记时间"))

    class Meta:
        ordering = ["-recorded_at", "-id"]
        verbose_name = _("差错登记")
        verbose_name_plural = _("差错登记")

    def __str__(self):
        return f"{self.get_kind_display()} {self.person} #{self.pk}"


class DisciplineRule(models.Model):
    """How fast a call must be answered: within `max_rings` rings (each `seconds_per_ring`
    seconds) or `max_seconds` if set. One row without a room is the default; a room's
    row overrides it. No row: 3 rings of 5 seconds."""

    duty_room = models.OneToOneField(
        "dutyops.Department",
        verbose_name=_("值班室"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=_("留空表示全局默认。"),
    )
    max_rings = models.PositiveSmallIntegerField(
        _("响铃次数上限"), default=3, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    seconds_per_ring = models.PositiveSmallIntegerField(
        _("每声响铃（秒）"), default=5, validators=[MinValueValidator(1), MaxValueValidator(30)]
    )
    max_seconds = models.PositiveSmallIntegerField(
        _("接听时限（秒）"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(600)],
        help_text=_("填写则以秒计，不再按响铃次数折算。"),
    )

    class Meta:
        verbose_name = _("值班纪律规则")
        verbose_name_plural = _("值班纪律规则")

    def __str__(self):
        return str(self.duty_room) if self.duty_room_id else str(_("全局默认"))

    @property
    def answer_limit_seconds(self):
        return self.max_seconds or self.max_rings * self.seconds_per_ring
