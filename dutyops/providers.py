"""Extension points: how a lower layer asks a higher one without importing it.

The layers (README, docs/architecture.md) only import downwards. Where a lower
layer needs an answer only a higher one has (the open items a handover carries,
which departments follow an incident), it declares a `Providers` and calls it;
the higher layer registers its function in `AppConfig.ready()`, the way timer
handlers are registered. Nothing registered: the lower layer gets nothing and
works on (an installation without that app).
"""

import logging

log = logging.getLogger(__name__)


class Providers:
    """Functions registered by higher layers, called by the layer that declares this."""

    def __init__(self, name, tolerant=False):
        self.name = name
        # tolerant: a failing provider is logged and skipped (a broken neighbour must
        # not stop, say, a shift from handing over); otherwise its error propagates.
        self.tolerant = tolerant
        self._functions = []

    def register(self, fn):
        if fn not in self._functions:
            self._functions.append(fn)
        return fn

    def __bool__(self):
        return bool(self._functions)

    def __iter__(self):
        return iter(tuple(self._functions))

    def collect(self, *args, **kwargs):
        """Every provider's answer, in registration order."""
        answers = []
        for fn in self:
            try:
                answers.append(fn(*args, **kwargs))
            except Exception:
                if not self.tolerant:
                    raise
                log.exception("%s: provider %s.%s failed", self.name, fn.__module__, fn.__qualname__)
        return answers

    def first(self, *args, default=None, **kwargs):
        """The first answer that is not None (or `default`)."""
        for answer in self.collect(*args, **kwargs):
            if answer is not None:
                return answer
        return default
