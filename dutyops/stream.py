"""How the core records its own changes on the event stream.

The core (departments, people) sits below `realtime`, the stream, in the layers
(docs/architecture.md): it may not import it. realtime registers its emit() here
at ready(), so the core's writes go through the same emit() as every other
write, inside their transaction.
"""

from django.core.exceptions import ImproperlyConfigured

from .providers import Providers

emitters = Providers("event stream")


def emit(type, data, **options):
    """realtime.services.emit(type, data, **options)."""
    for fn in emitters:
        return fn(type, data, **options)
    raise ImproperlyConfigured("no event stream: the realtime app registers one at ready()")
