"""The wire format between linked installations (docs/chain-protocol.md).

Messages are JSON, posted by the sender's worker with the link's credential
(`Authorization: Token <credential>`) and an `Idempotency-Key`; the receiver
accepts each key once (a repeat gets the first answer)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from incidents.models import ReportKind

PROTOCOL = "dutyops-chain/1"
REPORTS_PATH = "/api/v1/chain/reports/"
RECEIPTS_PATH = "/api/v1/chain/receipts/"


def report_message(upward):
    """What goes up for an upward report: its content as sent."""
    c = upward.content
    return {
        "protocol": PROTOCOL,
        "id": str(upward.uuid),
        "incident_ref": str(upward.incident_id),
        "kind": upward.kind,
        "sent_at": c["sent_at"],
        "sender": {"unit": c.get("unit", ""), "signer": c.get("signer", ""), "contact": c.get("contact", "")},
        "verified": upward.verified,
        "unverified_reason": upward.unverified_reason,
        "incident": {
            "title": c.get("title", ""),
            "category": c.get("category", ""),
            "subtype": c.get("subtype", ""),
            "grade": c.get("grade"),
            "occurred_at": c.get("occurred_at"),
            "location": c.get("location", ""),
            "latitude": c.get("latitude"),
            "longitude": c.get("longitude"),
            "what_happened": c.get("what_happened", ""),
            "deaths": c["casualties"].get("deaths"),
            "injuries": c["casualties"].get("injuries"),
            "missing": c["casualties"].get("missing"),
            "is_drill": c.get("is_drill", False),
        },
        "measures": c.get("measures", ""),
        "support_needed": c.get("support_needed", ""),
        "text": c.get("text", ""),
    }


def receipt(inbound):
    """What goes back down when the receiving duty officer signs for a report."""
    return {
        "protocol": PROTOCOL,
        "report": inbound.remote_id,
        "signed_at": inbound.signed_at.isoformat(),
        "signed_by": str(inbound.signed_by),
        "incident": inbound.incident_id,
        "report_id": inbound.report_id,
    }


class _Count(serializers.IntegerField):
    def __init__(self, **kw):
        super().__init__(min_value=0, max_value=1_000_000, required=False, allow_null=True, **kw)


class IncidentFactsIn(serializers.Serializer):
    title = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    category = serializers.CharField(max_length=24, allow_blank=True, required=False, default="")
    subtype = serializers.CharField(max_length=48, allow_blank=True, required=False, default="")
    grade = serializers.ChoiceField(choices=["I", "II", "III", "IV"], required=False, allow_null=True, default=None)
    occurred_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    location = serializers.CharField(max_length=200, allow_blank=True, required=False, default="")
    latitude = serializers.FloatField(min_value=-90, max_value=90, required=False, allow_null=True, default=None)
    longitude = serializers.FloatField(min_value=-180, max_value=180, required=False, allow_null=True, default=None)
    what_happened = serializers.CharField(max_length=10_000, allow_blank=True, required=False, default="")
    deaths = _Count(default=None)
    injuries = _Count(default=None)
    missing = _Count(default=None)
    is_drill = serializers.BooleanField(required=False, default=False)


class SenderIn(serializers.Serializer):
    unit = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    signer = serializers.CharField(max_length=64, allow_blank=True, required=False, default="")
    contact = serializers.CharField(max_length=32, allow_blank=True, required=False, default="")


class ReportIn(serializers.Serializer):
    """A report arriving from below (POST chain/reports/)."""

    protocol = serializers.CharField(required=False, default=PROTOCOL)
    id = serializers.CharField(max_length=64, help_text=_("发送方报告编号（同一链路内唯一）"))
    incident_ref = serializers.CharField(max_length=64, help_text=_("发送方事件编号：续报、终报据此并入同一事件"))
    kind = serializers.ChoiceField(choices=ReportKind.values)
    sent_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    sender = SenderIn(required=False, default=dict)
    verified = serializers.BooleanField(required=False, default=True)
    unverified_reason = serializers.CharField(max_length=500, allow_blank=True, required=False, default="")
    incident = IncidentFactsIn()
    measures = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")
    support_needed = serializers.CharField(max_length=5000, allow_blank=True, required=False, default="")
    text = serializers.CharField(max_length=10_000, allow_blank=True, required=False, default="")

    def validate_protocol(self, value):
        if not value.startswith("dutyops-chain/1"):
            raise serializers.ValidationError(_("不支持的协议版本：%(v)s") % {"v": value})
        return value


class ReceiptIn(serializers.Serializer):
    """A sign-for coming back from above (POST chain/receipts/)."""

    protocol = serializers.CharField(required=False, default=PROTOCOL)
    report = serializers.UUIDField(help_text=_("本级报告编号（发送时的 id）"))
    signed_at = serializers.DateTimeField(required=False, allow_null=True, default=None)
    signed_by = serializers.CharField(max_length=100, allow_blank=True, required=False, default="")
    incident = serializers.CharField(max_length=64, allow_blank=True, required=False, default="")
    report_id = serializers.CharField(max_length=64, allow_blank=True, required=False, default="")
