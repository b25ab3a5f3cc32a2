"""Serializers of the duty domain. Writes go through duty.services."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dutyops.models import Department, Person
from dutyops.params import YEARS

from . import selectors, services
from .models import (
    Absence,
    CalendarFeed,
    CheckIn,
    DutyLogEntry,
    DutyRule,
    Handover,
    Holiday,
    Leave,
    PostCheck,
    Rotation,
    Shift,
    SwapRequest,
)


def sane_year(value):
    if value is not None and value.year not in YEARS:
        raise serializers.ValidationError(_("年份超出范围（1970–2200）。"))


class SaneYears:
    """Adds sane_year to the fields named in sane_fields (keeping their other validators)."""

    sane_fields = ()

    def get_fields(self):
        fields = super().get_fields()
        for name in self.sane_fields:
            fields[name].validators.append(sane_year)
        return fields


class PersonBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Person
        fields = ["id", "username", "full_name", "phone", "department"]


class ShiftOfficersField(serializers.ManyRelatedField):
    """Officer ids in roster order, read through selectors.officers_of (the
    prefetch or on_duty's join), not the `officers` manager: no query per shift."""

    def get_attribute(self, shift):
        return selectors.officers_of(shift)


class ShiftSerializer(SaneYears, serializers.ModelSerializer):
    sane_fields = ("starts_at", "ends_at")
    duty_room = serializers.PrimaryKeyRelatedField(queryset=Department.objects.all())
    leader = serializers.PrimaryKeyRelatedField(queryset=Person.objects.all(), allow_null=True, required=False)
    officers = ShiftOfficersField(
        child_relation=serializers.PrimaryKeyRelatedField(queryset=Person.objects.all()), required=False
    )
    duty_room_name = serializers.CharField(source="duty_room.name", read_only=True)
    leader_name = serializers.SerializerMethodField()
    officer_names = serializers.SerializerMethodField()

    class Meta:
        model = Shift
        fields = [
            "id",
            "duty_room",
            "starts_at",
            "ends_at",
            "leader",
            "officers",
            "duty_room_name",
            "leader_name",
            "officer_names",
            "rotation",
            "pinned",
        ]
        read_only_fields = ["rotation", "pinned"]

    def get_leader_name(self, shift) -> str:
        return str(shift.leader) if shift.leader_id else ""

    def get_officer_names(self, shift) -> list[str]:
        return [str(p) for p in selectors.officers_of(shift)]

    def validate(self, attrs):
        if self.instance is None:
            for name in ("starts_at", "ends_at"):
                if name not in attrs:
                    raise serializers.ValidationError({name: [_("该字段是必填项。")]})
        return attrs


class OnDutySerializer(serializers.Serializer):
    shift = ShiftSerializer()
    leader = PersonBriefSerializer(allow_null=True)
    officers = PersonBriefSerializer(many=True)


class DutyRuleSerializer(serializers.ModelSerializer):
    class Meta:
        model = DutyRule
        fields = [
            "id",
            "duty_room",
            "min_officers",
            "handover_time",
            "checkin_grace_minutes",
            "max_consecutive_hours",
            "require_leader",
        ]

    def validate(self, attrs):
        room = attrs.get("duty_room", getattr(self.instance, "duty_room", None))
        clash = DutyRule.objects.filter(duty_room=room).exclude(pk=getattr(self.instance, "pk", None))
        if clash.exists():
            raise serializers.ValidationError({"duty_room": [_("该范围的值班规则已存在，请修改原规则。")]})
        return attrs


class HolidaySerializer(SaneYears, serializers.ModelSerializer):
    sane_fields = ("date",)

    class Meta:
        model = Holiday
        fields = ["id", "date", "kind", "name", "extra_officers", "required_leader", "note"]


class LeaveSerializer(SaneYears, serializers.ModelSerializer):
    sane_fields = ("starts_on", "ends_on")

    class Meta:
        model = Leave
        fields = ["id", "person", "starts_on", "ends_on", "reason"]

    def validate(self, attrs):
        starts = attrs.get("starts_on", getattr(self.instance, "starts_on", None))
        ends = attrs.get("ends_on", getattr(self.instance, "ends_on", None))
        if starts and ends and ends < starts:
            raise serializers.ValidationError({"ends_on": [_("结束日期不能早于开始日期。")]})
        return attrs


class RotationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Rotation
        fields = [
            "id",
            "duty_room",
            "name",
            "pattern",
            "shift_hours",
            "shifts_per_turn",
            "start_time",
            "officers_per_shift",
            "leaders",
            "officers",
            "holiday_leaders",
            "created_at",
        ]
        read_only_fields = ["created_at"]

    def validate(self, attrs):
        merged = {}
        if self.instance is not None:
            merged = {f: getattr(self.instance, f) for f in self.Meta.fields if f not in ("id", "created_at")}
        merged.update(attrs)
        services.validate_rotation(merged)
        return attrs


class SwapRequestSerializer(serializers.ModelSerializer):
    requester_name = serializers.CharField(source="requester.__str__", read_only=True)
    counterpart_name = serializers.CharField(source="counterpart.__str__", read_only=True)

    class Meta:
        model = SwapRequest
        fields = [
            "id",
            "kind",
            "state",
            "shift",
            "requester",
            "requester_name",
            "counterpart",
            "counterpart_name",
            "counterpart_shift",
            "reason",
            "requested_at",
            "answered_at",
            "decided_at",
            "decided_by",
            "decision_note",
        ]
        read_only_fields = [
            "state",
            "requester",
            "requested_at",
            "answered_at",
            "decided_at",
            "decided_by",
            "decision_note",
        ]


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")


class CheckInSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.__str__", read_only=True)

    class Meta:
        model = CheckIn
        fields = ["id", "shift", "person", "person_name", "at", "late"]


class AbsenceSerializer(serializers.ModelSerializer):
    person_name = serializers.CharField(source="person.__str__", read_only=True)
    duty_room = serializers.IntegerField(source="shift.duty_room_id", read_only=True)

    class Meta:
        model = Absence
        fields = ["id", "shift", "duty_room", "person", "person_name", "kind", "detected_at", "recorded_by", "note"]


class PostCheckSerializer(serializers.ModelSerializer):
    class Meta:
        model = PostCheck
        fields = ["id", "shift", "person", "checked_by", "at", "answered", "method", "note"]
        read_only_fields = ["shift", "checked_by", "at"]


class HandoverSerializer(serializers.ModelSerializer):
    written_by_name = serializers.SerializerMethodField()
    signed_by_name = serializers.SerializerMethodField()

    class Meta:
        model = Handover
        fields = [
            "id",
            "from_shift",
            "to_shift",
            "note",
            "open_items",
            "written_by",
            "written_by_name",
            "written_at",
            "signed_by",
            "signed_by_name",
            "signed_at",
            "sign_note",
        ]
        read_only_fields = [f for f in fields if f != "note"]

    def get_written_by_name(self, handover) -> str:
        return str(handover.written_by) if handover.written_by_id else ""

    def get_signed_by_name(self, handover) -> str:
        return str(handover.signed_by) if handover.signed_by_id else ""


class HandoverStateSerializer(HandoverSerializer):
    """GET shifts/{id}/handover/: the written handover, or before it is written an
    unsaved draft (id, written_by and written_at null) with the open items it would carry."""

    id = serializers.IntegerField(read_only=True, allow_null=True)
    written_by = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    written_at = serializers.DateTimeField(read_only=True, allow_null=True)


class SignSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class DutyLogEntrySerializer(SaneYears, serializers.ModelSerializer):
    sane_fields = ("received_at", "answered_at")

    class Meta:
        model = DutyLogEntry
        fields = ["id", "shift", "kind", "at", "text", "caller", "received_at", "answered_at", "incident_id", "author"]
        read_only_fields = ["shift", "at", "author"]


class DutyLogItemSerializer(serializers.Serializer):
    """One line of GET shifts/{id}/log/ (documentation: selectors.duty_log builds it):
    a log entry of the shift (source "log") or a report intake (source "report")."""

    source = serializers.ChoiceField(choices=["log", "report"])
    id = serializers.IntegerField()
    kind = serializers.CharField()
    kind_label = serializers.CharField()
    at = serializers.DateTimeField()
    received_at = serializers.DateTimeField(allow_null=True)
    answered_at = serializers.DateTimeField(allow_null=True)
    seconds_to_answer = serializers.FloatField(allow_null=True)
    text = serializers.CharField()
    caller = serializers.CharField()
    channel = serializers.CharField()
    incident = serializers.IntegerField(allow_null=True)
    author = serializers.CharField()


class GenerateRosterSerializer(serializers.Serializer):
    """POST rotations/{id}/generate/: local days [from, to]."""

    def get_fields(self):
        # "from" is a Python keyword, so the fields cannot be class attributes.
        return {
            "from": serializers.DateField(help_text=_("首日（含），YYYY-MM-DD"), validators=[sane_year]),
            "to": serializers.DateField(help_text=_("末日（含），YYYY-MM-DD"), validators=[sane_year]),
        }


class GenerateResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    removed = serializers.IntegerField()
    kept = serializers.IntegerField()


class CalendarFeedSerializer(serializers.ModelSerializer):
    """`url` (the secret) is in the answer to the POST that made the feed, and never again
    (null in lists): only its digest is kept; `prefix` tells one's feeds apart."""

    url = serializers.SerializerMethodField()

    class Meta:
        model = CalendarFeed
        fields = ["id", "duty_room", "person", "url", "prefix", "created_at", "revoked_at"]
        read_only_fields = ["url", "prefix", "created_at", "revoked_at"]

    def get_url(self, feed) -> str | None:
        token = getattr(feed, "token", None)
        if token is None:
            return None
        path = f"/api/v1/duty/ical/{token}.ics"
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    def validate(self, attrs):
        if bool(attrs.get("duty_room")) == bool(attrs.get("person")):
            raise serializers.ValidationError({"non_field_errors": [_("请指定值班室或人员中的一个。")]})
        return attrs
