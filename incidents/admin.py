from django.contrib import admin

from dutyops.admin import HistoryAdmin

from .models import (
    ClassifiedDelivery,
    Incident,
    IncidentClock,
    Instruction,
    Place,
    Report,
    ReportPolicy,
    Subtype,
    UpwardReport,
)


@admin.register(Subtype)
class SubtypeAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "active", "order")
    list_filter = ("category", "active")
    search_fields = ("code", "name")


@admin.register(ReportPolicy)
class ReportPolicyAdmin(admin.ModelAdmin):
    list_display = ("grade", "category", "phone_minutes", "written_minutes", "follow_up_minutes", "final_days", "note")


@admin.register(Place)
class PlaceAdmin(admin.ModelAdmin):
    list_display = ("name", "district", "kind", "latitude", "longitude")
    search_fields = ("name", "district")


@admin.register(Incident)
class IncidentAdmin(HistoryAdmin):
    list_display = ("id", "title", "status", "category", "subtype", "grade", "is_drill", "reported_at")
    list_filter = ("status", "category", "grade", "is_drill")
    search_fields = ("title", "location_text")


@admin.register(Report)
class ReportAdmin(HistoryAdmin):
    list_display = ("id", "incident", "kind", "channel", "received_at", "answered_at", "is_drill")
    list_filter = ("kind", "channel", "is_drill")


@admin.register(IncidentClock)
class IncidentClockAdmin(HistoryAdmin):
    list_display = ("incident", "kind", "due_at", "satisfied_at", "overdue_at", "cancelled_at")


@admin.register(Instruction)
class InstructionAdmin(HistoryAdmin):
    list_display = ("id", "incident", "author", "created_at")


@admin.register(UpwardReport)
class UpwardReportAdmin(HistoryAdmin):
    list_display = ("id", "incident", "method", "recipient", "sent_at", "sent_by")


@admin.register(ClassifiedDelivery)
class ClassifiedDeliveryAdmin(HistoryAdmin):
    list_display = ("reference_number", "delivered_by", "recipient", "delivered_at", "registered_by")
