"""Plan pages (Chinese) and the admin: list with filters, detail, version comparison,
coverage report, an incident's matches, and admin edits that go through versioning."""

import datetime
import re
from zoneinfo import ZoneInfo

import pytest
from django.contrib.staticfiles import finders
from django.test import Client

from dutyops.seed import seed as seed_org
from incidents.models import Incident
from incidents.seed import seed_reference_data
from plans import seed, services
from plans.documents import clean_plan
from plans.models import Plan


@pytest.fixture(autouse=True)
def _clock(time_machine):
    """The plan library's review-by dates are fixed: the clock stands still on the
    day it was written (2026-11-23), so "已到期" marks the same plans on any test date."""
    time_machine.move_to(datetime.datetime(2026, 11, 23, 10, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def library(db):
    seed_org()
    seed_reference_data()
    seed.seed()


def browser(person):
    c = Client()
    c.force_login(person)
    return c


def test_list_filters_and_detail(library, officer):
    c = browser(officer)
    page = c.get("/plans/").content.decode()
    assert "应急预案库" in page and "临江市防汛抗旱应急预案" in page and "临江市突发事件总体应急预案" in page
    page = c.get("/plans/?category=public_health").content.decode()
    assert "临江市突发公共卫生事件应急预案" in page and "临江市防汛抗旱应急预案" not in page
    page = c.get("/plans/?subtype=forest_fire").content.decode()
    assert "临江市森林火灾应急预案" in page and "临江市地震应急预案" not in page
    assert "征求意见稿" in c.get("/plans/?status=draft").content.decode()
    assert "已到期" in c.get("/plans/?q=地震").content.decode()  # review-by date passed

    plan = Plan.objects.get(code="LJ-ZX-FXKH-2024")
    page = c.get(f"/plans/{plan.pk}/").content.decode()
    assert "一级响应" in page and "四级响应" in page and "市水利局" in page
    assert "继承自II级" in page  # lower levels' tasks are shown under higher ones
    assert c.get("/plans/999999/").status_code == 404
    assert Client().get("/plans/").status_code == 302  # sign in first


def test_admin_edit_makes_a_version_and_compare_shows_it(library, make_person):
    admin = make_person("admin", is_staff=True, is_superuser=True)
    c = browser(admin)
    plan = Plan.objects.get(code="LJ-ZX-SPAQ-2023")
    url = f"/admin/plans/plan/{plan.pk}/change/"
    form = c.get(url)
    assert form.status_code == 200
    import json

    levels = json.loads(json.dumps(plan.levels))
    levels[1]["criteria"]["min_injuries"] = 20
    data = {
        "code": plan.code,
        "title": plan.title,
        "kind": plan.kind,
        "status": plan.status,
        "category": plan.category,
        "subtypes": json.dumps(plan.subtypes),
        "keywords": json.dumps(plan.keywords),
        "owner_department": plan.owner_department_id,
        "lead_department": plan.lead_department_id,
        "issued_on": plan.issued_on.isoformat(),
        "effective_on": plan.effective_on.isoformat(),
        "review_by": plan.review_by.isoformat(),
        "filing_record": plan.filing_record,
        "levels": json.dumps(levels, ensure_ascii=False),
    }
    resp = c.post(url, data)
    assert resp.status_code == 302, resp.content.decode()[:2000]
    plan.refresh_from_db()
    assert plan.version == 2 and plan.levels[1]["criteria"]["min_injuries"] == 20

    page = c.get(f"/plans/{plan.pk}/compare/?a=1&b=2").content.decode()
    assert "三级响应 启动条件" in page and "受伤人数 ≥ 30" in page and "受伤人数 ≥ 20" in page
    assert "v1" in c.get(f"/plans/{plan.pk}/?version=1").content.decode()

    # invalid levels are refused by the admin form with the field path
    data["levels"] = json.dumps([{"level": "II", "criteria": {"min_deaths": -1}, "tasks": []}])
    resp = c.post(url, data)
    assert resp.status_code == 200 and "levels.0.criteria.min_deaths" in resp.content.decode()
    plan.refresh_from_db()
    assert plan.version == 2


def test_coverage_page(library, officer):
    from incidents.services import intake

    intake({"title": "某地网络攻击", "category": "social_security", "subtype": "cyber_security", "channel": "phone",
            "kind": "first"}, officer)  # fmt: skip
    page = browser(officer).get("/plans/coverage/").content.decode()
    assert "预案覆盖情况报告" in page
    assert "恐怖袭击事件" in page  # a subtype without any plan
    assert "临江市地震应急预案" in page  # past its review-by date
    assert "某地网络攻击" in page  # an open incident without a specific plan


def test_incident_page_shows_matches_and_activation_state(library, make_person):
    from incidents.services import intake

    officer, leader = make_person("duty_officer"), make_person("leader")
    _, incident, _ = intake({"title": "东江溃堤", "description": "特大洪水", "category": "natural_disaster",
                             "subtype": "flood", "grade": "I", "channel": "phone", "kind": "first"}, officer)  # fmt: skip
    page = browser(officer).get(f"/plans/incident/{incident.pk}/").content.decode()
    assert "临江市防汛抗旱应急预案" in page and "建议一级响应" in page and "提请启动" in page
    assert "关键词命中" in page
    plan = Plan.objects.get(code="LJ-ZX-FXKH-2024")
    services.propose_activation(incident, plan, "I", officer, "溃堤")
    page = browser(leader).get(f"/plans/incident/{incident.pk}/").content.decode()
    assert "待审批" in page and "批准" in page
    # CSP script-src 'self': no inline script or handler; the page's script is a static file.
    assert re.findall(r"<script(?![^>]*\bsrc=)", page) == [] and not re.search(r"\son[a-z]+=", page)
    assert "/static/plans/incident.js" in page and f'data-incident="{incident.pk}"' in page
    assert finders.find("plans/incident.js")


def test_drafts_can_be_created_but_not_activated(library, make_person):
    draft = Plan.objects.get(code="LJ-ZX-JZSG-2026")
    incident = Incident.objects.create(
        title="工地坍塌", category="accident_disaster", subtype="building_collapse", grade="II"
    )
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.propose_activation(incident, draft, "II", make_person("leader"))
    plan = services.create_plan(clean_plan({"code": "X-1", "title": "草案", "kind": "general"}), None)
    assert plan.status == "draft"


def test_a_bad_plan_document_on_a_page_is_a_message_not_an_error_page(rf, make_person, library):
    """A page that imports a plan document (dutyops.pages.reported) shows what is wrong
    with it as a message, and nothing is written."""
    from django.contrib.messages import get_messages
    from django.contrib.messages.storage.fallback import FallbackStorage
    from django.contrib.sessions.backends.db import SessionStore

    from dutyops.pages import reported

    request = rf.post("/plans/")
    request.session, request.user = SessionStore(), make_person("admin")
    request._messages = FallbackStorage(request)
    before = Plan.objects.count()
    with reported(request):
        services.import_document({"code": "X-BAD", "title": "防汛", "kind": "nonsense"}, request.user)
    shown = [str(m) for m in get_messages(request)]
    assert len(shown) == 1 and shown[0]  # the field's message, shown to the person
    assert Plan.objects.count() == before
