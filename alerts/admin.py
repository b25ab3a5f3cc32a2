from django import forms
from django.contrib import admin
from django.db import transaction

from dutyops.admin import HistoryAdmin

from . import notify
from .models import (
    Alert,
    AlertRecipient,
    CaseEntry,
    Chase,
    Circular,
    Delivery,
    DepartmentLeader,
    EscalationStep,
    Feedback,
    NotificationChannel,
    SupervisionCase,
    WebhookTarget,
)


class RecipientInline(admin.TabularInline):
    model = AlertRecipient
    extra = 0
    can_delete = False
    readonly_fields = ("person", "reason", "shift_id")

    def has_add_permission(self, request, obj=None):
        return False


class FeedbackInline(RecipientInline):
    model = Feedback
    readonly_fields = ("text", "attachments", "round", "author", "created_at")


class ChaseInline(RecipientInline):
    model = Chase
    readonly_fields = ("phase", "round", "step", "action", "targets", "fired_at")


@admin.register(Alert)
class AlertAdmin(HistoryAdmin):
    list_display = ("id", "department", "incident", "state", "source", "ack_due_at", "acknowledged_at", "created_at")
    list_filter = ("state", "source", "department")
    search_fields = ("duty",)
    list_select_related = ("department", "incident")
    inlines = [RecipientInline, FeedbackInline, ChaseInline]


@admin.register(EscalationStep)
class EscalationStepAdmin(admin.ModelAdmin):
    list_display = ("phase", "offset_minutes", "action", "active")
    list_filter = ("phase", "active")
    list_editable = ("offset_minutes", "action", "active")
    list_display_links = ("phase",)


@admin.register(DepartmentLeader)
class DepartmentLeaderAdmin(admin.ModelAdmin):
    list_display = ("department", "leader")
    autocomplete_fields = ("department", "leader")


class NotificationChannelForm(forms.ModelForm):
    url = forms.URLField(
        label=NotificationChannel._meta.get_field("url").verbose_name, max_length=500, assume_scheme="https"
    )

    class Meta:
        model = NotificationChannel
        fields = "__all__"  # noqa: DJ007 - the admin edits every setting of a channel

    def clean_url(self):
        url = self.cleaned_data["url"]
        error = notify.check_url(url)
        if error:
            raise forms.ValidationError(error)
        return url


@admin.register(NotificationChannel)
class NotificationChannelAdmin(admin.ModelAdmin):
    form = NotificationChannelForm
    list_display = ("name", "kind", "url", "enabled", "max_attempts")
    list_filter = ("kind", "enabled")

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            notify.channel_saved(obj, request.user)  # disabled: its queued deliveries are cancelled


@admin.register(WebhookTarget)
class WebhookTargetAdmin(admin.ModelAdmin):
    list_display = ("host", "port", "allow_internal", "note", "created_at")
    list_filter = ("allow_internal",)
    search_fields = ("host", "note")


@admin.register(Delivery)
class DeliveryAdmin(HistoryAdmin):
    list_display = ("id", "channel", "notice", "status", "attempts", "last_error", "created_at", "sent_at")
    list_filter = ("status", "channel", "notice")
    list_select_related = ("channel",)


class CaseEntryInline(RecipientInline):
    model = CaseEntry
    readonly_fields = ("kind", "text", "state_from", "state_to", "author", "at")


@admin.register(SupervisionCase)
class SupervisionCaseAdmin(HistoryAdmin):
    list_display = ("id", "title", "state", "responsible_leader", "deadline", "recheck_at", "created_at")
    list_filter = ("state",)
    search_fields = ("title", "content")
    inlines = [CaseEntryInline]


@admin.register(Circular)
class CircularAdmin(HistoryAdmin):
    list_display = ("period", "generated_at", "generated_by")
