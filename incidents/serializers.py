"""API shapes of the incidents domain (field names and choices per CONTRACT.md)."""

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from dutyops.api import FieldsBuiltOnce
from dutyops.models import Department

from . import selectors
from .models import (
    PICTURE_FIELDS,
    Category,
    ClassifiedDelivery,
    Incident,
    IncidentClock,
    Instruction,
    Report,
    ReportKind,
    Status,
    Subtype,
)

MAX_COUNT = 1_000_000  # casualty counts: anything larger is a typo, not an event
FUTURE_TOLERANCE = timedelta(minutes=5)  # clocks of callers and servers differ a little
EARLIEST = timezone.datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(0))


REPORT_FIELDS = [
    "id",
    "incident",
    "kind",
    "channel",
    "received_at",
    "answered_at",
    "reporter_name",
    "reporter_unit",
    "reporter_phone",
    *PICTURE_FIELDS,
    "is_drill",
    "source",
    "source_department",
]  # a report as received, the same in and out


class SubtypeSuggestionSerializer(serializers.Serializer):
    code = serializers.CharField(help_text=_("文字指向的事件类型编码；空：无依据"))
    name = serializers.CharField(required=False)
    confidence = serializers.FloatField(help_text=_("置信度 0-1"))
    words = serializers.ListField(child=serializers.CharField(), help_text=_("决定性的词语"))
    alternatives = serializers.ListField(child=serializers.DictField(), help_text=_("其次的类型及置信度"))
    confident = serializers.BooleanField(help_text=_("足够确定：未填写类型时直接采用（类型来源 inferred）"))
    other_category = serializers.CharField(help_text=_("文字更符合的其他分类下的类型（分类可能选错）"))


class GradeSuggestionSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=["I", "II", "III", "IV"])
    reasons = serializers.ListField(child=serializers.CharField())
    basis = serializers.DictField(help_text=_("据以判断的人数、面积、震级"))


class UnderstandingSerializer(serializers.Serializer):
    """What intake read from the words: the incident's subtype and grade with where
    they came from, and the suggestions the officer confirms or overrides."""

    subtype = serializers.CharField()
    subtype_source = serializers.CharField(
        help_text=_("reported 报告填写 / inferred 系统推断 / confirmed 值班员确认 / 空")
    )
    subtype_suggestion = SubtypeSuggestionSerializer()
    grade = serializers.CharField(allow_null=True)
    grade_source = serializers.CharField()
    grade_suggestion = GradeSuggestionSerializer()
    district = serializers.CharField()


def understanding_of(incident):
    suggestion = dict(incident.subtype_suggestion or {})
    if suggestion.get("code"):
        suggestion["name"] = selectors.subtype_name(suggestion["code"])
    return {
        "subtype": incident.subtype,
        "subtype_source": incident.subtype_source,
        "subtype_suggestion": suggestion,
        "grade": incident.grade,
        "grade_source": incident.grade_source,
        "grade_suggestion": incident.grade_suggestion or {},
        "district": incident.district,
    }


class ReportSerializer(FieldsBuiltOnce, serializers.ModelSerializer):
    """Intake (POST reports/): one report as received. Never updated."""

    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all(), required=False, allow_null=True)
    received_at = serializers.DateTimeField(required=False)
    grade = serializers.ChoiceField(choices=Report._meta.get_field("grade").choices, required=False, allow_null=True)
    deaths = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False, allow_null=True)
    injuries = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False, allow_null=True)
    missing = serializers.IntegerField(min_value=0, max_value=MAX_COUNT, required=False, allow_null=True)
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True)
    possible_duplicates = serializers.SerializerMethodField()
    understanding = serializers.SerializerMethodField()
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [*REPORT_FIELDS, "created_by", "created_by_name", "created_at", "possible_duplicates", "understanding"]
        # source: set by intake (the filing room, the sending system); source_department may
        # name a unit within the filer's scope that the report comes from (dutyops.policy "report.file").
        read_only_fields = ["id", "created_by", "created_at", "source"]
        extra_kwargs = {"description": {"max_length": 10_000}}

    def get_possible_duplicates(self, report) -> list[int]:
        return list(getattr(report, "possible_duplicates", []))

    @extend_schema_field(UnderstandingSerializer)
    def get_understanding(self, report):
        return understanding_of(report.incident)

    def get_created_by_name(self, report) -> str:
        return str(report.created_by) if report.created_by_id else ""

    def to_internal_value(self, data):
        if isinstance(data, dict) and data.get("classified") not in (None, False, "", 0, "false"):
            raise serializers.ValidationError(
                {"classified": [_("涉密事项不得录入系统内容，请使用“涉密件递送登记”只登记线下递送信息。")]}
            )
        return super().to_internal_value(data)

    def validate_received_at(self, value):
        if value > timezone.now() + FUTURE_TOLERANCE:
            raise serializers.ValidationError(_("接报时间不能晚于当前时间。"))
        if value < EARLIEST:
            raise serializers.ValidationError(_("接报时间不合理。"))
        return value

    def validate_occurred_at(self, value):
        if value is not None and value < EARLIEST:
            raise serializers.ValidationError(_("发生时间不合理。"))
        return value

    def validate_answered_at(self, value):
        if value is not None and value < EARLIEST:
            raise serializers.ValidationError(_("接听时间不合理。"))
        return value

    def validate(self, attrs):
        errors = {}
        now = timezone.now()
        received = attrs.get("received_at") or now
        kind = attrs.get("kind", ReportKind.FIRST)
        incident = attrs.get("incident")
        occurred = attrs.get("occurred_at")
        if occurred and occurred > received + FUTURE_TOLERANCE:
            errors["occurred_at"] = [_("发生时间不能晚于接报时间。")]
        answered = attrs.get("answered_at")
        if answered and answered < received:
            errors["answered_at"] = [_("接听时间不能早于接报时间。")]
        elif answered and answered > now + FUTURE_TOLERANCE:
            errors["answered_at"] = [_("接听时间不能晚于当前时间。")]
        if (attrs.get("latitude") is None) != (attrs.get("longitude") is None):
            errors["latitude" if attrs.get("latitude") is None else "longitude"] = [_("经纬度须同时填写。")]

        # Required fields per report kind: a first report opens an incident.
        if kind == ReportKind.FIRST:
            if incident is not None:
                errors["incident"] = [_("首报会新建事件，不能指定已有事件；补充信息请用续报。")]
            if not attrs.get("category"):
                errors["category"] = [_("首报必须选择事件分类。")]
            if not (attrs.get("title") or attrs.get("description")):
                errors["title"] = [_("首报必须填写标题或事件概况。")]
        elif incident is None:
            errors["incident"] = [_("续报和终报必须指定所属事件。")]
        elif "is_drill" in attrs and attrs["is_drill"] != incident.is_drill:
            errors["is_drill"] = [_("演练标记必须与所属事件一致。")]

        subtype = attrs.get("subtype")
        if subtype:
            category = selectors.subtype_category(subtype)
            expected = attrs.get("category") or (incident.category if incident else None)
            if category is None:
                errors["subtype"] = [_("未知的事件类型编码：%(code)s") % {"code": subtype}]
            elif expected and category != expected:
                errors["subtype"] = [_("事件类型与分类不符。")]
        if errors:
            raise serializers.ValidationError(errors)
        if incident is not None and "is_drill" not in attrs:
            attrs["is_drill"] = incident.is_drill
        return attrs


class ReportSummarySerializer(serializers.ModelSerializer):
    created_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = [*REPORT_FIELDS, "created_by_name", "created_at"]
        read_only_fields = fields

    def get_created_by_name(self, report) -> str:
        return str(report.created_by) if report.created_by_id else ""


class ClockSerializer(serializers.ModelSerializer):
    class Meta:
        model = IncidentClock
        fields = ["kind", "due_at", "satisfied_at", "overdue_at", "cancelled_at"]
        read_only_fields = fields


class InstructionSerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()
    text = serializers.CharField(max_length=5000, trim_whitespace=True)
    report = serializers.PrimaryKeyRelatedField(queryset=Report.objects.all(), required=False, allow_null=True)
    departments = serializers.PrimaryKeyRelatedField(
        queryset=Department.objects.all(),
        many=True,
        required=False,
        write_only=True,
        help_text=_("责任单位：批示转为督办事项后由其办理（不填：已收到本事件通知的单位）"),
    )

    class Meta:
        model = Instruction
        fields = ["id", "incident", "report", "text", "departments", "author", "author_name", "created_at"]
        read_only_fields = ["id", "incident", "author", "author_name", "created_at"]

    def get_author_name(self, instruction) -> str:
        return str(instruction.author)


class TimelineEntrySerializer(serializers.Serializer):
    """One recorded change: the event stream envelope."""

    seq = serializers.IntegerField()
    type = serializers.CharField()
    at = serializers.DateTimeField()
    data = serializers.DictField()


class IncidentSerializer(serializers.ModelSerializer):
    """The incident's current picture, its reports and its timeline."""

    reports = serializers.SerializerMethodField()
    timeline = serializers.SerializerMethodField()
    clocks = serializers.SerializerMethodField()
    instructions = serializers.SerializerMethodField()
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    duty_room_name = serializers.SerializerMethodField()
    transferred_to_name = serializers.SerializerMethodField()

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "status",
            "status_display",
            "category",
            "category_display",
            "subtype",
            "subtype_source",
            "subtype_suggestion",
            "grade",
            "grade_source",
            "grade_suggestion",
            "district",
            "is_drill",
            "latitude",
            "longitude",
            "location_text",
            "description",
            "deaths",
            "injuries",
            "missing",
            "reported_at",
            "occurred_at",
            "closed_at",
            "duty_room",
            "duty_room_name",
            "transferred_to",
            "transferred_to_name",
            "transfer_confirmed_at",
            "merged_into",
            "next_report_due_at",
            "report_overdue",
            "clocks",
            "instructions",
            "reports",
            "timeline",
        ]
        read_only_fields = fields

    @extend_schema_field(ReportSummarySerializer(many=True))
    def get_reports(self, incident):
        return ReportSummarySerializer(selectors.reports_of(incident), many=True).data

    @extend_schema_field(TimelineEntrySerializer(many=True))
    def get_timeline(self, incident):
        request = self.context.get("request")
        return selectors.timeline(incident, getattr(request, "user", None))  # what this reader may see

    @extend_schema_field(ClockSerializer(many=True))
    def get_clocks(self, incident):
        return ClockSerializer(incident.clocks.all(), many=True).data

    @extend_schema_field(InstructionSerializer(many=True))
    def get_instructions(self, incident):
        return InstructionSerializer(incident.instructions.select_related("author"), many=True).data

    def get_duty_room_name(self, incident) -> str:
        return incident.duty_room.name if incident.duty_room_id else ""

    def get_transferred_to_name(self, incident) -> str:
        return incident.transferred_to.name if incident.transferred_to_id else ""


class IncidentListSerializer(IncidentSerializer):
    """The list keeps rows small: `reports` are report ids, and `instructions` and
    `timeline` are left empty (GET incidents/<id>/ has them in full)."""

    reports = serializers.PrimaryKeyRelatedField(many=True, read_only=True, help_text=_("报告 id；详情中为完整报告"))

    @extend_schema_field(TimelineEntrySerializer(many=True, help_text=_("列表中为空；见详情")))
    def get_timeline(self, incident):
        return []

    @extend_schema_field(InstructionSerializer(many=True, help_text=_("列表中为空；见详情")))
    def get_instructions(self, incident):
        return []


class ConfirmSubtypeSerializer(serializers.Serializer):
    subtype = serializers.SlugField(max_length=48, help_text=_("确认的事件类型编码（采用建议或改选）"))


class ConfirmGradeSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(choices=Incident._meta.get_field("grade").choices)


class TransitionSerializer(serializers.Serializer):
    to = serializers.ChoiceField(choices=Status.choices)
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    into = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all(), required=False, allow_null=True)


class MergeSerializer(serializers.Serializer):
    into = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all())
    reason = serializers.CharField(max_length=1000, required=False, allow_blank=True, default="")


class SubtypeSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subtype
        fields = ["id", "code", "name", "category", "active", "order"]

    def validate_category(self, value):
        if value not in Category.values:
            raise serializers.ValidationError(_("未知分类。"))
        return value


CLASSIFIED_FIELDS = {"incident", "reference_number", "delivered_by", "recipient", "delivered_at", "is_drill"}


class ClassifiedDeliverySerializer(serializers.ModelSerializer):
    """Metadata of an offline classified delivery; any other field is refused."""

    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all(), required=False, allow_null=True)
    registered_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ClassifiedDelivery
        fields = [
            "id",
            "incident",
            "reference_number",
            "delivered_by",
            "recipient",
            "delivered_at",
            "is_drill",
            "registered_by",
            "registered_by_name",
            "registered_at",
        ]
        read_only_fields = ["id", "registered_by", "registered_by_name", "registered_at"]

    def get_registered_by_name(self, delivery) -> str:
        return str(delivery.registered_by)

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            extra = sorted(set(data.keys()) - CLASSIFIED_FIELDS)
            if extra:
                raise serializers.ValidationError(
                    {
                        key: [_("涉密事项只登记线下递送信息（文号、递送人、接收人、时间），系统拒收任何内容。")]
                        for key in extra
                    }
                )
        return super().to_internal_value(data)

    def validate_delivered_at(self, value):
        if value > timezone.now() + FUTURE_TOLERANCE or value < EARLIEST:
            raise serializers.ValidationError(_("递送时间不合理。"))
        return value
