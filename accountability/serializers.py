"""API shapes of accountability: records in, records out (never updated)."""

from rest_framework import serializers

from dutyops.models import Department, Person
from incidents.models import Incident

from .models import ReportingFinding, StaffError


class FindingSerializer(serializers.ModelSerializer):
    department = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), required=False, allow_null=True)
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all(), required=False, allow_null=True)
    corrects = serializers.PrimaryKeyRelatedField(
        queryset=ReportingFinding.objects.all(), required=False, allow_null=True
    )
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    department_name = serializers.CharField(source="department.name", read_only=True)
    person_name = serializers.SerializerMethodField()
    decided_by_name = serializers.SerializerMethodField()

    class Meta:
        model = ReportingFinding
        fields = [
            "id",
            "kind",
            "kind_label",
            "department",
            "department_name",
            "person",
            "person_name",
            "incident",
            "due_at",
            "reported_at",
            "finding",
            "decision",
            "corrects",
            "withdrawn",
            "decided_by",
            "decided_by_name",
            "decided_at",
        ]
        read_only_fields = ["id", "decided_by", "decided_at"]
        extra_kwargs = {"finding": {"max_length": 5_000}, "decision": {"max_length": 2_000}}

    def get_person_name(self, record) -> str:
        return str(record.person) if record.person_id else ""

    def get_decided_by_name(self, record) -> str:
        return str(record.decided_by)


class StaffErrorSerializer(serializers.ModelSerializer):
    person = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all())
    incident = serializers.PrimaryKeyRelatedField(queryset=Incident.objects.all(), required=False, allow_null=True)
    corrects = serializers.PrimaryKeyRelatedField(queryset=StaffError.objects.all(), required=False, allow_null=True)
    kind_label = serializers.CharField(source="get_kind_display", read_only=True)
    person_name = serializers.SerializerMethodField()
    department_name = serializers.SerializerMethodField()
    recorded_by_name = serializers.SerializerMethodField()

    class Meta:
        model = StaffError
        fields = [
            "id",
            "kind",
            "kind_label",
            "person",
            "person_name",
            "department",
            "department_name",
            "occurred_at",
            "incident",
            "description",
            "consequence",
            "corrects",
            "withdrawn",
            "recorded_by",
            "recorded_by_name",
            "recorded_at",
        ]
        read_only_fields = ["id", "department", "recorded_by", "recorded_at"]
        extra_kwargs = {"description": {"max_length": 5_000}}

    def get_person_name(self, record) -> str:
        return str(record.person)

    def get_department_name(self, record) -> str:
        return record.department.name if record.department_id else ""

    def get_recorded_by_name(self, record) -> str:
        return str(record.recorded_by)
