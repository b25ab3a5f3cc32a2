"""The statutory line when a link carries only some categories (chain_link up
--categories): the linked higher office is on the line of those categories only;
every other category is reported to the rest of its line, neither refused for the
link ("链路不报送此类事件") nor for leaving it out ("按规定须同时报告")."""

import pytest

from chain.models import Delivery, Link, Recipient
from chain.seed import seed as seed_line
from incidents.seed import seed_reference_data
from tests.chain.links import link_up


@pytest.fixture
def county(officer, client_for, db):
    seed_reference_data()
    seed_line()
    link_up(issue="tok-from-city", categories="public_health")
    return client_for(officer)


def incident_of(county, category):
    body = {"kind": "first", "channel": "phone", "title": "事件", "category": category}
    response = county.post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201, response.data
    return response.data["incident"]


def report_up(county, incident, **body):
    return county.post(
        f"/api/v1/incidents/{incident}/upward-reports/",
        {"kind": "first", "unverified_reason": "紧急", **body},
        format="json",
    )


def line(county, category):
    return {r["name"]: r["id"] for r in county.get(f"/api/v1/reporting-line/?category={category}").data}


def test_a_category_the_link_carries_goes_up_the_link(county):
    assert "临江市人民政府总值班室" in line(county, "public_health")
    sent = report_up(county, incident_of(county, "public_health"))
    assert sent.status_code == 201, sent.data
    names = {r["name"]: r["delivery"] for r in sent.data["recipients"]}
    assert names["临江市人民政府总值班室"] == "queued"  # on the link, as data
    assert Delivery.objects.filter(link__name="临江市人民政府总值班室").count() == 1


def test_another_category_goes_to_the_rest_of_its_line(county):
    incident = incident_of(county, "accident_disaster")
    assert "临江市人民政府总值班室" not in line(county, "accident_disaster")
    # The whole line (nothing chosen) and the line chosen as shown both go.
    whole = report_up(county, incident)
    assert whole.status_code == 201, whole.data
    chosen = report_up(county, incident, kind="follow_up", recipients=list(line(county, "accident_disaster").values()))
    assert chosen.status_code == 201, chosen.data
    for sent in (whole, chosen):
        names = {r["name"] for r in sent.data["recipients"]}
        assert "省应急管理厅" in names and "临江市人民政府总值班室" not in names
    assert not Delivery.objects.filter(link__isnull=False).exists()


def test_the_link_chosen_for_a_category_it_does_not_carry_is_refused(county):
    incident = incident_of(county, "accident_disaster")
    city = Recipient.objects.get(name="临江市人民政府总值班室")
    for chosen in ([city.pk], [f"link:{Link.objects.get().pk}"]):
        refused = report_up(county, incident, recipients=[*line(county, "accident_disaster").values(), *chosen])
        assert refused.status_code == 400 and "不报送此类事件" in str(refused.data["recipients"])
    assert not Delivery.objects.exists()


def test_a_limited_link_leaves_the_higher_office_for_other_categories(county):
    # Only a link for every category stands in for the unlinked higher duty office.
    assert "省人民政府总值班室" in line(county, "accident_disaster")
    link_up(issue="tok-from-city")
    assert "省人民政府总值班室" not in line(county, "accident_disaster")
    assert "临江市人民政府总值班室" in line(county, "accident_disaster")
