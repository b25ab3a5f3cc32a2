from django.contrib import admin

from dutyops.admin import HistoryAdmin

from . import services
from .models import Delivery, Inbound, Link, Outbox, Recipient, UpwardReport, Verification


@admin.register(Link)
class LinkAdmin(admin.ModelAdmin):
    """Links are the administrator's: saved through the service (recorded on the stream)."""

    list_display = ("name", "direction", "url", "active", "last_success_at", "last_error")
    list_filter = ("direction", "active")
    readonly_fields = ("last_success_at", "last_error")
    fields = ("name", "direction", "url", "credential", "categories", "account", "active", *readonly_fields)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if db_field.name == "credential":  # write only: never shown again; blank keeps it
            from django import forms  # noqa: PLC0415

            kwargs["widget"] = forms.PasswordInput(render_value=False)
            kwargs["required"] = False
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.LINK_FIELDS if name in form.cleaned_data}
        if change and not data.get("credential"):
            data.pop("credential", None)
        target = Link.objects.get(pk=obj.pk) if change else None
        saved = services.save_link(request.user, data, target)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.deactivate_link(request.user, obj)


@admin.register(Recipient)
class RecipientAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "category", "required", "link", "order", "active")
    list_filter = ("kind", "category", "required", "active")
    list_editable = ("order", "active")


class DeliveryInline(admin.TabularInline):
    model = Delivery
    extra = 0
    can_delete = False
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(UpwardReport)
class UpwardReportAdmin(HistoryAdmin):
    list_display = ("incident", "kind", "method", "verified", "sent_at", "sent_by")
    list_filter = ("kind", "verified")
    exclude = ("document",)
    inlines = [DeliveryInline]


@admin.register(Verification)
class VerificationAdmin(HistoryAdmin):
    list_display = ("incident", "method", "verified_by", "verified_at")


@admin.register(Inbound)
class InboundAdmin(HistoryAdmin):
    list_display = ("sender", "kind", "incident", "received_at", "signed_at", "signed_by")


@admin.register(Outbox)
class OutboxAdmin(HistoryAdmin):
    list_display = ("id", "link", "kind", "state", "attempts", "created_at", "done_at", "last_error")
    list_filter = ("link", "kind", "state")
