from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from . import policy
from .credentials import acting
from .models import ApiToken, Department, Person

admin.site.site_header = _("DutyOps 应急值守 管理")
admin.site.site_title = _("DutyOps 管理")
# Who may use the admin site is the policy's question too ("page.admin_site": active
# staff accounts, as Django's own check), so its menu entries and the site agree.
admin.site.has_permission = lambda request: policy.may(request.user, "page.admin_site")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "kind", "parent", "phone")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(Person)
class PersonAdmin(UserAdmin):
    list_display = ("username", "full_name", "department", "phone", "is_active")
    list_filter = ("groups", "department", "is_active")
    search_fields = ("username", "full_name", "phone")
    fieldsets = UserAdmin.fieldsets + ((_("值班信息"), {"fields": ("full_name", "department", "phone")}),)
    add_fieldsets = UserAdmin.add_fieldsets + ((_("值班信息"), {"fields": ("full_name", "department", "phone")}),)

    # Edits here revoke like the API's (dutyops.credentials), recorded as the admin's.
    def changeform_view(self, request, *args, **kwargs):
        with acting(request.user):
            return super().changeform_view(request, *args, **kwargs)

    def user_change_password(self, request, *args, **kwargs):
        with acting(request.user):
            return super().user_change_password(request, *args, **kwargs)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are issued by `POST /api/v1/auth/token/` (shown once); here they are only listed and revoked."""

    list_display = ("prefix", "user", "created")
    search_fields = ("user__username", "prefix")
    readonly_fields = ("prefix", "user", "created")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class HistoryAdmin(admin.ModelAdmin):
    """History records: visible, never edited or deleted (not even in the admin)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
