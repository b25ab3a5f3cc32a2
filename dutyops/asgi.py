import os

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dutyops.settings")

from django.core.asgi import get_asgi_application  # noqa: E402

django_asgi_app = get_asgi_application()

from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402

from realtime.auth import EventStreamAuthStack  # noqa: E402
from realtime.routing import websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": EventStreamAuthStack(URLRouter(websocket_urlpatterns)),
    }
)

# Everything imported so far lives for the whole process: keep it out of the
# cyclic GC's full collections, which otherwise pause every live socket for
# 100+ ms once a thousand clients are connected.
import gc  # noqa: E402

gc.collect()
gc.freeze()
