"""Settings for the test suite: the real settings, with test-only defaults.

DUTYOPS_TEST_CLOCK moves the whole suite's clock (tests/README.md, "Time"):
an offset such as `+365d` or `-365d` from the real now, or an instant with its
UTC offset such as `2028-02-29T03:00+08:00`. It is applied here, at import, so the
pytest process and every daphne and worker it starts (they load these
settings too) agree on the moved time; browser pages get it from
tests/conftest.py. Time keeps flowing from the moved instant.
"""

import os

os.environ.setdefault("DUTYOPS_SECRET_KEY", "test-only-secret-key")
# A file, not :memory:, so that the daphne processes the tests start share it.
os.environ.setdefault("DUTYOPS_TEST_SQLITE_NAME", f"/tmp/dutyops-test-{os.getpid()}.sqlite3")

from .settings import *  # noqa: E402,F403
from .settings import env_bool  # noqa: E402
from .testclock import move_clock  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# Login throttling is tested on its own (tests/test_security.py turns it on);
# elsewhere Django's test client logs in without a request, which axes refuses.
AXES_ENABLED = env_bool("DUTYOPS_TEST_AXES")  # a server started by a throttling test turns it on
if not AXES_ENABLED:
    AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
# Transactional tests empty every table between tests, the audit trail too.
DUTYOPS_TEST_FLUSH_AUDIT_TRAIL = True

move_clock(os.environ.get("DUTYOPS_TEST_CLOCK", ""))
