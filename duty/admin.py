"""The duty domain in the admin: rules, holidays, leaves, rotations, shifts; history read-only."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dutyops.admin import HistoryAdmin

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
    ShiftOfficer,
    SwapRequest,
)


@admin.register(DutyRule)
class DutyRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "min_officers", "handover_time", "checkin_grace_minutes", "max_consecutive_hours")


@admin.register(Holiday)
class HolidayAdmin(admin.ModelAdmin):
    list_display = ("date", "name", "kind", "extra_officers", "required_leader", "note")
    list_filter = ("kind", "name")
    date_hierarchy = "date"
    autocomplete_fields = ("required_leader",)


@admin.register(Leave)
class LeaveAdmin(admin.ModelAdmin):
    list_display = ("person", "starts_on", "ends_on", "reason")
    autocomplete_fields = ("person",)
    date_hierarchy = "starts_on"


@admin.action(description=gettext_lazy("生成下月排班"))
def generate_next_month(modeladmin, request, queryset):
    this_month = selectors.month_bounds(timezone.localdate().replace(day=1))
    first, last = selectors.month_bounds(this_month[1] + datetime.timedelta(days=1))
    for rotation in queryset:
        try:
            result = services.generate_roster(rotation, first, last, request.user)
            text = _("%(rotation)s：新增 %(created)s 班，保留 %(kept)s 班")
            modeladmin.message_user(request, text % {"rotation": rotation, **result})
        except ValidationError as exc:
            modeladmin.message_user(request, f"{rotation}：{'；'.join(exc.messages)}", messages.ERROR)


class RotationForm(forms.ModelForm):
    class Meta:
        model = Rotation
        fields = [
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
        ]

    def clean(self):
        data = super().clean()
        if data.get("duty_room"):
            services.validate_rotation({**data})
        return data


@admin.register(Rotation)
class RotationAdmin(admin.ModelAdmin):
    form = RotationForm
    list_display = ("name", "duty_room", "pattern", "shift_hours", "officers_per_shift")
    list_filter = ("pattern", "duty_room")
    actions = [generate_next_month]
    readonly_fields = ("created_by", "created_at")


class ShiftOfficerInline(admin.TabularInline):
    model = ShiftOfficer
    extra = 2
    autocomplete_fields = ("person",)


class ShiftForm(forms.ModelForm):
    class Meta:
        model = Shift
        fields = ("duty_room", "starts_at", "ends_at", "leader", "pinned")

    def clean(self):
        data = super().clean()
        if data.get("duty_room") and data.get("starts_at") and data.get("ends_at"):
            services.validate_shift(
                data["duty_room"],
                data["starts_at"],
                data["ends_at"],
                data.get("leader"),
                [],
                exclude=[self.instance.pk] if self.instance.pk else [],
            )
        return data


@admin.register(Shift)
class ShiftAdmin(admin.ModelAdmin):
    form = ShiftForm
    inlines = [ShiftOfficerInline]
    list_display = ("duty_room", "starts_at", "ends_at", "leader", "pinned", "rotation")
    list_filter = ("duty_room", "pinned")
    date_hierarchy = "starts_at"
    autocomplete_fields = ("leader",)
    list_select_related = ("duty_room", "leader", "rotation")

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        shift = form.instance
        services.schedule_shift_timers(shift)
        services.emit_shift_changed(shift, "updated" if change else "created", request.user)


@admin.register(SwapRequest)
class SwapRequestAdmin(HistoryAdmin):
    list_display = ("kind", "requester", "counterpart", "shift", "state", "requested_at", "decided_by")
    list_filter = ("state", "kind")


@admin.register(CheckIn)
class CheckInAdmin(HistoryAdmin):
    list_display = ("person", "shift", "at", "late")
    list_filter = ("late",)


@admin.register(Absence)
class AbsenceAdmin(HistoryAdmin):
    list_display = ("person", "kind", "shift", "detected_at", "recorded_by")
    list_filter = ("kind",)


@admin.register(PostCheck)
class PostCheckAdmin(HistoryAdmin):
    list_display = ("person", "answered", "checked_by", "at", "method")


@admin.register(Handover)
class HandoverAdmin(HistoryAdmin):
    list_display = ("from_shift", "written_by", "written_at", "signed_by", "signed_at")


@admin.register(DutyLogEntry)
class DutyLogEntryAdmin(HistoryAdmin):
    list_display = ("at", "kind", "shift", "author", "caller")
    list_filter = ("kind",)


@admin.register(CalendarFeed)
class CalendarFeedAdmin(admin.ModelAdmin):
    list_display = ("duty_room", "person", "owner", "prefix", "created_at", "revoked_at")
    readonly_fields = ("prefix", "owner", "created_at")

    def has_add_permission(self, request):
        return False  # made through calendar-feeds/, which shows the secret URL once
