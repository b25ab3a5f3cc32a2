"""Ways in for other systems (issue 19): the systems allowed in with their keys, what
each sent, and the CAP 1.2 warnings imported.

A source's key is shown once, when it is made, and stored only as its SHA-256
digest (inbound.keys): a key is 32 random bytes, so a plain digest is as good as
a slow hash for it, and the lookup stays one indexed query per request.
Receipts and warnings are history: written once, never edited through the API;
an update or a cancel is a new warning that points at the one it replaces.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Source(models.Model):
    """A system allowed in (the 110/119/122/12345 hotline platforms, a department's
    own system, the meteorological service): admin-managed."""

    name = models.CharField(_("名称"), max_length=100, unique=True)
    key_prefix = models.CharField(_("密钥前缀"), max_length=12, editable=False)
    key_hash = models.CharField(_("密钥摘要"), max_length=64, unique=True, editable=False)
    duty_room = models.ForeignKey(
        "dutyops.Department",
        verbose_name=_("受理值班室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=_("该系统报来的事件由哪个值班室受理；留空为总值班室。"),
    )
    active = models.BooleanField(_("启用"), default=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("停用时间"), null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("接入系统")
        verbose_name_plural = _("接入系统")

    def __str__(self):
        return self.name

    @property
    def idempotency_owner(self):
        return f"source:{self.pk}"


class Receipt(models.Model):
    """One report a source sent, as registered (the report itself is incidents' Report)."""

    source = models.ForeignKey(Source, verbose_name=_("接入系统"), on_delete=models.PROTECT, related_name="receipts")
    report = models.OneToOneField(
        "incidents.Report", verbose_name=_("报告"), on_delete=models.PROTECT, related_name="receipt"
    )
    incident = models.ForeignKey(
        "incidents.Incident", verbose_name=_("突发事件"), on_delete=models.PROTECT, related_name="+"
    )
    opened_incident = models.BooleanField(_("新建事件"), default=False)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        verbose_name = _("系统接入记录")
        verbose_name_plural = _("系统接入记录")
        indexes = [models.Index(fields=["source", "incident"], name="receipt_source_incident")]

    def __str__(self):
        return f"{self.source} → #{self.report_id}"


class Colour(models.TextChoices):
    """The Chinese warning signal colours (预警信号颜色), most severe last."""

    BLUE = "blue", _("蓝色")
    YELLOW = "yellow", _("黄色")
    ORANGE = "orange", _("橙色")
    RED = "red", _("红色")


class CapWarning(models.Model):
    """One CAP 1.2 alert message as imported (its first <info> block in the language
    we read, and every <area>)."""

    class MsgType(models.TextChoices):
        ALERT = "Alert", _("发布")
        UPDATE = "Update", _("更新")
        CANCEL = "Cancel", _("解除")
        ACK = "Ack", _("确认")
        ERROR = "Error", _("更正错误")

    class Status(models.TextChoices):
        ACTUAL = "Actual", _("正式")
        EXERCISE = "Exercise", _("演练")
        SYSTEM = "System", _("系统")
        TEST = "Test", _("测试")
        DRAFT = "Draft", _("草稿")

    identifier = models.CharField(_("标识"), max_length=200)
    sender = models.CharField(_("发布者"), max_length=200)
    sent = models.DateTimeField(_("发布时间"))
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices)
    msg_type = models.CharField(_("消息类型"), max_length=10, choices=MsgType.choices)
    scope = models.CharField(_("范围"), max_length=12, blank=True)
    references = models.JSONField(_("引用"), default=list, blank=True)  # [[sender, identifier, sent], ...]
    event = models.CharField(_("预警事件"), max_length=200, blank=True)
    categories = models.JSONField(_("类别"), default=list, blank=True)
    urgency = models.CharField(_("紧迫程度"), max_length=12)
    severity = models.CharField(_("严重程度"), max_length=12)
    certainty = models.CharField(_("确定程度"), max_length=12)
    colour = models.CharField(_("预警级别"), max_length=8, choices=Colour.choices, blank=True)
    headline = models.CharField(_("标题"), max_length=300, blank=True)
    description = models.TextField(_("内容"), blank=True)
    instruction = models.TextField(_("防御指南"), blank=True)
    sender_name = models.CharField(_("发布单位"), max_length=200, blank=True)
    effective = models.DateTimeField(_("生效时间"), null=True, blank=True)
    onset = models.DateTimeField(_("开始时间"), null=True, blank=True)
    expires = models.DateTimeField(_("失效时间"), null=True, blank=True)
    # [{"desc", "polygons": [[[lat, lon], ...]], "circles": [{"lat", "lon", "radius_km"}], "places": [names]}]
    areas = models.JSONField(_("区域"), default=list, blank=True)
    area_desc = models.CharField(_("区域描述"), max_length=500, blank=True)
    latitude = models.FloatField(_("纬度"), null=True, blank=True)
    longitude = models.FloatField(_("经度"), null=True, blank=True)
    replaces = models.ForeignKey(
        "self", verbose_name=_("更新/解除的预警"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Set once, when a later Update or Cancel names this one (the only change a warning takes).
    superseded_by = models.ForeignKey(
        "self", verbose_name=_("被更新/解除"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("关联事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    source = models.ForeignKey(
        Source, verbose_name=_("接入系统"), null=True, blank=True, on_delete=models.PROTECT, related_name="warnings"
    )
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    imported_at = models.DateTimeField(_("导入时间"), auto_now_add=True)
    document = models.TextField(_("原文"))  # the CAP XML as received

    class Meta:
        ordering = ["-sent", "-id"]
        verbose_name = _("预警信息")
        verbose_name_plural = _("预警信息")
        constraints = [models.UniqueConstraint(fields=["sender", "identifier"], name="warning_sender_identifier")]
        indexes = [models.Index(fields=["expires"], name="warning_expires_idx")]

    def __str__(self):
        return self.headline or self.event or self.identifier

    @property
    def is_drill(self):
        return self.status != self.Status.ACTUAL
