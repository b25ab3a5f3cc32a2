from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .documents import clean_plan
from .models import LEVELS, Activation, ActivationRequest, ActivationTask, Plan, PlanVersion


class CriteriaSchema(serializers.Serializer):
    """Activation criteria of a level: all optional, all must hold."""

    grades = serializers.ListField(child=serializers.ChoiceField(choices=LEVELS), required=False)
    min_deaths = serializers.IntegerField(min_value=0, required=False)
    min_injuries = serializers.IntegerField(min_value=0, required=False)
    min_missing = serializers.IntegerField(min_value=0, required=False)
    keywords_any = serializers.ListField(child=serializers.CharField(), required=False)
    within_km = serializers.FloatField(required=False, help_text=_("与 center_lat、center_lon 同时给出"))
    center_lat = serializers.FloatField(required=False)
    center_lon = serializers.FloatField(required=False)


class TaskSchema(serializers.Serializer):
    department = serializers.IntegerField(help_text=_("单位 id（导入文件中也可用单位编码）"))
    duty = serializers.CharField()
    ack_minutes = serializers.IntegerField(min_value=1)
    feedback_minutes = serializers.IntegerField(min_value=1)


class LevelSchema(serializers.Serializer):
    level = serializers.ChoiceField(choices=LEVELS)
    criteria = CriteriaSchema()
    tasks = TaskSchema(many=True)


@extend_schema_field(LevelSchema(many=True))
class LevelsField(serializers.JSONField):
    pass


LIST_KEYS = ("subtypes", "keywords", "levels")


def _as_document(data):
    """The request body as a plan document. A form-encoded body is a QueryDict:
    dict() of it would make every value a list; take single values as values and
    only the list fields as lists (levels cannot be expressed as a form, so
    clean_plan refuses them with a field message)."""
    if hasattr(data, "getlist"):
        return {key: data.getlist(key) if key in LIST_KEYS else data.get(key) for key in data}
    return data


class PlanSerializer(serializers.ModelSerializer):
    """A plan. Writes are validated as a whole document (plans.documents.clean_plan):
    errors come back keyed by dotted paths, e.g. "levels.0.tasks.1.department".
    Changing an issued plan creates a new version (`version` goes up)."""

    subtypes = serializers.ListField(child=serializers.CharField(), required=False)
    keywords = serializers.ListField(child=serializers.CharField(), required=False)
    levels = LevelsField(required=False)

    class Meta:
        model = Plan
        fields = [
            "id",
            "code",
            "title",
            "kind",
            "status",
            "category",
            "subtypes",
            "keywords",
            "owner_department",
            "lead_department",
            "issued_on",
            "effective_on",
            "review_by",
            "filing_record",
            "levels",
            "version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = ["version", "created_at", "updated_at"]

    def to_internal_value(self, data):
        try:
            return clean_plan(_as_document(data), instance=self.instance)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None


class PlanVersionSerializer(serializers.ModelSerializer):
    created_by_name = serializers.CharField(source="created_by", read_only=True, default=None, allow_null=True)

    class Meta:
        model = PlanVersion
        fields = ["id", "plan", "number", "status", "note", "created_by", "created_by_name", "created_at", "content"]


class MatchSerializer(serializers.Serializer):
    plan = serializers.IntegerField()
    code = serializers.CharField()
    title = serializers.CharField()
    kind = serializers.CharField()
    version = serializers.IntegerField()
    level = serializers.ChoiceField(choices=LEVELS)
    score = serializers.FloatField()
    rank = serializers.IntegerField(help_text="名次；并列的预案名次相同")
    role = serializers.ChoiceField(
        choices=["preferred", "tied", "applies", "possible"],
        help_text="preferred 首选（事件子类已知且唯一领先）；tied 并列；applies 适用；possible 可能适用（事件子类未确定）",
    )
    preferred = serializers.BooleanField(help_text="首选预案")
    tie = serializers.BooleanField(help_text="与其他预案并列")
    possible = serializers.BooleanField(help_text="可能适用：事件子类未确定，按本类别各子类预案列出")
    reasons = serializers.ListField(
        child=serializers.CharField(), help_text="匹配理由，按请求语言（Accept-Language）给出的文字"
    )
    reason_codes = serializers.ListField(
        child=serializers.DictField(),
        help_text="匹配理由的数据：每项 {code, ...}（code 与参数见 plans/reasons.py），与 reasons 一一对应",
    )


class ActivationCreateSerializer(serializers.Serializer):
    plan = serializers.PrimaryKeyRelatedField(queryset=Plan.objects.all())
    level = serializers.ChoiceField(choices=LEVELS)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class LevelChangeSerializer(serializers.Serializer):
    level = serializers.ChoiceField(choices=LEVELS)
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500)


class ActivationRequestSerializer(serializers.ModelSerializer):
    requested_by_name = serializers.CharField(source="requested_by", read_only=True)
    decided_by_name = serializers.CharField(source="decided_by", read_only=True, default=None, allow_null=True)

    class Meta:
        model = ActivationRequest
        fields = [
            "id",
            "action",
            "level",
            "from_level",
            "reason",
            "state",
            "requested_by",
            "requested_by_name",
            "requested_at",
            "decided_by",
            "decided_by_name",
            "decided_at",
            "decision_note",
        ]


class ActivationTaskSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    alert = serializers.IntegerField(source="alert_id", read_only=True, allow_null=True)

    class Meta:
        model = ActivationTask
        fields = [
            "id",
            "department",
            "department_name",
            "duty",
            "ack_minutes",
            "feedback_minutes",
            "level",
            "from_level",
            "alert",
            "dispatched_at",
        ]


class ActivationSerializer(serializers.ModelSerializer):
    plan_code = serializers.CharField(source="plan.code", read_only=True)
    plan_title = serializers.CharField(source="plan.title", read_only=True)
    version = serializers.IntegerField(source="plan_version.number", read_only=True)
    requests = ActivationRequestSerializer(many=True, read_only=True)
    tasks = ActivationTaskSerializer(many=True, read_only=True)
    pending = serializers.SerializerMethodField()

    class Meta:
        model = Activation
        fields = [
            "id",
            "incident",
            "plan",
            "plan_code",
            "plan_title",
            "plan_version",
            "version",
            "state",
            "level",
            "proposed_by",
            "proposed_at",
            "approved_by",
            "activated_at",
            "ended_by",
            "ended_at",
            "end_reason",
            "pending",
            "requests",
            "tasks",
        ]

    @extend_schema_field(ActivationRequestSerializer(allow_null=True))
    def get_pending(self, activation):
        for request in activation.requests.all():
            if request.state == ActivationRequest.State.PENDING:
                return ActivationRequestSerializer(request).data
        return None
