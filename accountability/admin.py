from django.contrib import admin

from dutyops.admin import HistoryAdmin

from .models import DisciplineRule, ReportingFinding, StaffError


@admin.register(ReportingFinding)
class ReportingFindingAdmin(HistoryAdmin):
    list_display = ("decided_at", "kind", "department", "person", "incident", "decided_by", "corrects", "withdrawn")
    list_filter = ("kind",)


@admin.register(StaffError)
class StaffErrorAdmin(HistoryAdmin):
    list_display = ("recorded_at", "kind", "person", "department", "recorded_by", "corrects", "withdrawn")
    list_filter = ("kind",)


@admin.register(DisciplineRule)
class DisciplineRuleAdmin(admin.ModelAdmin):
    list_display = ("__str__", "max_rings", "seconds_per_ring", "max_seconds")
