"""docs/chain-protocol.md cannot drift from the code: each JSON example in it
(marked `<!-- example: name -->`) has the keys of what chain/wire.py sends, is
accepted by the receiving end's serializers (ReportIn, ReceiptIn) or matches the
answer the served schema declares, and the final statuses it lists are the
outbox's (chain/outbox.py FINAL_STATUSES)."""

import json
import re

import pytest
from django.utils import timezone
from jsonschema import Draft7Validator

from chain import wire
from chain.models import Inbound, UpwardReport
from chain.outbox import FINAL_STATUSES
from chain.seed import seed as seed_line
from incidents.seed import seed_reference_data
from tests.conftest import ROOT
from tests.openapi import declared, properties

DOC = ROOT / "docs" / "chain-protocol.md"
EXAMPLES = {"report", "report-accepted", "receipt", "receipt-accepted"}


def examples():
    text = DOC.read_text(encoding="utf-8")
    found = {
        name: json.loads(body)
        for name, body in re.findall(r"<!-- example: ([\w-]+) -->\n```json\n(.*?)\n```", text, flags=re.DOTALL)
    }
    assert text.count("```json") == len(found), "a JSON block without its <!-- example: name --> mark"
    assert set(found) == EXAMPLES
    return found


def shape(value):
    """The keys of a message, nested objects included."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    return None


@pytest.fixture
def upward(officer, client_for, db):
    seed_reference_data()
    seed_line()
    api = client_for(officer)
    body = {"kind": "first", "channel": "phone", "title": "芙蓉路化工仓库火灾", "category": "accident_disaster"}
    incident = api.post("/api/v1/reports/", body, format="json").data["incident"]
    sent = api.post(
        f"/api/v1/incidents/{incident}/upward-reports/", {"kind": "first", "unverified_reason": "紧急"}, format="json"
    )
    assert sent.status_code == 201, sent.data
    return UpwardReport.objects.get(pk=sent.data["id"])


def test_the_report_example_is_what_a_sender_sends_and_a_receiver_accepts(upward):
    documented, sent = examples()["report"], wire.report_message(upward)
    assert shape(documented) == shape(sent)
    for message in (documented, json.loads(json.dumps(sent))):
        body = wire.ReportIn(data=message)
        assert body.is_valid(), body.errors
    assert documented["protocol"] == wire.PROTOCOL


def test_the_receipt_example_is_what_a_receiver_sends_back_and_the_sender_accepts(officer):
    inbound = Inbound(remote_id=examples()["receipt"]["report"], signed_at=timezone.now(), signed_by=officer)
    inbound.incident_id, inbound.report_id = 95, 311
    documented, sent = examples()["receipt"], wire.receipt(inbound)
    assert shape(documented) == shape(sent)
    for message in (documented, json.loads(json.dumps(sent))):
        body = wire.ReceiptIn(data=message)
        assert body.is_valid(), body.errors


def test_the_answers_are_the_ones_the_schema_declares(admin_user, client_for):
    spec = client_for(admin_user).get("/api/schema/?format=json").json()
    for name, path, status in (
        ("report-accepted", "/api/v1/chain/reports/", 201),
        ("receipt-accepted", "/api/v1/chain/receipts/", 200),
    ):
        schema = declared(spec, path, "post", status)
        Draft7Validator(schema).validate(examples()[name])
        assert set(examples()[name]) == properties(spec, schema), name


def test_the_final_statuses_listed_are_the_outboxs():
    text = DOC.read_text(encoding="utf-8")
    table = text[text.index("Final answers") : text.index("### Down")]
    assert {int(code) for code in re.findall(r"^\| `(\d{3})` \|", table, flags=re.MULTILINE)} == FINAL_STATUSES
