"""The test suite's moved clock (DUTYOPS_TEST_CLOCK; see dutyops/settings_test.py).

time-machine replaces the C functions behind time.time() and datetime.now() in
this process, for every thread; monotonic clocks (timeouts, asyncio) are left
alone. Only the test settings call it.
"""

import datetime
import os
import re

_OFFSET = re.compile(r"^([+-])(\d+)([dhms])$")
_UNITS = {"d": "days", "h": "hours", "m": "minutes", "s": "seconds"}
_travel = None


def destination(spec, now=None):
    """The instant DUTYOPS_TEST_CLOCK names, or None for the real clock."""
    spec = spec.strip()
    if not spec:
        return None
    now = now or datetime.datetime.now(datetime.UTC)
    match = _OFFSET.match(spec)
    if match:
        sign, amount, unit = match.groups()
        delta = datetime.timedelta(**{_UNITS[unit]: int(amount)})
        return now + delta if sign == "+" else now - delta
    moved = datetime.datetime.fromisoformat(spec)
    if moved.tzinfo is None:
        raise ValueError(f"DUTYOPS_TEST_CLOCK={spec!r}: give an offset (+365d) or an instant with its UTC offset")
    return moved


def move_clock(spec):
    """Start the moved clock once per process (it keeps ticking from there)."""
    global _travel
    target = destination(spec)
    if target is None or _travel is not None:
        return
    import time_machine  # noqa: PLC0415 - a test dependency, only needed when the clock moves

    # The servers and workers this process starts inherit the move as an
    # offset, so that every process reads the same moved time at once.
    offset = round((target - datetime.datetime.now(datetime.UTC)).total_seconds())
    os.environ["DUTYOPS_TEST_CLOCK"] = f"{'+' if offset >= 0 else '-'}{abs(offset)}s"
    _travel = time_machine.travel(target, tick=True)
    _travel.start()


def moved():
    """Whether this process runs on a moved clock."""
    return _travel is not None
