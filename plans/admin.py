from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from dutyops.admin import HistoryAdmin

from . import services
from .documents import clean_plan
from .models import Activation, ActivationRequest, ActivationTask, IncidentMatch, Plan, PlanVersion

FORM_FIELDS = [
    "code",
    "title",
    "kind",
    "status",
    "category",
    "subtypes",
    "keywords",
    "owner_department",
    "lead_department",
    "issued_on",
    "effective_on",
    "review_by",
    "filing_record",
    "levels",
]


class PlanForm(forms.ModelForm):
    """Validated by the same clean_plan() as the API and the importer."""

    class Meta:
        model = Plan
        fields = FORM_FIELDS

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        doc = {k: data.get(k) for k in FORM_FIELDS}
        for key in ("owner_department", "lead_department"):
            doc[key] = doc[key].pk if doc[key] else None
        try:
            self.plan_fields = clean_plan(doc, instance=self.instance if self.instance.pk else None)
        except ValidationError as exc:
            for path, messages in exc.message_dict.items():
                root = path.split(".")[0]
                for message in messages:
                    self.add_error(root if root in self.fields else None, f"{path}: {message}")
        return data


@admin.register(Plan)
class PlanAdmin(admin.ModelAdmin):
    form = PlanForm
    list_display = ("code", "title", "kind", "status", "category", "lead_department", "version", "review_by")
    list_filter = ("status", "kind", "category")
    search_fields = ("code", "title")
    readonly_fields = ("version", "created_at", "updated_at")

    def save_model(self, request, obj, form, change):
        # Through the services: a change to an issued plan makes a new version, and an event.
        if change:
            original = Plan.objects.get(pk=obj.pk)
            saved = services.update_plan(original, form.plan_fields, request.user, note=_("后台修改"))
        else:
            saved = services.create_plan(form.plan_fields, request.user, note=_("后台新建"))
        obj.pk, obj.version = saved.pk, saved.version

    def has_delete_permission(self, request, obj=None):
        return obj is None or not obj.versions.exclude(status=Plan.Status.DRAFT).exists()

    def delete_model(self, request, obj):
        services.delete_plan(obj, request.user)


@admin.register(PlanVersion)
class PlanVersionAdmin(HistoryAdmin):
    list_display = ("plan", "number", "status", "note", "created_by", "created_at")
    list_filter = ("status",)
    search_fields = ("plan__code", "plan__title")


class RequestInline(admin.TabularInline):
    model = ActivationRequest
    extra = 0
    can_delete = False
    fields = ("action", "level", "from_level", "reason", "state", "requested_by", "requested_at", "decided_by")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


class TaskInline(admin.TabularInline):
    model = ActivationTask
    extra = 0
    can_delete = False
    fields = ("department", "duty", "level", "from_level", "alert_id", "dispatched_at")
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Activation)
class ActivationAdmin(HistoryAdmin):
    list_display = ("id", "incident", "plan", "plan_version", "state", "level", "proposed_at", "activated_at")
    list_filter = ("state", "level")
    search_fields = ("plan__code", "plan__title", "incident__title")
    inlines = [RequestInline, TaskInline]


@admin.register(IncidentMatch)
class IncidentMatchAdmin(HistoryAdmin):
    list_display = ("incident", "plan", "level", "score", "gap", "matched_at")
    list_filter = ("gap",)
