from django.contrib import admin

from dutyops.admin import HistoryAdmin

from .models import Event


@admin.register(Event)
class EventAdmin(HistoryAdmin):
    """Read-only: the stream is the audit trail."""

    list_display = ("seq", "type", "at", "actor", "incident_id")
    list_filter = ("type",)
    search_fields = ("type",)
