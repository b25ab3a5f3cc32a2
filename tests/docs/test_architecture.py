"""docs/architecture.md says what each app owns: its table names every model of every
app, in that app's row, so a new model without a line there fails here."""

import re
from pathlib import Path

from django.apps import apps

ROOT = Path(__file__).resolve().parents[2]
ARCHITECTURE = (ROOT / "docs" / "architecture.md").read_text(encoding="utf-8")
APPS = ("dutyops", "realtime", "duty", "incidents", "accountability", "chain", "plans", "alerts", "inbound", "board")


def test_every_model_is_in_its_apps_row_of_the_architecture():
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| (\w+) \| ([^|]*) \|", ARCHITECTURE, flags=re.M)}
    missing = []
    for label in APPS:
        owned = set(re.findall(r"\b[A-Z]\w+\b", rows.get(label, "")))
        names = {m.__name__ for m in apps.get_app_config(label).get_models()}
        missing += [f"{label}.{name}" for name in sorted(names - owned)]
    assert not missing, f"not in docs/architecture.md's table of what each app owns: {missing}"
