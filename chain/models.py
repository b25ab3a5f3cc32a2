"""Information up the chain: the statutory line, verification, upward reports
(首报/续报/终报) as records, and installations linked county to city.

History records (Verification, UpwardReport, Delivery's send, Inbound) are
written once; an upward report's content is kept as sent and never edited
(a correction is a new report). Links and the statutory line are data the
administrator edits.
"""

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.models import Category, ReportKind


class Link(models.Model):
    """Another installation on the chain. `up`: the higher level we report to
    (our upward reports on its categories go there). `down`: a lower level that
    reports to us (its reports arrive as `lower_level`; our sign-for goes back).

    Traffic is authenticated per link, both ways: we call the peer at `url` with
    `credential` (an API token the peer issued to the account standing for us
    there); the peer calls us with the token of `account` (the local account
    standing for the peer here), which names this link."""

    class Direction(models.TextChoices):
        UP = "up", _("上级（向其报告）")
        DOWN = "down", _("下级（接收其报告）")

    name = models.CharField(_("名称"), max_length=100)
    direction = models.CharField(_("方向"), max_length=4, choices=Direction.choices, default=Direction.UP)
    url = models.URLField(_("对方地址"), max_length=300, help_text=_("对方系统的根地址，如 http://10.1.2.3:8000"))
    credential = models.CharField(
        _("访问凭据"), max_length=128, blank=True, help_text=_("对方系统为本级签发的 API 令牌（只写不显示）")
    )
    categories = models.JSONField(_("上报分类"), default=list, blank=True, help_text=_("空：全部分类"))
    account = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("对方在本级的账号"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="chain_links",
        help_text=_("对方调用本系统时使用该账号的令牌"),
    )
    active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    # What the outbox last saw (shown to the sender's officers and the admin).
    last_success_at = models.DateTimeField(_("最近成功"), null=True, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    pump_until = models.DateTimeField(_("发送中（至）"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["direction", "name"]
        verbose_name = _("上下级系统链路")
        verbose_name_plural = _("上下级系统链路")

    def __str__(self):
        return self.name

    def carries(self, category):
        return not self.categories or category in self.categories


class Recipient(models.Model):
    """One entry of the statutory reporting line (报送对象) for a category (blank:
    every category): the higher-level duty office, the line department, the
    government. `required`: an upward report must inform it (both are informed
    where required). With a link, the report goes to it as data."""

    class Kind(models.TextChoices):
        DUTY_OFFICE = "duty_office", _("上级值班室")
        LINE_DEPARTMENT = "line_department", _("行业主管部门")
        GOVERNMENT = "government", _("本级政府")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类别"), max_length=16, choices=Kind.choices, default=Kind.DUTY_OFFICE)
    category = models.CharField(_("事件分类"), max_length=24, choices=Category.choices, blank=True)
    required = models.BooleanField(_("必须同时报告"), default=True)
    link = models.ForeignKey(
        Link, verbose_name=_("系统链路"), null=True, blank=True, on_delete=models.SET_NULL, related_name="recipients"
    )
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["order", "id"]
        verbose_name = _("报送对象")
        verbose_name_plural = _("报送对象（法定报告线）")

    def __str__(self):
        return self.name


class Verification(models.Model):
    """Facts verified (核实): which, by whom, how, when. Never edited: a correction
    is a new record."""

    append_only = True  # the application's database role may only read and insert (grant_app_role)

    incident = models.ForeignKey(
        "incidents.Incident", verbose_name=_("突发事件"), on_delete=models.PROTECT, related_name="verifications"
    )
    facts = models.TextField(_("核实事项"))
    method = models.CharField(_("核实方式"), max_length=100, help_text=_("如：电话向现场指挥部核实、现场核查"))
    verified_at = models.DateTimeField(_("核实时间"), default=timezone.now)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核实人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["verified_at", "id"]
        verbose_name = _("核实记录")
        verbose_name_plural = _("核实记录")

    def __str__(self):
        return f"{self.incident_id} {self.facts[:20]}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("a verification is kept as recorded: record a new one instead")
        super().save(*args, **kwargs)


class UpwardReport(models.Model):
    """One report up the chain (首报/续报/终报) as sent: its content and the 信息专报
    generated from it are kept with it and never change."""

    append_only = True  # the application's database role may only read and insert (grant_app_role)

    class Method(models.TextChoices):
        WRITTEN = "written", _("书面（信息专报）")
        PHONE = "phone", _("电话")

    uuid = models.UUIDField(_("报告编号"), default=uuid.uuid4, unique=True, editable=False)
    incident = models.ForeignKey(
        "incidents.Incident", verbose_name=_("突发事件"), on_delete=models.PROTECT, related_name="chain_reports"
    )
    kind = models.CharField(_("报告类型"), max_length=16, choices=ReportKind.choices)
    method = models.CharField(_("方式"), max_length=8, choices=Method.choices, default=Method.WRITTEN)
    verified = models.BooleanField(_("已核实"))
    unverified_reason = models.CharField(_("先行报告理由"), max_length=500, blank=True)
    content = models.JSONField(_("报送内容"), help_text=_("报送时的内容，之后不再改变"))
    corrects = models.ForeignKey(
        "self", verbose_name=_("更正"), null=True, blank=True, on_delete=models.PROTECT, related_name="corrections"
    )
    sent_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT, related_name="+"
    )
    document = models.BinaryField(_("信息专报（DOCX）"), editable=False)
    document_sha256 = models.CharField(_("文件摘要"), max_length=64, editable=False)
    is_drill = models.BooleanField(_("演练"), default=False)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("向上报告")
        verbose_name_plural = _("向上报告")
        indexes = [models.Index(fields=["incident", "sent_at"], name="chain_upward_incident_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValueError("an upward report is kept as sent: send a correction instead")
        super().save(*args, **kwargs)

    @property
    def unverified_mark(self):
        return "" if self.verified else "未经核实，先行报告"


class Delivery(models.Model):
    """One recipient of an upward report and where its copy stands: 已发送 (queued),
    已送达 (delivered: the receiving installation accepted it), 已签收
    (acknowledged: its duty officer signed for it), 发送失败 (failed: refused).
    A recipient without a link is informed outside the system (phone, fax):
    recorded as delivered when sent."""

    class State(models.TextChoices):
        QUEUED = "queued", _("已发送")
        DELIVERED = "delivered", _("已送达")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        FAILED = "failed", _("发送失败")

    upward_report = models.ForeignKey(
        UpwardReport, verbose_name=_("向上报告"), on_delete=models.PROTECT, related_name="deliveries"
    )
    recipient = models.ForeignKey(
        Recipient, verbose_name=_("报送对象"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    recipient_name = models.CharField(_("报送对象"), max_length=100)
    link = models.ForeignKey(
        Link, verbose_name=_("系统链路"), null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.QUEUED)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.CharField(_("签收人"), max_length=100, blank=True)
    remote_incident = models.CharField(_("对方事件编号"), max_length=64, blank=True)
    remote_report = models.CharField(_("对方报告编号"), max_length=64, blank=True)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("报送送达")
        verbose_name_plural = _("报送送达")

    def __str__(self):
        return f"{self.recipient_name}: {self.get_state_display()}"


class Outbox(models.Model):
    """A message for a linked installation, sent by the worker in order per link
    (lowest id first; a later one waits), retried with backoff until accepted."""

    class Kind(models.TextChoices):
        REPORT = "report", _("报告")
        RECEIPT = "receipt", _("签收回执")

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        DONE = "done", _("已接受")
        FAILED = "failed", _("被拒绝")

    link = models.ForeignKey(Link, verbose_name=_("系统链路"), on_delete=models.PROTECT, related_name="outbox")
    kind = models.CharField(_("类型"), max_length=8, choices=Kind.choices)
    key = models.CharField(_("幂等键"), max_length=100, unique=True)
    payload = models.JSONField(_("内容"))
    delivery = models.ForeignKey(
        Delivery, verbose_name=_("报送送达"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    state = models.CharField(_("状态"), max_length=8, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    answer = models.JSONField(_("对方应答"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    done_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("发件队列")
        verbose_name_plural = _("发件队列")
        indexes = [models.Index(fields=["link", "state", "id"], name="chain_outbox_head_idx")]

    def __str__(self):
        return f"{self.link_id}#{self.pk} {self.kind} {self.state}"


class Inbound(models.Model):
    """A report that arrived from a lower installation on a link: the intake
    report it became, and the sign-for (签收) that flows back."""

    link = models.ForeignKey(Link, verbose_name=_("系统链路"), on_delete=models.PROTECT, related_name="inbound")
    remote_id = models.CharField(_("对方报告编号"), max_length=64)
    remote_incident = models.CharField(_("对方事件编号"), max_length=64)
    kind = models.CharField(_("报告类型"), max_length=16, choices=ReportKind.choices)
    sender = models.CharField(_("报送单位"), max_length=100)
    verified = models.BooleanField(_("已核实"), default=True)
    unverified_reason = models.CharField(_("先行报告理由"), max_length=500, blank=True)
    content = models.JSONField(_("报送内容"))
    report = models.OneToOneField(
        "incidents.Report", verbose_name=_("接报记录"), on_delete=models.PROTECT, related_name="chain_inbound"
    )
    incident = models.ForeignKey(
        "incidents.Incident", verbose_name=_("突发事件"), on_delete=models.PROTECT, related_name="chain_inbound"
    )
    received_at = models.DateTimeField(_("接收时间"), default=timezone.now)
    signed_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("下级来报")
        verbose_name_plural = _("下级来报")
        constraints = [models.UniqueConstraint(fields=["link", "remote_id"], name="chain_inbound_once")]

    def __str__(self):
        return f"{self.sender} {self.get_kind_display()}"
