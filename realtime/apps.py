from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RealtimeConfig(AppConfig):
    name = "realtime"
    verbose_name = _("实时事件")

    def ready(self):
        from dutyops import credentials, stream

        from . import revocation
        from .services import emit

        stream.emitters.register(emit)  # the core records its changes here (dutyops.stream)
        credentials.notices.register(revocation.notice)  # revoked: close the person's sockets
