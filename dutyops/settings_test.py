"""Settings for the test suite: the real settings, with test-only defaults."""

import os

os.environ.setdefault("DUTYOPS_SECRET_KEY", "test-only-secret-key")
# A file, not :memory:, so that the daphne processes the tests start share it.
os.environ.setdefault("DUTYOPS_TEST_SQLITE_NAME", f"/tmp/dutyops-test-{os.getpid()}.sqlite3")

from .settings import *  # noqa: E402,F403

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # fast logins in tests
# Login throttling is tested on its own (tests/test_security.py turns it on);
# elsewhere Django's test client logs in without a request, which axes refuses.
AXES_ENABLED = False
AUTHENTICATION_BACKENDS = ["django.contrib.auth.backends.ModelBackend"]
