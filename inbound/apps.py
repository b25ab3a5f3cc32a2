from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InboundConfig(AppConfig):
    name = "inbound"
    verbose_name = _("系统接入与预警")

    def ready(self):
        from . import (
            schema,  # noqa: F401 - the X-Api-Key security scheme
            summaries,  # noqa: F401 - registers how the ways-in events read
        )
