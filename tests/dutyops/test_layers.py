"""The floors hold: `lint-imports` (import-linter, contracts in pyproject.toml) passes.

A module importing from a floor above its own, the apps importing the project's
wiring, or an import cycle between an app's modules fails the suite, not only `make lint`.
"""

import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).parent / "lint-imports"
    result = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "0 broken" in result.stdout
