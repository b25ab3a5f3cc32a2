"""Fixtures of the incidents tests: the taxonomy with its lexicon and grade rules, and
the demo gazetteer (towns and villages, aliases)."""

import csv

import pytest

from incidents.geo import gazetteer
from incidents.management.commands.import_places import import_rows
from incidents.seed import PLACES_FILES, seed_reference_data


@pytest.fixture
def taxonomy(db):
    seed_reference_data()


@pytest.fixture
def places(db):
    for path in PLACES_FILES:
        with open(path, newline="", encoding="utf-8") as f:
            import_rows(list(csv.DictReader(f)))
    gazetteer.clear()


@pytest.fixture
def api(officer, client_for, taxonomy, places):
    return client_for(officer)
