from django.contrib import admin

from dutyops.admin import HistoryAdmin

from .models import (
    ClassifiedDelivery,
    GradeRule,
    Incident,
    IncidentClock,
    Instruction,
    LexiconTerm,
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
    list_display = ("name", "aliases", "district", "kind", "latitude", "longitude")
    search_fields = ("name", "aliases", "district")


@admin.register(LexiconTerm)
class LexiconTermAdmin(admin.ModelAdmin):
    """The words each subtype is read from: terms, synonyms, callers' phrases, cues."""

    list_display = ("word", "subtype", "kind", "weight", "active")
    list_editable = ("kind", "weight", "active")
    list_filter = ("kind", "active", "subtype__category", "subtype")
    search_fields = ("word", "subtype__name", "subtype__code")
    autocomplete_fields = ("subtype",)


@admin.register(GradeRule)
class GradeRuleAdmin(admin.ModelAdmin):
    """The thresholds the grade suggestion reads (national framework, editable)."""

    list_display = (
        "grade",
        "category",
        "subtype",
        "min_deaths",
        "min_dead_missing",
        "min_injuries",
        "min_affected",
        "min_area_ha",
        "min_magnitude",
        "note",
        "active",
    )
    list_filter = ("grade", "category", "active")
    search_fields = ("subtype", "note")


@admin.register(Incident)
class IncidentAdmin(HistoryAdmin):
    list_display = (
        "id",
        "title",
        "status",
        "category",
        "subtype",
        "subtype_source",
        "grade",
        "grade_source",
        "district",
        "is_drill",
        "reported_at",
    )
    list_filter = ("status", "category", "subtype_source", "grade", "is_drill")
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
