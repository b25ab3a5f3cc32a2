"""Alerts to departments (预警/通知), their chasing, notification deliveries and supervised cases (督办).

History rows (feedback, chase steps, deliveries, case progress, circulars) are
append-only: the API never edits or deletes them.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

DEFAULT_ACK_MINUTES = 30
DEFAULT_FEEDBACK_MINUTES = 240


class Alert(models.Model):
    class State(models.TextChoices):
        SENT = "sent", _("已下发")
        ACKNOWLEDGED = "acknowledged", _("已签收")
        FED_BACK = "fed_back", _("已反馈")
        OVERDUE = "overdue", _("已超时")
        CLOSED = "closed", _("已办结")

    class Source(models.TextChoices):
        PLAN = "plan", _("预案启动")
        MANUAL = "manual", _("值班员下发")
        INSTRUCTION = "instruction", _("领导批示")

    incident = models.ForeignKey(
        "incidents.Incident", verbose_name=_("突发事件"), on_delete=models.PROTECT, related_name="alerts"
    )
    department = models.ForeignKey(
        "dutyops.Department", verbose_name=_("接收单位"), on_delete=models.PROTECT, related_name="alerts"
    )
    duty = models.TextField(_("任务要求"))
    source = models.CharField(_("来源"), max_length=16, choices=Source.choices, default=Source.MANUAL)
    # Plain references: plans and incidents depend on alerts, never the reverse.
    activation_id = models.BigIntegerField(_("预案启动记录"), null=True, blank=True, db_index=True)
    instruction_id = models.BigIntegerField(_("批示"), null=True, blank=True)
    supervision = models.ForeignKey(
        "SupervisionCase",
        verbose_name=_("督办事项"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="alerts",
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.SENT)
    ack_minutes = models.PositiveIntegerField(_("签收时限（分钟）"), default=DEFAULT_ACK_MINUTES)
    feedback_minutes = models.PositiveIntegerField(_("反馈时限（分钟）"), default=DEFAULT_FEEDBACK_MINUTES)
    ack_due_at = models.DateTimeField(_("签收截止"))
    feedback_due_at = models.DateTimeField(_("反馈截止"))
    # The first feedback deadline, kept for the figures when a return moves feedback_due_at.
    first_feedback_due_at = models.DateTimeField(_("首次反馈截止"))
    acknowledged_at = models.DateTimeField(_("签收时间"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("签收人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    first_feedback_at = models.DateTimeField(_("首次反馈时间"), null=True, blank=True)
    last_feedback_at = models.DateTimeField(_("最近反馈时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("首次超时时间"), null=True, blank=True)
    # Each return opens a new feedback round with its own deadline and chase steps.
    feedback_round = models.PositiveIntegerField(_("反馈轮次"), default=1)
    # Why the office last returned the feedback for more (shown on the department's card).
    return_reason = models.CharField(_("退回原因"), max_length=500, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("办结人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    close_reason = models.CharField(_("办结说明"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("下发时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("下发人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("预警通知")
        verbose_name_plural = _("预警通知")
        indexes = [
            models.Index(fields=["department", "state"], name="alert_dept_state"),
            models.Index(fields=["department", "created_at"], name="alert_dept_created"),
            models.Index(fields=["incident", "department"], name="alert_incident_dept"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.department} · {self.duty[:30]}"

    @property
    def is_open(self):
        return self.state != self.State.CLOSED


class AlertRecipient(models.Model):
    """Who the alert reached when it was dispatched (roster-driven), kept as history."""

    class Reason(models.TextChoices):
        DUTY_OFFICER = "duty_officer", _("当班值班员")
        DUTY_LEADER = "duty_leader", _("当班带班领导")
        LIAISON = "liaison", _("部门联络员")

    alert = models.ForeignKey(Alert, verbose_name=_("预警通知"), on_delete=models.CASCADE, related_name="recipients")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("接收人"), on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(_("接收原因"), max_length=16, choices=Reason.choices)
    shift_id = models.BigIntegerField(_("班次"), null=True, blank=True)

    class Meta:
        verbose_name = _("接收人")
        verbose_name_plural = _("接收人")
        constraints = [models.UniqueConstraint(fields=["alert", "person"], name="alert_recipient_unique")]

    def __str__(self):
        return f"{self.person} ({self.get_reason_display()})"


class Feedback(models.Model):
    alert = models.ForeignKey(Alert, verbose_name=_("预警通知"), on_delete=models.PROTECT, related_name="feedback")
    text = models.TextField(_("反馈内容"))
    # Metadata only ({"name", "size", "ref"}): files travel through the unit's own channels.
    attachments = models.JSONField(_("附件信息"), default=list, blank=True)
    round = models.PositiveIntegerField(_("轮次"), default=1)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("反馈人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("反馈时间"))

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("反馈")
        verbose_name_plural = _("反馈")

    def __str__(self):
        return f"#{self.alert_id} {self.text[:30]}"


class EscalationStep(models.Model):
    """The chasing policy an administrator edits: what happens how long after a deadline."""

    class Phase(models.TextChoices):
        ACK = "ack", _("签收")
        FEEDBACK = "feedback", _("反馈")

    class Action(models.TextChoices):
        REMIND = "remind", _("提醒接收单位")
        HEAD = "head", _("升级至上级单位和带班领导")
        LEADER = "leader", _("升级至分管领导")

    phase = models.CharField(_("环节"), max_length=16, choices=Phase.choices)
    offset_minutes = models.PositiveIntegerField(_("截止后（分钟）"), default=0)
    action = models.CharField(_("动作"), max_length=16, choices=Action.choices)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["phase", "offset_minutes", "id"]
        verbose_name = _("催办升级规则")
        verbose_name_plural = _("催办升级规则")

    def __str__(self):
        return f"{self.get_phase_display()} +{self.offset_minutes}′ {self.get_action_display()}"


class DepartmentLeader(models.Model):
    """The government leader in charge of a department (分管领导): the last escalation step."""

    department = models.OneToOneField(
        "dutyops.Department", verbose_name=_("单位"), on_delete=models.CASCADE, related_name="overseer"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("分管领导"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("分管领导")
        verbose_name_plural = _("分管领导")

    def __str__(self):
        return f"{self.department} → {self.leader}"


class Chase(models.Model):
    """One reminder or escalation that fired: the unique key makes each step happen once."""

    alert = models.ForeignKey(Alert, verbose_name=_("预警通知"), on_delete=models.PROTECT, related_name="chases")
    phase = models.CharField(_("环节"), max_length=16, choices=EscalationStep.Phase.choices)
    round = models.PositiveIntegerField(_("轮次"), default=1)
    step = models.PositiveIntegerField(_("步骤"))
    action = models.CharField(_("动作"), max_length=16, choices=EscalationStep.Action.choices)
    targets = models.JSONField(_("通知对象"), default=list)
    fired_at = models.DateTimeField(_("时间"))

    class Meta:
        ordering = ["fired_at", "id"]
        verbose_name = _("催办记录")
        verbose_name_plural = _("催办记录")
        constraints = [
            models.UniqueConstraint(fields=["alert", "phase", "round", "step"], name="chase_once"),
        ]

    def __str__(self):
        return f"#{self.alert_id} {self.phase}/{self.round} step {self.step}"


class NotificationChannel(models.Model):
    """An outbound channel configured as data (SMS gateway, WeCom/DingTalk robot, plain webhook)."""

    class Kind(models.TextChoices):
        SMS = "sms", _("短信网关")
        WECOM = "wecom", _("企业微信机器人")
        DINGTALK = "dingtalk", _("钉钉机器人")
        WEBHOOK = "webhook", _("通用 Webhook")

    name = models.CharField(_("名称"), max_length=64, unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    url = models.URLField(_("地址"), max_length=500)
    headers = models.JSONField(_("请求头"), default=dict, blank=True)
    # Which notices go out here: any of "created", "reminded", "escalated"; empty = all.
    notices = models.JSONField(_("发送的通知类型"), default=list, blank=True)
    enabled = models.BooleanField(_("启用"), default=True)
    max_attempts = models.PositiveIntegerField(_("最多尝试次数"), default=5)
    timeout_seconds = models.FloatField(_("超时（秒）"), default=5)

    class Meta:
        ordering = ["name"]
        verbose_name = _("通知渠道")
        verbose_name_plural = _("通知渠道")

    def __str__(self):
        return f"{self.name} ({self.get_kind_display()})"


class WebhookTarget(models.Model):
    """An allowed destination of outbound notifications, managed by administrators.

    A channel's URL must match an entry (host, and port when given); at send time
    the host is resolved and every address checked: loopback, private, link-local
    (cloud metadata) and other non-public addresses are refused unless the entry
    explicitly allows internal addresses (an SMS gateway on the intranet)."""

    host = models.CharField(
        _("主机"),
        max_length=253,
        unique=True,
        help_text=_("主机名（qyapi.weixin.qq.com）、域名后缀（*.example.gov.cn）、IP 地址或网段（10.8.0.0/16）"),
    )
    port = models.PositiveIntegerField(_("端口"), null=True, blank=True, help_text=_("留空表示任意端口"))
    allow_internal = models.BooleanField(
        _("允许内网与本机地址"),
        default=False,
        help_text=_("仅当网关确在内网时勾选：允许解析到本机、内网或链路本地地址"),
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["host"]
        verbose_name = _("通知目标白名单")
        verbose_name_plural = _("通知目标白名单")

    def __str__(self):
        return f"{self.host}:{self.port}" if self.port else self.host


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENT = "sent", _("已发送")
        FAILED = "failed", _("发送失败")
        CANCELLED = "cancelled", _("已取消")

    channel = models.ForeignKey(
        NotificationChannel, verbose_name=_("渠道"), on_delete=models.PROTECT, related_name="deliveries"
    )
    alert = models.ForeignKey(
        Alert, verbose_name=_("预警通知"), null=True, blank=True, on_delete=models.PROTECT, related_name="deliveries"
    )
    notice = models.CharField(_("通知类型"), max_length=16)
    text = models.TextField(_("内容"))
    phones = models.JSONField(_("手机号"), default=list, blank=True)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(_("已尝试次数"), default=0)
    last_error = models.CharField(_("最近错误"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("创建时间"))
    sent_at = models.DateTimeField(_("发送时间"), null=True, blank=True)
    # A channel disabled while this waited: who disabled it and when (never sent afterwards).
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("取消人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("通知发送记录")
        verbose_name_plural = _("通知发送记录")

    def __str__(self):
        return f"{self.channel} {self.notice} {self.status}"


class SupervisionCase(models.Model):
    """督办: an instructed matter tracked to closure and re-checked later."""

    class State(models.TextChoices):
        REGISTERED = "registered", _("已登记")
        ASSIGNED = "assigned", _("已交办")
        IN_PROGRESS = "in_progress", _("办理中")
        COMPLETED = "completed", _("已办结")
        REVIEWED = "reviewed", _("已复核")

    incident = models.ForeignKey(
        "incidents.Incident",
        verbose_name=_("突发事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="supervision_cases",
    )
    instruction_id = models.BigIntegerField(_("批示"), null=True, blank=True, unique=True)
    title = models.CharField(_("标题"), max_length=200)
    content = models.TextField(_("督办内容"))
    standard = models.TextField(_("办结标准"), blank=True)
    responsible_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("责任领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    departments = models.ManyToManyField(
        "dutyops.Department", verbose_name=_("责任单位"), blank=True, related_name="supervision_cases"
    )
    deadline = models.DateTimeField(_("办理时限"))
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.REGISTERED)
    recheck_at = models.DateTimeField(_("回头看日期"), null=True, blank=True)
    completed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("复核时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("登记时间"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登记人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("督办事项")
        verbose_name_plural = _("督办事项")
        indexes = [models.Index(fields=["state", "deadline"], name="supervision_state_deadline")]

    def __str__(self):
        return self.title


class CaseEntry(models.Model):
    """The ledger (台账) of a case: every step, note and state change, append-only."""

    case = models.ForeignKey(
        SupervisionCase, verbose_name=_("督办事项"), on_delete=models.PROTECT, related_name="entries"
    )
    kind = models.CharField(_("类型"), max_length=32)
    text = models.TextField(_("内容"), blank=True)
    state_from = models.CharField(_("原状态"), max_length=16, blank=True)
    state_to = models.CharField(_("新状态"), max_length=16, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField(_("时间"))

    # The kinds alerts.services writes (a plain field: the ledger is append-only history).
    KIND_LABELS = {
        "registered": _("登记"),
        "assigned": _("交办"),
        "progress": _("进展"),
        "completed": _("办结"),
        "reviewed": _("复核通过"),
        "sent_back": _("退回重办"),
        "rechecked": _("回头看"),
        "recheck_due": _("回头看到期"),
        "reminded": _("到期提醒"),
        "overdue": _("超期"),
    }

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("督办台账记录")
        verbose_name_plural = _("督办台账记录")

    def __str__(self):
        return f"{self.case_id} {self.kind_label}"

    @property
    def kind_label(self):
        return self.KIND_LABELS.get(self.kind, self.kind)


class Circular(models.Model):
    """通报: the published figures of one month, generated once and kept."""

    period = models.CharField(_("期间"), max_length=7, unique=True)  # "2026-11"
    figures = models.JSONField(_("数据"), default=dict)
    text = models.TextField(_("通报正文"))
    generated_at = models.DateTimeField(_("生成时间"))
    generated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("生成人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        ordering = ["-period"]
        verbose_name = _("通报")
        verbose_name_plural = _("通报")

    def __str__(self):
        return self.period
