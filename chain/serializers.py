"""API shapes of the chain domain (CONTRACT.md: upward-reports, links)."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from incidents.models import Category, ReportKind

from .models import Delivery, Inbound, Link, Recipient, UpwardReport, Verification


class VerificationSerializer(serializers.ModelSerializer):
    verified_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Verification
        fields = ["id", "incident", "facts", "method", "verified_at", "verified_by", "verified_by_name", "created_at"]
        read_only_fields = ["id", "incident", "verified_by", "verified_by_name", "created_at"]
        extra_kwargs = {"verified_at": {"required": False}, "facts": {"max_length": 5000}}

    def get_verified_by_name(self, v) -> str:
        return str(v.verified_by)

    def validate_verified_at(self, value):
        if value > timezone.now() + timezone.timedelta(minutes=5):
            raise serializers.ValidationError(_("核实时间不能晚于当前时间。"))
        return value


class UpwardDeliverySerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="recipient_name")
    delivery = serializers.CharField(
        source="state", help_text=_("queued 已发送 / delivered 已送达 / acknowledged 已签收 / failed 发送失败")
    )
    delivery_display = serializers.CharField(source="get_state_display")

    class Meta:
        model = Delivery
        fields = [
            "id",
            "recipient",
            "link",
            "name",
            "delivery",
            "delivery_display",
            "delivered_at",
            "acknowledged_at",
            "acknowledged_by",
            "remote_incident",
            "last_error",
        ]


class UpwardReportSerializer(serializers.ModelSerializer):
    recipients = UpwardDeliverySerializer(source="deliveries", many=True, read_only=True)
    sent_by_name = serializers.SerializerMethodField()
    unverified_mark = serializers.CharField(read_only=True)
    document = serializers.SerializerMethodField()

    class Meta:
        model = UpwardReport
        fields = [
            "id",
            "uuid",
            "incident",
            "kind",
            "method",
            "verified",
            "unverified_reason",
            "unverified_mark",
            "content",
            "corrects",
            "sent_at",
            "sent_by",
            "sent_by_name",
            "recipients",
            "document",
            "document_sha256",
            "is_drill",
        ]

    def get_sent_by_name(self, u) -> str:
        return str(u.sent_by)

    def get_document(self, u) -> str:
        return f"/api/v1/upward-reports/{u.pk}/document/"


class UpwardReportInSerializer(serializers.Serializer):
    """POST incidents/<id>/upward-reports/ (CONTRACT.md)."""

    kind = serializers.ChoiceField(choices=ReportKind.values)
    method = serializers.ChoiceField(choices=UpwardReport.Method.values, required=False, default="written")
    recipients = serializers.ListField(
        child=serializers.CharField(max_length=20),
        required=False,
        default=list,
        max_length=50,
        help_text=_("报送对象编号（reporting-line/），或 link:<链路编号>；省略：本分类的全部法定报送对象"),
    )
    verified = serializers.BooleanField(required=False, default=False)
    unverified_reason = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    measures = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    support_needed = serializers.CharField(max_length=5000, required=False, allow_blank=True, default="")
    text = serializers.CharField(max_length=10_000, required=False, allow_blank=True, default="")
    corrects = serializers.PrimaryKeyRelatedField(
        queryset=UpwardReport.objects.defer("document"), required=False, allow_null=True, default=None
    )


class LineRecipientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Recipient
        fields = ["id", "name", "kind", "category", "required", "link", "order"]


class LinkSerializer(serializers.ModelSerializer):
    categories = serializers.ListField(
        child=serializers.ChoiceField(choices=Category.values), required=False, default=list
    )
    credential = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=128)

    class Meta:
        model = Link
        fields = [
            "id",
            "name",
            "direction",
            "url",
            "credential",
            "categories",
            "account",
            "active",
            "last_success_at",
            "last_error",
            "created_at",
        ]
        read_only_fields = ["id", "last_success_at", "last_error", "created_at"]


class InboundSerializer(serializers.ModelSerializer):
    signed_by_name = serializers.SerializerMethodField()
    link_name = serializers.CharField(source="link.name", read_only=True)

    class Meta:
        model = Inbound
        fields = [
            "id",
            "link",
            "link_name",
            "sender",
            "kind",
            "verified",
            "unverified_reason",
            "report",
            "incident",
            "received_at",
            "signed_at",
            "signed_by",
            "signed_by_name",
            "content",
        ]

    def get_signed_by_name(self, i) -> str:
        return str(i.signed_by) if i.signed_by_id else ""


class ChainReportAcceptedSerializer(serializers.Serializer):
    """The receiver's 201 to POST chain/reports/ (docs/chain-protocol.md): the
    arrival and what it became here; the sender keeps `report` and `incident`."""

    id = serializers.IntegerField(source="pk", help_text=_("接收方来报编号"))
    report = serializers.IntegerField(source="report_id", help_text=_("接收方接报记录编号"))
    incident = serializers.IntegerField(source="incident_id", help_text=_("接收方事件编号"))
    received_at = serializers.DateTimeField()


class ChainReceiptAcceptedSerializer(serializers.Serializer):
    """The sender's 200 to POST chain/receipts/: the delivery the sign-for was for, now 已签收."""

    delivery = serializers.IntegerField(source="pk", help_text=_("本级送达记录编号"))
    state = serializers.CharField(help_text=_("acknowledged 已签收"))
