from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("实时事件")

    def ready(self):
        from dutyops import stream

        from .services import emit

        stream.emitters.register(emit)  # the core records its changes here (dutyops.stream)
