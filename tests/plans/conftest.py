"""The demo plan library (临江市), loaded as make run loads it, with the taxonomy."""

import pytest

from dutyops import seed as org_seed
from incidents.seed import seed_reference_data
from plans import seed as plan_seed
from plans import services as plan_services


@pytest.fixture
def library(db):
    org_seed.seed()
    seed_reference_data()
    plan_services.import_files(plan_services.plan_files([plan_seed.LIBRARY]))


def issue(doc, actor=None):
    from plans.documents import clean_plan

    return plan_services.create_plan(clean_plan({"status": "issued", **doc}), actor)
