from django.contrib import admin, messages
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from dutyops.admin import HistoryAdmin

from . import services
from .models import CapWarning, Receipt, Source


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    """Systems allowed in. A new one's key is shown once, in the message after saving;
    only its digest is kept."""

    list_display = ("name", "key_prefix", "duty_room", "active", "created_at", "revoked_at")
    list_filter = ("active",)
    fields = ("name", "duty_room", "note")
    actions = ["revoke"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            obj.save(update_fields=["name", "duty_room", "note"])
            return
        source, key = services.create_source(request.user, name=obj.name, duty_room=obj.duty_room, note=obj.note)
        obj.pk = source.pk
        obj.__dict__.update(source.__dict__)
        messages.warning(request, _("接入密钥（只显示这一次，请妥善交给对方系统）：%(key)s") % {"key": key})

    @admin.action(description=gettext_lazy("停用所选接入系统"))
    def revoke(self, request, queryset):
        for source in queryset.filter(active=True):
            services.revoke_source(source, request.user)


@admin.register(Receipt)
class ReceiptAdmin(HistoryAdmin):
    list_display = ("received_at", "source", "report", "incident", "opened_incident")
    list_filter = ("source",)


@admin.register(CapWarning)
class CapWarningAdmin(HistoryAdmin):
    list_display = ("sent", "event", "colour", "msg_type", "status", "area_desc", "expires", "superseded_by")
    list_filter = ("colour", "msg_type", "status")
    search_fields = ("identifier", "headline", "event", "area_desc")
