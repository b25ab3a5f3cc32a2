"""API shapes of the ways in (CONTRACT.md: sources/, inbound/, cap/)."""

from rest_framework import serializers

from dutyops.models import Department
from incidents.serializers import ReportSerializer

from . import selectors
from .models import CapWarning, Source


class SourceSerializer(serializers.ModelSerializer):
    """`key` is in the answer to the POST that made the source, and never again."""

    duty_room = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all(), required=False, allow_null=True)
    key = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = ["id", "name", "key", "key_prefix", "duty_room", "note", "active", "created_at", "revoked_at"]
        read_only_fields = ["id", "key", "key_prefix", "active", "created_at", "revoked_at"]
        extra_kwargs = {"name": {"validators": []}}  # the service says "已有同名" as a field error

    def get_key(self, source) -> str | None:
        return getattr(source, "key", None)


class InboundReportSerializer(ReportSerializer):
    """The report fields of POST reports/, sent by a system: its channel is "system"
    and its source the system (whatever the body says of either)."""

    class Meta(ReportSerializer.Meta):
        read_only_fields = [*ReportSerializer.Meta.read_only_fields, "channel", "source_department"]


class WarningSerializer(serializers.ModelSerializer):
    in_force = serializers.SerializerMethodField()
    colour_label = serializers.CharField(source="get_colour_display", read_only=True)

    class Meta:
        model = CapWarning
        fields = [
            "id",
            "identifier",
            "sender",
            "sent",
            "status",
            "msg_type",
            "scope",
            "references",
            "event",
            "categories",
            "urgency",
            "severity",
            "certainty",
            "colour",
            "colour_label",
            "headline",
            "description",
            "instruction",
            "sender_name",
            "effective",
            "onset",
            "expires",
            "area_desc",
            "areas",
            "latitude",
            "longitude",
            "replaces",
            "superseded_by",
            "incident",
            "source",
            "imported_at",
            "in_force",
        ]
        read_only_fields = fields

    def get_in_force(self, warning) -> bool:
        return selectors.is_in_force(warning)
