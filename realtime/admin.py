from django.contrib import admin

from .models import Event


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    """Read-only: the stream is the audit trail."""

    list_display = ("seq", "type", "at", "actor", "incident_id")
    list_filter = ("type",)
    search_fields = ("type",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
