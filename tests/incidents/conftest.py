"""Fixtures of the incidents tests: the taxonomy with its lexicon and grade rules, the
demo gazetteer (towns and villages, aliases), and the evaluation's tools for the duplicate
scorer's tests without a database (tests/incidents/sightings.py)."""

import csv

import pytest

from incidents import evaluation
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


@pytest.fixture(scope="module")
def tools():
    """(gazetteer, reader, kinds) as the evaluation builds them from the data files."""
    return evaluation.tools()
