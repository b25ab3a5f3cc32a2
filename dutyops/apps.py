from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DutyopsConfig(AppConfig):
    name = "dutyops"
    verbose_name = _("值班值守")
