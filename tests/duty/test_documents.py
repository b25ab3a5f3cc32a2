"""The daily duty report on paper: the PDF (WeasyPrint) and the Word document
(python-docx) hold the report's content: title, day, the shift's people, the log,
the spot checks, the handover and the signature line."""

import io

import pytest
from django.utils import timezone
from docx import Document
from pypdf import PdfReader

from duty import services


@pytest.fixture
def day_with_a_shift(shifts):
    """The outgoing shift of the `shifts` fixture (tests/duty/conftest.py), with a call, a spot check and its handover."""
    shift, officer, leader = shifts["s1"], shifts["out"], shifts["out_lead"]
    services.add_log_entry(shift, officer, text="水文站通报：临江水位上涨 0.3 米", kind="call", caller="市水文站")
    services.record_post_check(shift, officer, True, leader, method="视频")
    services.write_handover(shift, "夜间注意堤防巡查", officer)
    return {"officer": officer, "day": timezone.localtime(shift.starts_at).date()}


def _report(client, department, day, fmt):
    response = client.get(
        "/api/v1/duty/daily-report/", {"department": department.pk, "date": day.isoformat(), "format": fmt}
    )
    assert response.status_code == 200, response.content[:500]
    return response


def _expected(department):
    return [
        f"{department.name}值班日报",
        "交班员",
        "交班领导",
        "水文站通报：临江水位上涨",
        "夜间注意堤防巡查",
        "带班领导（签字）",
    ]


def test_the_pdf_holds_the_reports_content(client_for, department, day_with_a_shift):
    response = _report(client_for(day_with_a_shift["officer"]), department, day_with_a_shift["day"], "pdf")
    assert response["Content-Type"] == "application/pdf"
    assert f"daily-report-{department.code}-{day_with_a_shift['day']:%Y-%m-%d}.pdf" in response["Content-Disposition"]
    reader = PdfReader(io.BytesIO(response.content))
    text = "".join(page.extract_text() for page in reader.pages).replace(" ", "").replace("\n", "")
    for expected in _expected(department):
        assert expected.replace(" ", "") in text, expected
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=1)  # A4 portrait


def test_the_word_document_holds_the_reports_content(client_for, department, day_with_a_shift):
    response = _report(client_for(day_with_a_shift["officer"]), department, day_with_a_shift["day"], "docx")
    doc = Document(io.BytesIO(response.content))
    text = "\n".join(
        [p.text for p in doc.paragraphs]
        + [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    )
    for expected in _expected(department):
        assert expected in text, expected
    assert len(doc.tables) == 4  # shifts, duty log, spot checks and absences, open items
    assert doc.tables[0].rows[0].cells[0].text == "时段"


def test_a_page_shows_where_the_pdf_is(client, department, day_with_a_shift):
    client.force_login(day_with_a_shift["officer"])
    page = client.get(f"/duty/daily/{department.pk}/{day_with_a_shift['day'].isoformat()}/")
    assert page.status_code == 200
    assert "format=pdf" in page.content.decode()


def test_the_english_word_document_reads_english(client_for, department, day_with_a_shift):
    response = client_for(day_with_a_shift["officer"]).get(
        "/api/v1/duty/daily-report/",
        {"department": department.pk, "date": day_with_a_shift["day"].isoformat(), "format": "docx"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    doc = Document(io.BytesIO(response.content))
    assert "daily duty report" in doc.paragraphs[0].text
