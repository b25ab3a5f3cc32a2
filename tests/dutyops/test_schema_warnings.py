"""The schema generates without a warning (`manage.py spectacular --validate
--fail-on-warn`): a warning is a name drf-spectacular had to guess (an enum
suffixed with a hash, which generated clients turn into a class that changes
name with the schema) or a view it could not read."""

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_the_schema_generates_without_warnings(tmp_path):
    env = dict(os.environ, DUTYOPS_SECRET_KEY="x", DJANGO_DEBUG="0")
    env.pop("DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "manage.py", "spectacular", "--validate", "--fail-on-warn", "--file", tmp_path / "s.yaml"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    schema = (tmp_path / "s.yaml").read_text(encoding="utf-8")
    assert "    UpwardKindEnum:" in schema and "    ReportKindEnum:" in schema
