from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dutyops.models import Department, Person

from . import notify
from .models import (
    Alert,
    AlertRecipient,
    CaseEntry,
    Chase,
    Circular,
    Delivery,
    EscalationStep,
    Feedback,
    NotificationChannel,
    SupervisionCase,
)


class RecipientSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="person.__str__", read_only=True)

    class Meta:
        model = AlertRecipient
        fields = ["person", "name", "reason", "shift_id"]


class FeedbackSerializer(serializers.ModelSerializer):
    author_name = serializers.CharField(source="author.__str__", read_only=True)

    class Meta:
        model = Feedback
        fields = ["id", "text", "attachments", "round", "author", "author_name", "created_at"]


class ChaseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Chase
        fields = ["id", "phase", "round", "step", "action", "targets", "fired_at"]


class AlertSerializer(serializers.ModelSerializer):
    department_name = serializers.CharField(source="department.name", read_only=True)
    incident_title = serializers.CharField(source="incident.title", read_only=True)
    acknowledged_by_name = serializers.SerializerMethodField()
    activation = serializers.IntegerField(source="activation_id", read_only=True, allow_null=True)

    class Meta:
        model = Alert
        fields = [
            "id",
            "incident",
            "incident_title",
            "department",
            "department_name",
            "duty",
            "source",
            "activation",
            "supervision",
            "state",
            "ack_due_at",
            "feedback_due_at",
            "acknowledged_at",
            "acknowledged_by",
            "acknowledged_by_name",
            "first_feedback_at",
            "last_feedback_at",
            "overdue_at",
            "feedback_round",
            "return_reason",
            "closed_at",
            "close_reason",
            "created_at",
        ]
        read_only_fields = fields

    def get_acknowledged_by_name(self, alert) -> str:
        return str(alert.acknowledged_by) if alert.acknowledged_by_id else ""


class AlertDetailSerializer(AlertSerializer):
    recipients = RecipientSerializer(many=True, read_only=True)
    feedback = FeedbackSerializer(many=True, read_only=True)
    chases = ChaseSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "ack_minutes", "feedback_minutes", "recipients", "feedback", "chases"]
        read_only_fields = fields


class AlertPageSerializer(AlertSerializer):
    """What the console and office pages start from: the alert and the feedback sent on it
    (prefetch feedback__author)."""

    feedback = FeedbackSerializer(many=True, read_only=True)

    class Meta(AlertSerializer.Meta):
        fields = [*AlertSerializer.Meta.fields, "feedback"]
        read_only_fields = fields


class DispatchSerializer(serializers.Serializer):
    """POST alerts/: a manual dispatch by the duty office."""

    incident = serializers.PrimaryKeyRelatedField(queryset=Alert._meta.get_field("incident").related_model.objects)
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    duty = serializers.CharField(max_length=4000)
    ack_minutes = serializers.IntegerField(min_value=1, max_value=60 * 24 * 90, required=False, allow_null=True)
    feedback_minutes = serializers.IntegerField(min_value=1, max_value=60 * 24 * 90, required=False, allow_null=True)

    def validate(self, attrs):
        ack, feedback = attrs.get("ack_minutes"), attrs.get("feedback_minutes")
        if ack and feedback and feedback < ack:
            raise serializers.ValidationError({"feedback_minutes": [_("反馈时限不能早于签收时限。")]})
        return attrs


class AttachmentSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=200)
    size = serializers.IntegerField(min_value=0, required=False, allow_null=True)
    ref = serializers.CharField(max_length=500, required=False, allow_blank=True)


class FeedbackInputSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)
    attachments = AttachmentSerializer(many=True, required=False)


class AlertCloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")


class ReturnSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)
    feedback_minutes = serializers.IntegerField(min_value=1, max_value=60 * 24 * 90, required=False, allow_null=True)


class EscalationStepSerializer(serializers.ModelSerializer):
    class Meta:
        model = EscalationStep
        fields = ["id", "phase", "offset_minutes", "action", "active"]

    def validate_offset_minutes(self, value):
        if value > 60 * 24 * 30:
            raise serializers.ValidationError(_("不能超过 30 天。"))
        return value


class NotificationChannelSerializer(serializers.ModelSerializer):
    class Meta:
        model = NotificationChannel
        fields = ["id", "name", "kind", "url", "headers", "notices", "enabled", "max_attempts", "timeout_seconds"]

    def validate_url(self, value):
        error = notify.check_url(value)
        if error:
            raise serializers.ValidationError(error)
        return value

    def validate_notices(self, value):
        allowed = {"created", "reminded", "escalated"}
        if not isinstance(value, list) or not set(value) <= allowed:
            raise serializers.ValidationError(_("只能包含 created、reminded、escalated。"))
        return value

    def validate_headers(self, value):
        if not isinstance(value, dict) or not all(isinstance(k, str) and isinstance(v, str) for k, v in value.items()):
            raise serializers.ValidationError(_("请求头须为字符串键值对。"))
        return value

    def validate_max_attempts(self, value):
        if not 1 <= value <= 20:
            raise serializers.ValidationError(_("须在 1 到 20 之间。"))
        return value

    def validate_timeout_seconds(self, value):
        if not 0.1 <= value <= 30:
            raise serializers.ValidationError(_("须在 0.1 到 30 秒之间。"))
        return value


class DeliverySerializer(serializers.ModelSerializer):
    channel_name = serializers.CharField(source="channel.name", read_only=True)

    class Meta:
        model = Delivery
        fields = [
            "id",
            "channel",
            "channel_name",
            "alert",
            "notice",
            "text",
            "phones",
            "status",
            "attempts",
            "last_error",
            "created_at",
            "sent_at",
            "cancelled_at",
            "cancelled_by",
        ]
        read_only_fields = fields


class CaseEntrySerializer(serializers.ModelSerializer):
    author_name = serializers.SerializerMethodField()

    class Meta:
        model = CaseEntry
        fields = ["id", "kind", "text", "state_from", "state_to", "author", "author_name", "at"]

    def get_author_name(self, entry) -> str:
        return str(entry.author) if entry.author_id else ""


class SupervisionCaseSerializer(serializers.ModelSerializer):
    responsible_leader_name = serializers.SerializerMethodField()
    department_names = serializers.SerializerMethodField()

    class Meta:
        model = SupervisionCase
        fields = [
            "id",
            "title",
            "content",
            "standard",
            "incident",
            "instruction_id",
            "responsible_leader",
            "responsible_leader_name",
            "departments",
            "department_names",
            "deadline",
            "state",
            "recheck_at",
            "completed_at",
            "reviewed_at",
            "created_at",
        ]
        read_only_fields = fields

    def get_responsible_leader_name(self, case) -> str:
        return str(case.responsible_leader) if case.responsible_leader_id else ""

    def get_department_names(self, case) -> list[str]:
        return [d.name for d in case.departments.all()]


class SupervisionCaseDetailSerializer(SupervisionCaseSerializer):
    entries = CaseEntrySerializer(many=True, read_only=True)
    alerts = serializers.PrimaryKeyRelatedField(many=True, read_only=True)

    class Meta(SupervisionCaseSerializer.Meta):
        fields = [*SupervisionCaseSerializer.Meta.fields, "entries", "alerts"]
        read_only_fields = fields


class CaseCreateSerializer(serializers.Serializer):
    title = serializers.CharField(max_length=200)
    content = serializers.CharField(max_length=10_000)
    standard = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    incident = serializers.PrimaryKeyRelatedField(
        queryset=SupervisionCase._meta.get_field("incident").related_model.objects, required=False, allow_null=True
    )
    responsible_leader = serializers.PrimaryKeyRelatedField(
        queryset=Person.objects.filter(is_active=True), required=False, allow_null=True
    )
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, required=False)
    deadline = serializers.DateTimeField(required=False, allow_null=True)
    recheck_at = serializers.DateTimeField(required=False, allow_null=True)


class DepartmentsSerializer(serializers.Serializer):
    departments = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), many=True, allow_empty=False)


class TextSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10_000)


class ReviewSerializer(serializers.Serializer):
    accepted = serializers.BooleanField(default=True)
    text = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    recheck_at = serializers.DateTimeField(required=False, allow_null=True)


class CircularSerializer(serializers.ModelSerializer):
    class Meta:
        model = Circular
        fields = ["id", "period", "figures", "text", "generated_at", "generated_by"]
        read_only_fields = fields


class CircularCreateSerializer(serializers.Serializer):
    period = serializers.RegexField(r"^(19|20)\d{2}-(0[1-9]|1[0-2])$", max_length=7)
