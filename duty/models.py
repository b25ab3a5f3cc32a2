"""Duty operations: rules, holiday calendar, rosters, swaps, check-ins, handovers, duty log.

Shifts are the plan (editable until someone has checked in); check-ins,
absences, post checks, handovers and log entries are history: written once,
never edited or deleted through the API.
"""

import datetime
import secrets

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dutyops.models import Department
from dutyops.models.tokens import digest_of


class DutyRule(models.Model):
    """Duty policy as data an administrator edits at runtime (no redeploy).

    One row without a duty room is the default for every room; a row with a
    room overrides it for that room (a township duty room may run with one
    officer). With no row at all the built-in defaults below apply.
    """

    duty_room = models.OneToOneField(
        Department,
        verbose_name=_("值班室"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="duty_rule",
        help_text=_("留空表示全局默认规则。"),
    )
    min_officers = models.PositiveSmallIntegerField(
        _("每班最少值班员"), default=2, validators=[MinValueValidator(0), MaxValueValidator(50)]
    )
    handover_time = models.TimeField(_("每日交接班时间"), default=datetime.time(8, 30))
    checkin_grace_minutes = models.PositiveSmallIntegerField(
        _("到岗宽限（分钟）"), default=15, validators=[MinValueValidator(0), MaxValueValidator(240)]
    )
    max_consecutive_hours = models.PositiveSmallIntegerField(
        _("连续值班上限（小时）"), default=24, validators=[MinValueValidator(1), MaxValueValidator(24 * 14)]
    )
    require_leader = models.BooleanField(_("每班须有带班领导"), default=True)

    class Meta:
        verbose_name = _("值班规则")
        verbose_name_plural = _("值班规则")
        constraints = [
            # At most one global row (NULL duty_room is not covered by the OneToOne uniqueness).
            models.UniqueConstraint(
                Coalesce("duty_room", models.Value(0)),
                name="duty_rule_one_per_scope",
                violation_error_message=_("该范围的值班规则已存在。"),
            )
        ]

    def __str__(self):
        return str(self.duty_room) if self.duty_room_id else str(_("全局默认规则"))


class Holiday(models.Model):
    """One day of the statutory holiday calendar (节假日安排), edited in the admin.

    `holiday` days are days off; `workday` days are make-up working days
    (调休上班), which count as ordinary working days even on a weekend.
    """

    class Kind(models.TextChoices):
        HOLIDAY = "holiday", _("法定节假日")
        WORKDAY = "workday", _("调休上班")

    date = models.DateField(_("日期"), unique=True)
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.HOLIDAY)
    name = models.CharField(_("节日"), max_length=32)
    extra_officers = models.PositiveSmallIntegerField(
        _("加派值班员"),
        default=0,
        validators=[MaxValueValidator(20)],
        help_text=_("该日每班在规则基础上增加的值班员人数。"),
    )
    required_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("指定带班领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("备注"), max_length=200, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("节假日安排")
        verbose_name_plural = _("节假日安排")

    def __str__(self):
        return f"{self.date} {self.name} {self.get_kind_display()}"


class Leave(models.Model):
    """A person away (休假/请假/出差): rotations skip them on these days."""

    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="leaves"
    )
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("事由"), max_length=200, blank=True)

    class Meta:
        ordering = ["starts_on"]
        verbose_name = _("请假")
        verbose_name_plural = _("请假")
        indexes = [models.Index(fields=["person", "starts_on", "ends_on"], name="leave_person_dates")]

    def __str__(self):
        return f"{self.person} {self.starts_on}~{self.ends_on}"


class Rotation(models.Model):
    """How a roster is generated for one duty room: ordered people and a pattern."""

    class Pattern(models.TextChoices):
        DAILY = "daily", _("每日轮换")
        TWENTY_FOUR_FORTY_EIGHT = "24_48", _("值24休48")
        WEEKLY = "weekly", _("按周轮换")
        CUSTOM = "custom", _("自定义")

    duty_room = models.ForeignKey(
        Department, verbose_name=_("值班室"), on_delete=models.PROTECT, related_name="rotations"
    )
    name = models.CharField(_("名称"), max_length=64)
    pattern = models.CharField(_("轮换方式"), max_length=16, choices=Pattern.choices, default=Pattern.DAILY)
    shift_hours = models.PositiveSmallIntegerField(
        _("每班时长（小时）"), default=24, validators=[MinValueValidator(1), MaxValueValidator(24 * 7)]
    )
    # custom: the same people serve this many consecutive shifts before the next turn.
    shifts_per_turn = models.PositiveSmallIntegerField(
        _("每轮班次数"), default=1, validators=[MinValueValidator(1), MaxValueValidator(31)]
    )
    start_time = models.TimeField(_("起班时间"), null=True, blank=True, help_text=_("留空则用规则中的交接班时间。"))
    officers_per_shift = models.PositiveSmallIntegerField(
        _("每班值班员"), null=True, blank=True, help_text=_("留空则用规则中的最少人数。")
    )
    leaders = models.JSONField(_("带班领导顺序（人员编号）"), default=list, blank=True)
    officers = models.JSONField(_("值班员顺序（人员编号）"), default=list, blank=True)
    holiday_leaders = models.JSONField(
        _("节假日/休息日带班领导顺序"), default=list, blank=True, help_text=_("留空则节假日也按平日顺序。")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        ordering = ["duty_room", "name"]
        verbose_name = _("轮班规则")
        verbose_name_plural = _("轮班规则")

    def __str__(self):
        return f"{self.duty_room} {self.name}"


class Shift(models.Model):
    duty_room = models.ForeignKey(Department, verbose_name=_("值班室"), on_delete=models.PROTECT, related_name="shifts")
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("带班领导"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="led_shifts",
    )
    officers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="ShiftOfficer", verbose_name=_("值班员"), related_name="duty_shifts"
    )
    rotation = models.ForeignKey(
        Rotation, verbose_name=_("轮班规则"), null=True, blank=True, on_delete=models.SET_NULL, related_name="shifts"
    )
    # Kept when a rotation is regenerated: swapped or hand-edited shifts.
    pinned = models.BooleanField(_("已调整（重排时保留）"), default=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    class Meta:
        ordering = ["duty_room", "starts_at"]
        verbose_name = _("班次")
        verbose_name_plural = _("班次")
        indexes = [
            # duty/now: the latest shift of a room starting at or before `at` (backward index scan, one row).
            models.Index(fields=["duty_room", "starts_at"], name="shift_room_start"),
            models.Index(fields=["duty_room", "ends_at"], name="shift_room_end"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_at__gt=models.F("starts_at")),
                name="shift_ends_after_start",
                violation_error_message=_("结束时间必须晚于开始时间。"),
            )
        ]

    def __str__(self):
        return f"{self.duty_room} {timezone.localtime(self.starts_at):%Y-%m-%d %H:%M}"


class ShiftOfficer(models.Model):
    shift = models.ForeignKey(Shift, verbose_name=_("班次"), on_delete=models.CASCADE, related_name="officer_links")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("值班员"), on_delete=models.PROTECT, related_name="+"
    )
    position = models.PositiveSmallIntegerField(_("顺序"), default=0)

    class Meta:
        ordering = ["shift", "position", "id"]
        verbose_name = _("班次值班员")
        verbose_name_plural = _("班次值班员")
        constraints = [models.UniqueConstraint(fields=["shift", "person"], name="shift_officer_unique")]
        indexes = [models.Index(fields=["person", "shift"], name="shift_officer_person")]

    def __str__(self):
        return f"{self.shift} {self.person}"


class SwapRequest(models.Model):
    """换班 (swap two people's shifts) or 替班 (someone takes over one shift).

    requested by the person on the shift, accepted by the counterpart,
    approved by the room's duty leader; every step is kept.
    """

    class Kind(models.TextChoices):
        SWAP = "swap", _("换班")
        SUBSTITUTE = "substitute", _("替班")

    class State(models.TextChoices):
        REQUESTED = "requested", _("待对方同意")
        ACCEPTED = "accepted", _("待带班领导审批")
        APPROVED = "approved", _("已批准")
        DECLINED = "declined", _("对方拒绝")
        REJECTED = "rejected", _("审批驳回")
        CANCELLED = "cancelled", _("已撤回")

    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices)
    state = models.CharField(_("状态"), max_length=16, choices=State.choices, default=State.REQUESTED)
    shift = models.ForeignKey(Shift, verbose_name=_("本人班次"), on_delete=models.PROTECT, related_name="swaps_out")
    requester = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("申请人"), on_delete=models.PROTECT, related_name="+"
    )
    counterpart = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("对方"), on_delete=models.PROTECT, related_name="+"
    )
    counterpart_shift = models.ForeignKey(
        Shift,
        verbose_name=_("对方班次"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="swaps_in",
    )
    reason = models.CharField(_("事由"), max_length=200, blank=True)
    requested_at = models.DateTimeField(_("申请时间"), auto_now_add=True)
    answered_at = models.DateTimeField(_("对方答复时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("审批人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    decision_note = models.CharField(_("审批意见"), max_length=200, blank=True)

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("换班/替班申请")
        verbose_name_plural = _("换班/替班申请")

    def __str__(self):
        return f"{self.get_kind_display()} {self.requester} -> {self.counterpart} ({self.get_state_display()})"


class CheckIn(models.Model):
    """到岗: a person on the shift reported at post."""

    shift = models.ForeignKey(Shift, verbose_name=_("班次"), on_delete=models.PROTECT, related_name="checkins")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("到岗时间"))
    late = models.BooleanField(_("迟到"), default=False)

    class Meta:
        ordering = ["at"]
        verbose_name = _("到岗记录")
        verbose_name_plural = _("到岗记录")
        constraints = [models.UniqueConstraint(fields=["shift", "person"], name="checkin_once")]

    def __str__(self):
        return f"{self.person} {self.at:%Y-%m-%d %H:%M}"


class Absence(models.Model):
    """脱岗/漏岗: recorded by the missed check-in timer or a failed post check. Never deleted."""

    class Kind(models.TextChoices):
        MISSED_CHECKIN = "missed_checkin", _("未按时到岗")
        ABSENT_FROM_POST = "absent_from_post", _("查岗不在岗")

    shift = models.ForeignKey(Shift, verbose_name=_("班次"), on_delete=models.PROTECT, related_name="absences")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("人员"), on_delete=models.PROTECT, related_name="+"
    )
    kind = models.CharField(_("类型"), max_length=24, choices=Kind.choices)
    detected_at = models.DateTimeField(_("发现时间"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("记录人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-detected_at"]
        verbose_name = _("脱岗/漏岗记录")
        verbose_name_plural = _("脱岗/漏岗记录")
        constraints = [
            # The missed check-in is recorded once per person and shift, whatever fires it.
            models.UniqueConstraint(
                fields=["shift", "person"],
                condition=models.Q(kind="missed_checkin"),
                name="absence_missed_checkin_once",
            )
        ]

    def __str__(self):
        return f"{self.person} {self.get_kind_display()} {self.detected_at:%Y-%m-%d %H:%M}"


class PostCheck(models.Model):
    """查岗: a spot check that a person answered at post."""

    shift = models.ForeignKey(Shift, verbose_name=_("班次"), on_delete=models.PROTECT, related_name="post_checks")
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("被查人员"), on_delete=models.PROTECT, related_name="+"
    )
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("查岗人"), on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField(_("查岗时间"))
    answered = models.BooleanField(_("在岗应答"))
    method = models.CharField(_("方式"), max_length=32, blank=True, help_text=_("如：电话、视频、现场。"))
    note = models.CharField(_("说明"), max_length=200, blank=True)

    class Meta:
        ordering = ["-at"]
        verbose_name = _("查岗记录")
        verbose_name_plural = _("查岗记录")

    def __str__(self):
        return f"{self.person} {self.at:%Y-%m-%d %H:%M} {'✓' if self.answered else '✗'}"


class Handover(models.Model):
    """交接班: the outgoing shift writes, the incoming shift signs. Open items are a snapshot."""

    from_shift = models.OneToOneField(
        Shift, verbose_name=_("交班班次"), on_delete=models.PROTECT, related_name="handover_out"
    )
    to_shift = models.ForeignKey(
        Shift, verbose_name=_("接班班次"), null=True, blank=True, on_delete=models.PROTECT, related_name="handovers_in"
    )
    note = models.TextField(_("交班事项"), max_length=10_000)
    open_items = models.JSONField(_("待办事项"), default=list, blank=True)
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("交班人"), on_delete=models.PROTECT, related_name="+"
    )
    written_at = models.DateTimeField(_("交班时间"))
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("接班人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_at = models.DateTimeField(_("接班签字时间"), null=True, blank=True)
    sign_note = models.CharField(_("接班意见"), max_length=500, blank=True)

    class Meta:
        ordering = ["-written_at"]
        verbose_name = _("交接班记录")
        verbose_name_plural = _("交接班记录")

    def __str__(self):
        return f"{self.from_shift} {_('交接班')}"


class DutyLogEntry(models.Model):
    """值班日志: what the shift did beyond report intake (calls, instructions relayed, notes)."""

    class Kind(models.TextChoices):
        CALL = "call", _("来电")
        INSTRUCTION = "instruction", _("传达批示")
        NOTE = "note", _("值班记事")
        POST_CHECK = "post_check", _("查岗")

    shift = models.ForeignKey(Shift, verbose_name=_("班次"), on_delete=models.PROTECT, related_name="log_entries")
    kind = models.CharField(_("类型"), max_length=16, choices=Kind.choices, default=Kind.NOTE)
    at = models.DateTimeField(_("时间"))
    text = models.TextField(_("内容"), max_length=5_000)
    caller = models.CharField(_("来电人/单位"), max_length=100, blank=True)
    received_at = models.DateTimeField(_("来电时间"), null=True, blank=True)
    answered_at = models.DateTimeField(_("接听时间"), null=True, blank=True)
    incident_id = models.BigIntegerField(_("关联事件"), null=True, blank=True)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]
        verbose_name = _("值班日志")
        verbose_name_plural = _("值班日志")
        indexes = [models.Index(fields=["shift", "at"], name="dutylog_shift_at")]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.get_kind_display()}"


def _new_token():
    """A feed's secret (duty 0001 names this function as the old column's default)."""
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """A secret-token iCal URL for a duty room's roster or a person's own shifts.
    Only the token's SHA-256 is kept (as for API tokens, dutyops.models.tokens): the URL
    is shown once, when the feed is made (`issue`), and its holder keeps it."""

    digest = models.CharField(_("令牌摘要"), max_length=64, unique=True, editable=False)
    # The first characters of the token, to tell one's feeds apart.
    prefix = models.CharField(_("令牌前缀"), max_length=8, editable=False, blank=True)
    duty_room = models.ForeignKey(
        Department, verbose_name=_("值班室"), null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("作废时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("日历订阅")
        verbose_name_plural = _("日历订阅")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(duty_room__isnull=False, person__isnull=True)
                | models.Q(duty_room__isnull=True, person__isnull=False),
                name="calendar_feed_one_target",
            )
        ]

    def __str__(self):
        return f"{self.duty_room or self.person} iCal"

    @classmethod
    def issue(cls, **fields):
        """A new feed: (the row, its secret token). Only the digest is kept."""
        token = _new_token()
        return cls.objects.create(digest=digest_of(token), prefix=token[:6], **fields), token
