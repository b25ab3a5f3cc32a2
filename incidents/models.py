"""Incidents and the reports about them, the taxonomy, clock policy, gazetteer,
leaders' instructions, upward reports and classified-delivery records.

History records (Report, Instruction, UpwardReport, ClassifiedDelivery) are
written once and never edited through the API; corrections are new records.
The incident's timeline is the realtime event stream filtered by incident_id.
"""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    NATURAL_DISASTER = "natural_disaster", _("自然灾害")
    ACCIDENT_DISASTER = "accident_disaster", _("事故灾难")
    PUBLIC_HEALTH = "public_health", _("公共卫生事件")
    SOCIAL_SECURITY = "social_security", _("社会安全事件")


class Grade(models.TextChoices):
    I = "I", _("I级 特别重大")  # noqa: E741
    II = "II", _("II级 重大")
    III = "III", _("III级 较大")
    IV = "IV", _("IV级 一般")


class Channel(models.TextChoices):
    PHONE = "phone", _("电话")
    FAX = "fax", _("传真")
    HOTLINE = "hotline", _("热线")
    TELEGRAM = "telegram", _("电报")
    LOWER_LEVEL = "lower_level", _("下级值班室")
    DEPARTMENT = "department", _("部门专报")
    MEDIA = "media", _("媒体")
    SYSTEM = "system", _("系统")
    OTHER = "other", _("其他")


class ReportKind(models.TextChoices):
    FIRST = "first", _("首报")
    FOLLOW_UP = "follow_up", _("续报")
    FINAL = "final", _("终报")


class Status(models.TextChoices):
    RECEIVED = "received", _("已接报")
    VERIFYING = "verifying", _("核实中")
    RESPONDING = "responding", _("处置中")
    STABILISED = "stabilised", _("已稳控")
    CLOSED = "closed", _("已办结")
    TRANSFERRED = "transferred", _("已移交")
    MERGED = "merged", _("已合并")


OPEN_STATUSES = (Status.RECEIVED, Status.VERIFYING, Status.RESPONDING, Status.STABILISED)


class SubtypeSource(models.TextChoices):
    REPORTED = "reported", _("报告填写")
    INFERRED = "inferred", _("系统推断")
    CONFIRMED = "confirmed", _("值班员确认")


class GradeSource(models.TextChoices):
    REPORTED = "reported", _("报告填写")
    CONFIRMED = "confirmed", _("值班员确认")


# Fields a report carries that make up the incident's current picture.
PICTURE_FIELDS = (
    "title",
    "description",
    "category",
    "subtype",
    "grade",
    "location_text",
    "latitude",
    "longitude",
    "deaths",
    "injuries",
    "missing",
    "occurred_at",
)


LAT_LABEL, LON_LABEL = _("纬度"), _("经度")


def lat_field(label=LAT_LABEL):
    return models.FloatField(label, null=True, blank=True, validators=[MinValueValidator(-90), MaxValueValidator(90)])


def lon_field(label=LON_LABEL):
    return models.FloatField(label, null=True, blank=True, validators=[MinValueValidator(-180), MaxValueValidator(180)])


def count_field(label):
    return models.PositiveIntegerField(label, null=True, blank=True)


class Subtype(models.Model):
    """Editable taxonomy: the national subtypes, each under a fixed category."""

    code = models.SlugField(_("编码"), max_length=48, unique=True)
    name = models.CharField(_("名称"), max_length=64)
    category = models.CharField(_("分类"), max_length=24, choices=Category.choices)
    active = models.BooleanField(_("启用"), default=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["category", "order", "code"]
        verbose_name = _("事件类型")
        verbose_name_plural = _("事件类型")

    def __str__(self):
        return f"{self.name}（{self.code}）"


class ReportPolicy(models.Model):
    """Statutory reporting time limits. Blank grade/category = applies to any;
    the most specific row wins. Empty limits mean no such clock."""

    grade = models.CharField(_("等级"), max_length=3, choices=Grade.choices, blank=True)
    category = models.CharField(_("分类"), max_length=24, choices=Category.choices, blank=True)
    phone_minutes = models.PositiveIntegerField(_("电话报告时限（分钟）"), null=True, blank=True)
    written_minutes = models.PositiveIntegerField(_("书面报告时限（分钟）"), null=True, blank=True)
    follow_up_minutes = models.PositiveIntegerField(_("续报间隔（分钟）"), null=True, blank=True)
    final_days = models.PositiveIntegerField(_("终报时限（办结后天数）"), null=True, blank=True)
    note = models.CharField(_("依据"), max_length=200, blank=True)

    class Meta:
        ordering = ["grade", "category"]
        verbose_name = _("报告时限规则")
        verbose_name_plural = _("报告时限规则")
        constraints = [models.UniqueConstraint(fields=["grade", "category"], name="report_policy_unique")]

    def __str__(self):
        return f"{self.grade or '任意等级'} / {self.get_category_display() or '任意分类'}"


class Place(models.Model):
    """Gazetteer for offline geocoding: place names of the jurisdiction."""

    name = models.CharField(_("地名"), max_length=100, db_index=True)
    district = models.CharField(_("所属区县"), max_length=64, blank=True)
    kind = models.CharField(_("类型"), max_length=32, blank=True)
    aliases = models.CharField(
        _("别名"), max_length=200, blank=True, help_text=_("群众常用的其他叫法，用“、”分隔，如：火车站、老火车站")
    )
    latitude = models.FloatField(_("纬度"), validators=[MinValueValidator(-90), MaxValueValidator(90)])
    longitude = models.FloatField(_("经度"), validators=[MinValueValidator(-180), MaxValueValidator(180)])

    class Meta:
        ordering = ["name"]
        verbose_name = _("地名")
        verbose_name_plural = _("地名库")
        constraints = [models.UniqueConstraint(fields=["name", "district"], name="place_unique")]

    def __str__(self):
        return self.name


class Incident(models.Model):
    """The event the reports are about; its fields are the current picture."""

    title = models.CharField(_("标题"), max_length=200)
    status = models.CharField(_("状态"), max_length=16, choices=Status.choices, default=Status.RECEIVED)
    category = models.CharField(_("分类"), max_length=24, choices=Category.choices)
    subtype = models.CharField(_("类型编码"), max_length=48, blank=True)
    grade = models.CharField(_("等级"), max_length=3, choices=Grade.choices, null=True, blank=True)  # noqa: DJ001 - null = not yet assessed (CONTRACT)
    # Where the subtype and the grade came from, and what the words suggest (incidents.understanding).
    subtype_source = models.CharField(_("类型来源"), max_length=10, choices=SubtypeSource.choices, blank=True)
    subtype_suggestion = models.JSONField(_("类型建议"), default=dict, blank=True)
    grade_source = models.CharField(_("等级来源"), max_length=10, choices=GradeSource.choices, blank=True)
    grade_suggestion = models.JSONField(_("等级建议"), default=dict, blank=True)
    district = models.CharField(_("所属区县"), max_length=64, blank=True)
    is_drill = models.BooleanField(_("演练"), default=False)
    latitude = lat_field()
    longitude = lon_field()
    location_text = models.CharField(_("地点"), max_length=200, blank=True)
    description = models.TextField(_("事件概况"), blank=True)
    deaths = count_field(_("死亡"))
    injuries = count_field(_("受伤"))
    missing = count_field(_("失联"))
    reported_at = models.DateTimeField(_("接报时间"), default=timezone.now)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)

    duty_room = models.ForeignKey(
        "dutyops.Department",
        verbose_name=_("受理值班室"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    # Accept first, transfer later: the receiving duty room confirms.
    transferred_to = models.ForeignKey(
        "dutyops.Department",
        verbose_name=_("移交单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="incidents_received",
    )
    transfer_confirmed_at = models.DateTimeField(_("移交确认时间"), null=True, blank=True)
    transfer_confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("移交确认人"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    merged_into = models.ForeignKey(
        "self", verbose_name=_("合并至"), null=True, blank=True, on_delete=models.PROTECT, related_name="merged"
    )
    # Open incidents the first report looked like, flagged at intake: the console and the
    # incident page offer "合并到 #N" for each that is still open.
    possible_duplicates = models.JSONField(_("疑似重复事件"), default=list, blank=True)

    # Statutory clocks, denormalised from IncidentClock for the board.
    next_report_due_at = models.DateTimeField(_("下次报告时限"), null=True, blank=True)
    report_overdue = models.BooleanField(_("报告超时"), default=False)

    class Meta:
        ordering = ["-reported_at", "-id"]
        verbose_name = _("突发事件")
        verbose_name_plural = _("突发事件")
        indexes = [
            # Duplicate finder prefilter: category, time window, bounding box.
            models.Index(fields=["category", "reported_at"], name="incident_dup_idx"),
            models.Index(fields=["latitude", "longitude"], name="incident_geo_idx"),
            models.Index(fields=["status", "-reported_at"], name="incident_status_idx"),
        ]

    def __str__(self):
        return f"#{self.pk} {self.title}"

    @property
    def is_open(self):
        return self.status in OPEN_STATUSES


class Report(models.Model):
    """One report as received (首报/续报/终报); never edited."""

    incident = models.ForeignKey(Incident, verbose_name=_("突发事件"), on_delete=models.PROTECT, related_name="reports")
    kind = models.CharField(_("报告类型"), max_length=16, choices=ReportKind.choices, default=ReportKind.FIRST)
    channel = models.CharField(_("来源渠道"), max_length=16, choices=Channel.choices, default=Channel.PHONE)
    received_at = models.DateTimeField(_("接报时间"), default=timezone.now)
    answered_at = models.DateTimeField(_("接听时间"), null=True, blank=True)
    occurred_at = models.DateTimeField(_("发生时间"), null=True, blank=True)
    reporter_name = models.CharField(_("报告人"), max_length=64, blank=True)
    reporter_unit = models.CharField(_("报告单位"), max_length=100, blank=True)
    reporter_phone = models.CharField(_("联系电话"), max_length=32, blank=True)
    title = models.CharField(_("标题"), max_length=200, blank=True)
    description = models.TextField(_("内容"), blank=True)
    category = models.CharField(_("分类"), max_length=24, choices=Category.choices, blank=True)
    subtype = models.CharField(_("类型编码"), max_length=48, blank=True)
    grade = models.CharField(_("等级"), max_length=3, choices=Grade.choices, null=True, blank=True)  # noqa: DJ001 - null = not yet assessed (CONTRACT)
    location_text = models.CharField(_("地点"), max_length=200, blank=True)
    latitude = lat_field()
    longitude = lon_field()
    deaths = count_field(_("死亡"))
    injuries = count_field(_("受伤"))
    missing = count_field(_("失联"))
    is_drill = models.BooleanField(_("演练"), default=False)
    # Where it came from beyond the channel (issue 19): the unit that filed it (a
    # department's or district's duty room, a liaison's department) or the system
    # that sent it (inbound/), by name as it stood then.
    source = models.CharField(_("来源"), max_length=100, blank=True)
    source_department = models.ForeignKey(
        "dutyops.Department",
        verbose_name=_("来源单位"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["received_at", "id"]
        verbose_name = _("报告")
        verbose_name_plural = _("报告")
        indexes = [models.Index(fields=["received_at"], name="report_received_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} #{self.pk}"


class IncidentClock(models.Model):
    """One statutory reporting deadline of an incident (timer-backed)."""

    class Kind(models.TextChoices):
        PHONE = "phone", _("电话报告")
        WRITTEN = "written", _("书面报告")
        FOLLOW_UP = "follow_up", _("续报")
        FINAL = "final", _("终报")

    incident = models.ForeignKey(Incident, verbose_name=_("突发事件"), on_delete=models.CASCADE, related_name="clocks")
    kind = models.CharField(_("时限类型"), max_length=16, choices=Kind.choices)
    due_at = models.DateTimeField(_("截止时间"))
    satisfied_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    overdue_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("取消时间"), null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        verbose_name = _("报告时限")
        verbose_name_plural = _("报告时限")
        constraints = [models.UniqueConstraint(fields=["incident", "kind"], name="incident_clock_unique")]
        indexes = [models.Index(fields=["satisfied_at", "cancelled_at", "due_at"], name="clock_pending_idx")]

    def __str__(self):
        return f"{self.incident_id} {self.kind} {self.due_at:%Y-%m-%d %H:%M}"

    @property
    def pending(self):
        return self.satisfied_at is None and self.cancelled_at is None


class UpwardReport(models.Model):
    """A phone or written report upward recorded before upward reports had a kind
    (issue 19): read-only history (the admin lists it); it still meets the first
    report's clocks. Upward reports are chain.UpwardReport now."""

    class Method(models.TextChoices):
        PHONE = "phone", _("电话")
        WRITTEN = "written", _("书面")

    incident = models.ForeignKey(
        Incident, verbose_name=_("突发事件"), on_delete=models.PROTECT, related_name="upward_reports"
    )
    method = models.CharField(_("方式"), max_length=16, choices=Method.choices)
    recipient = models.CharField(_("报送对象"), max_length=100)
    note = models.CharField(_("备注"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("报送时间"), default=timezone.now)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("报送人"), on_delete=models.PROTECT)

    class Meta:
        ordering = ["sent_at", "id"]
        verbose_name = _("上报记录")
        verbose_name_plural = _("上报记录")

    def __str__(self):
        return f"{self.get_method_display()} → {self.recipient}"


class Instruction(models.Model):
    """A leader's written instruction (批示) on an incident; never edited."""

    incident = models.ForeignKey(
        Incident, verbose_name=_("突发事件"), on_delete=models.PROTECT, related_name="instructions"
    )
    report = models.ForeignKey(
        Report, verbose_name=_("针对报告"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField(_("批示内容"))
    author = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("批示领导"), on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("批示时间"), default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("领导批示")
        verbose_name_plural = _("领导批示")

    def __str__(self):
        return f"批示 #{self.pk}"


class ClassifiedDelivery(models.Model):
    """Classified (涉密) matter: only the metadata of an offline delivery, never content."""

    incident = models.ForeignKey(
        Incident,
        verbose_name=_("关联事件"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="classified_deliveries",
    )
    reference_number = models.CharField(_("文号"), max_length=64)
    delivered_by = models.CharField(_("递送人"), max_length=64)
    recipient = models.CharField(_("接收人/单位"), max_length=100)
    delivered_at = models.DateTimeField(_("递送时间"))
    registered_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT)
    registered_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    is_drill = models.BooleanField(_("演练"), default=False)

    class Meta:
        ordering = ["-delivered_at", "-id"]
        verbose_name = _("涉密件线下递送记录")
        verbose_name_plural = _("涉密件线下递送记录")

    def __str__(self):
        return self.reference_number


class LexiconTerm(models.Model):
    """One word of the lexicon the subtype is read from (incidents.lexicon): a term,
    synonym, caller's phrase or cue of a subtype, or a neutral word that is no
    evidence (火车站 is not a fire). Seeded from incidents/data/lexicon.yaml."""

    class Kind(models.TextChoices):
        TERM = "term", _("术语")
        SYNONYM = "synonym", _("同义词")
        COLLOQUIAL = "colloquial", _("口语说法")
        CUE = "cue", _("线索词")
        NEUTRAL = "neutral", _("中性词（不作依据）")

    subtype = models.ForeignKey(
        Subtype,
        verbose_name=_("事件类型"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="terms",
        help_text=_("中性词不选类型"),
    )
    word = models.CharField(_("词语"), max_length=32)
    kind = models.CharField(_("词类"), max_length=12, choices=Kind.choices, default=Kind.SYNONYM)
    weight = models.FloatField(
        _("权重"),
        default=2.0,
        validators=[MinValueValidator(0), MaxValueValidator(10)],
        help_text=_("术语 3，同义词和口语 2，线索词 0.7；中性词 0"),
    )
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["subtype__category", "subtype__order", "kind", "word"]
        verbose_name = _("事件类型词条")
        verbose_name_plural = _("事件类型词表")
        constraints = [models.UniqueConstraint(fields=["subtype", "word"], name="lexicon_term_unique")]

    def __str__(self):
        return self.word


class GradeRule(models.Model):
    """A threshold of the national framework for suggesting a grade: the rule holds
    when every criterion it sets holds; any rule of a grade suggests that grade. The
    most specific rules apply: the subtype's if it has any, else its category's,
    else those for any category. Seeded from incidents/data/grade_rules.yaml."""

    category = models.CharField(_("分类"), max_length=24, choices=Category.choices, blank=True)
    subtype = models.CharField(_("类型编码"), max_length=48, blank=True)
    grade = models.CharField(_("等级"), max_length=3, choices=Grade.choices)
    min_deaths = count_field(_("死亡人数 ≥"))
    min_dead_missing = count_field(_("死亡和失联人数 ≥"))
    min_injuries = count_field(_("受伤（中毒、患病）人数 ≥"))
    min_missing = count_field(_("失联人数 ≥"))
    min_affected = count_field(_("转移、疏散、受威胁或聚集人数 ≥"))
    min_area_ha = models.FloatField(_("面积 ≥（公顷）"), null=True, blank=True)
    min_magnitude = models.FloatField(_("震级 ≥"), null=True, blank=True)
    words = models.JSONField(_("规模用语（任一）"), default=list, blank=True)
    note = models.CharField(_("依据"), max_length=200, blank=True)
    active = models.BooleanField(_("启用"), default=True)

    class Meta:
        ordering = ["category", "subtype", "grade", "id"]
        verbose_name = _("分级标准")
        verbose_name_plural = _("分级标准")

    def __str__(self):
        return f"{self.subtype or self.get_category_display() or '任意分类'} {self.grade}"
