"""Contingency plans (应急预案): the registry, its versions, and activations.

A Plan row is the plan's identity (stable id and code) and its current
content. Every content change of a plan that has been issued creates a new
PlanVersion; a PlanVersion is a frozen snapshot of the whole plan, and an
Activation points at the version it was started with, so later edits never
change a response under way.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

LEVELS = ("I", "II", "III", "IV")  # I is the highest response level


class Level(models.TextChoices):
    I = "I", _("一级")  # noqa: E741
    II = "II", _("二级")
    III = "III", _("三级")
    IV = "IV", _("四级")


class Plan(models.Model):
    class Kind(models.TextChoices):
        GENERAL = "general", _("总体预案")
        SPECIFIC = "specific", _("专项预案")
        DEPARTMENT = "department", _("部门预案")

    class Status(models.TextChoices):
        DRAFT = "draft", _("草案")
        ISSUED = "issued", _("已发布")
        RETIRED = "retired", _("已废止")

    code = models.CharField(_("预案编号"), max_length=40, unique=True)
    title = models.CharField(_("预案名称"), max_length=200)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True)
    category = models.CharField(_("事件类别"), max_length=32, blank=True)
    subtypes = models.JSONField(_("事件子类"), default=list, blank=True)
    keywords = models.JSONField(_("关键词"), default=list, blank=True)
    owner_department = models.ForeignKey(
        "dutyops.Department",
        verbose_name=_("编制单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="owned_plans",
    )
    lead_department = models.ForeignKey(
        "dutyops.Department",
        verbose_name=_("牵头单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_plans",
    )
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)
    effective_on = models.DateField(_("施行日期"), null=True, blank=True)
    review_by = models.DateField(_("评估修订期限"), null=True, blank=True)
    filing_record = models.CharField(_("审核备案记录"), max_length=300, blank=True)
    # [{"level", "criteria": {...}, "tasks": [{"department", "duty", "ack_minutes", "feedback_minutes"}]}], I..IV
    levels = models.JSONField(_("响应级别"), default=list, blank=True)
    version = models.PositiveIntegerField(_("当前版本"), default=1)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("应急预案")
        verbose_name_plural = _("应急预案")
        indexes = [models.Index(fields=["status", "category"], name="plan_status_category")]

    def __str__(self):
        return f"{self.code} {self.title}"


class PlanVersion(models.Model):
    """A frozen snapshot of a plan: never edited once the plan was issued with it."""

    plan = models.ForeignKey(Plan, verbose_name=_("预案"), on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    status = models.CharField(_("状态"), max_length=16, choices=Plan.Status.choices)
    content = models.JSONField(_("内容快照"))
    note = models.CharField(_("修订说明"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("修订人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_at = models.DateTimeField(_("修订时间"), auto_now_add=True)

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("预案版本")
        verbose_name_plural = _("预案版本")
        constraints = [models.UniqueConstraint(fields=["plan", "number"], name="plan_version_unique")]

    def __str__(self):
        return f"{self.plan.code} v{self.number}"


class RegistryState(models.Model):
    """One row: a token that changes on every plan write, so each process's
    compiled matching cache knows with one cheap query whether it is stale.
    A random token (not a counter) so that a rolled-back write can never make
    an old cache look current again."""

    token = models.CharField(max_length=32)
    generation = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("预案库状态")
        verbose_name_plural = _("预案库状态")

    def __str__(self):
        return f"gen {self.generation}"


class Activation(models.Model):
    """A plan started for an incident at a response level, pinned to a version."""

    class State(models.TextChoices):
        PROPOSED = "proposed", _("待审批")
        ACTIVE = "active", _("响应中")
        TERMINATED = "terminated", _("已终止")
        REJECTED = "rejected", _("未批准")

    LIVE_STATES = (State.PROPOSED, State.ACTIVE)

    incident = models.ForeignKey(
        "incidents.Incident", verbose_name=_("突发事件"), on_delete=models.PROTECT, related_name="plan_activations"
    )
    plan = models.ForeignKey(Plan, verbose_name=_("预案"), on_delete=models.PROTECT, related_name="activations")
    plan_version = models.ForeignKey(
        PlanVersion, verbose_name=_("预案版本"), on_delete=models.PROTECT, related_name="activations"
    )
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PROPOSED)
    # The level in force; blank until the activation is approved.
    level = models.CharField(_("响应级别"), max_length=3, choices=Level.choices, blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    proposed_at = models.DateTimeField(_("提出时间"))
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("批准人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    activated_at = models.DateTimeField(_("启动时间"), null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("终止人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    ended_at = models.DateTimeField(_("终止时间"), null=True, blank=True)
    end_reason = models.CharField(_("终止原因"), max_length=500, blank=True)

    class Meta:
        ordering = ["-proposed_at", "-id"]
        verbose_name = _("预案启动")
        verbose_name_plural = _("预案启动")
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "plan"],
                condition=models.Q(state__in=["proposed", "active"]),
                name="activation_one_live_per_plan",
            )
        ]

    def __str__(self):
        return f"#{self.pk} {self.plan.code} → #{self.incident_id}"


class ActivationRequest(models.Model):
    """One proposal (start, change level, terminate) and its decision."""

    class Action(models.TextChoices):
        ACTIVATE = "activate", _("启动")
        CHANGE_LEVEL = "change_level", _("调整级别")
        TERMINATE = "terminate", _("终止")

    class State(models.TextChoices):
        PENDING = "pending", _("待审批")
        APPROVED = "approved", _("已批准")
        REJECTED = "rejected", _("未批准")

    activation = models.ForeignKey(
        Activation, verbose_name=_("预案启动"), on_delete=models.PROTECT, related_name="requests"
    )
    action = models.CharField(_("事项"), max_length=16, choices=Action.choices)
    level = models.CharField(_("目标级别"), max_length=3, choices=Level.choices, blank=True)
    from_level = models.CharField(_("原级别"), max_length=3, choices=Level.choices, blank=True)
    reason = models.CharField(_("理由"), max_length=500, blank=True)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.PENDING)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("提出人"), on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("提出时间"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decision_note = models.CharField(_("审批意见"), max_length=500, blank=True)

    class Meta:
        ordering = ["requested_at", "id"]
        verbose_name = _("启动审批")
        verbose_name_plural = _("启动审批")
        constraints = [
            models.UniqueConstraint(
                fields=["activation"], condition=models.Q(state="pending"), name="activation_one_pending_request"
            )
        ]

    def __str__(self):
        return f"{self.get_action_display()} {self.level} ({self.get_state_display()})"


class ActivationTask(models.Model):
    """A task of the activated level that has been sent as an alert."""

    activation = models.ForeignKey(
        Activation, verbose_name=_("预案启动"), on_delete=models.PROTECT, related_name="tasks"
    )
    department = models.ForeignKey(
        "dutyops.Department", verbose_name=_("单位"), on_delete=models.PROTECT, related_name="+"
    )
    duty = models.TextField(_("职责"))
    ack_minutes = models.PositiveIntegerField(_("签收时限（分钟）"))
    feedback_minutes = models.PositiveIntegerField(_("反馈时限（分钟）"))
    level = models.CharField(_("下发时响应级别"), max_length=3, choices=Level.choices)
    from_level = models.CharField(_("任务所属级别"), max_length=3, choices=Level.choices)
    alert_id = models.BigIntegerField(_("预警通知"), null=True, blank=True)
    dispatched_at = models.DateTimeField(_("下发时间"))

    class Meta:
        ordering = ["dispatched_at", "id"]
        verbose_name = _("启动任务")
        verbose_name_plural = _("启动任务")

    def __str__(self):
        return f"{self.department} · {self.duty[:30]}"


class IncidentMatch(models.Model):
    """The incident's current top plan match (or coverage gap), so that
    plan.matched is emitted only when it changes."""

    incident = models.OneToOneField(
        "incidents.Incident",
        verbose_name=_("突发事件"),
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="plan_match",
    )
    plan = models.ForeignKey(
        Plan, verbose_name=_("首选预案"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    level = models.CharField(_("建议级别"), max_length=3, choices=Level.choices, blank=True)
    score = models.FloatField(_("匹配分"), default=0)
    gap = models.BooleanField(_("无适用预案"), default=False, db_index=True)
    # The top plan leads alone with the subtype known: announced as 首选预案. Else it
    # ties with another, or the subtype is unknown and the general plan leads.
    preferred = models.BooleanField(_("首选"), default=True)
    matched_at = models.DateTimeField(_("匹配时间"))

    class Meta:
        verbose_name = _("预案匹配结果")
        verbose_name_plural = _("预案匹配结果")

    def __str__(self):
        return f"#{self.incident_id} → {self.plan_id or '-'} {self.level}"
