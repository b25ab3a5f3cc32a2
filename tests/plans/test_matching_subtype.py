"""Matching that is never absurd: a plan for another subtype never outranks the plans of
the (confirmed or inferred) subtype; with no subtype the general plan leads and the
specific plans are only possible ones, with no 首选; ties are ties."""

from hypothesis import given, settings
from hypothesis import strategies as st

from plans.matching import Facts, Index, compile_plan, match_with_total
from realtime.models import Event
from tests.plans.conftest import issue

CONSOLE = {"kind": "first", "channel": "phone", "category": "natural_disaster"}


def console_report(client, title, description="", **extra):
    """What the officer's console sends: no subtype field there."""
    response = client.post(
        "/api/v1/reports/", {**CONSOLE, "title": title, "description": description, **extra}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["incident"]


def matches(client, incident):
    response = client.get(f"/api/v1/incidents/{incident}/plan-matches/")
    assert response.status_code == 200
    return response.json()


def announced(incident):
    events = Event.objects.filter(type="plan.matched", incident_id=incident).order_by("seq")
    return [{**e.data, "summary": e.summary} for e in events]  # the line as a reader gets it


def test_waterlogging_on_the_console_proposes_the_flood_plan_never_the_earthquake_plan(library, officer, client_for):
    client = client_for(officer)
    incident = console_report(client, "城区多处积水，车辆被淹", "五一广场、万家丽路多处积水，多辆车被淹")
    found = matches(client, incident)
    codes = [m["code"] for m in found]
    assert codes[0] == "LJ-ZX-FXKH-2024" and found[0]["role"] == "preferred"
    assert "LJ-ZX-DZ-2022" not in codes and "LJ-ZX-SLHZ-2024" not in codes  # no earthquake, no forest fire
    assert any("推断" in r and "积水" in r for r in found[0]["reasons"])
    [event] = announced(incident)
    assert event["summary"].startswith("首选预案：《临江市防汛抗旱应急预案》")
    assert event["preferred"] is True and event["subtype_source"] == "inferred"


def test_no_subtype_and_no_telling_words_the_general_plan_leads_with_no_preferred(library, officer, client_for):
    client = client_for(officer)
    incident = console_report(client, "有人受伤，请派人来", "现场情况不明")
    found = matches(client, incident)
    assert found[0]["code"] == "LJ-ZT-2023" and found[0]["kind"] == "general"
    assert not any(m["preferred"] for m in found)
    possible = [m for m in found if m["possible"]]
    assert {m["code"] for m in possible} >= {"LJ-ZX-FXKH-2024", "LJ-ZX-DZ-2022"}
    assert all(m["role"] == "possible" and m["reasons"][0].startswith("可能适用") for m in possible)
    assert found.index(possible[0]) > 0
    [event] = announced(incident)
    assert "首选" not in event["summary"] and event["summary"].startswith(
        "事件子类未确定：《临江市突发事件总体应急预案》"
    )
    assert event["preferred"] is False and set(event["possible_plans"]) >= {m["plan"] for m in possible[:3]}


def test_a_weak_suggestion_lists_its_plans_first_among_the_possible_ones(library, officer, client_for):
    client = client_for(officer)
    incident = console_report(client, "河边水位有点高", "请关注")
    found = matches(client, incident)
    assert found[0]["code"] == "LJ-ZT-2023"
    first_possible = next(m for m in found if m["possible"])
    assert first_possible["code"] == "LJ-ZX-FXKH-2024"
    assert any("描述提示可能为" in r for r in first_possible["reasons"])


def test_confirming_the_subtype_announces_the_preferred_plan(library, officer, client_for):
    client = client_for(officer)
    incident = console_report(client, "有人受伤，请派人来")
    client.post(f"/api/v1/incidents/{incident}/confirm-subtype/", {"subtype": "geological"}, format="json")
    events = announced(incident)
    assert len(events) == 2 and events[-1]["summary"].startswith("首选预案：《临江市地质灾害应急预案》")
    assert matches(client, incident)[0]["role"] == "preferred"


def test_two_plans_level_for_the_lead_are_a_tie_and_no_preferred(library, officer, client_for):
    for code in ("LJ-TIE-A", "LJ-TIE-B"):
        issue(
            {
                "code": code,
                "title": f"并列预案{code[-1]}",
                "kind": "specific",
                "category": "public_health",
                "subtypes": ["animal_epidemic"],
                "levels": [{"level": "IV"}],
            }
        )
    client = client_for(officer)
    incident = console_report(client, "猪场死了好多猪", "疑似非洲猪瘟，已封锁扑杀", category="public_health")
    found = matches(client, incident)
    assert [m["role"] for m in found[:2]] == ["tied", "tied"] and found[0]["rank"] == found[1]["rank"] == 1
    assert not any(m["preferred"] for m in found)
    [event] = announced(incident)
    assert "首选" not in event["summary"] and "并列" in event["summary"]
    assert set(event["tied_plans"]) == {found[0]["plan"], found[1]["plan"]}


# --- the ranking itself, over any plans ---------------------------------------------------------

SUBTYPES = {"natural_disaster": ["flood", "earthquake", "forest_fire"], "accident_disaster": ["fire", "traffic"]}
_ids = iter(range(1, 10_000_000))


@st.composite
def plans(draw):
    pid = next(_ids)
    kind = draw(st.sampled_from(["general", "specific", "department"]))
    category = "" if kind == "general" else draw(st.sampled_from(["", *SUBTYPES]))
    subs = draw(st.lists(st.sampled_from(SUBTYPES[category]), max_size=2, unique=True)) if category else []
    level = draw(st.sampled_from(["I", "II", "III", "IV"]))
    crit = draw(st.sampled_from([{}, {"grades": ["I", "II"]}, {"min_deaths": 3}, {"keywords_any": ["洪水"]}]))
    return compile_plan(
        {
            "id": pid,
            "code": f"P{pid:07d}",
            "title": f"预案{pid}",
            "kind": kind,
            "category": category,
            "subtypes": subs,
            "keywords": draw(st.sampled_from([[], ["洪水"], ["地震"]])),
            "version": 1,
            "levels": [{"level": level, "criteria": crit, "tasks": []}],
        }
    )


@settings(max_examples=200, deadline=None)
@given(
    library=st.lists(plans(), max_size=25),
    category=st.sampled_from(list(SUBTYPES)),
    subtype=st.sampled_from(["", "flood", "earthquake", "forest_fire", "fire", "traffic"]),
    source=st.sampled_from(["reported", "confirmed", "inferred"]),
    grade=st.sampled_from([None, "I", "II", "IV"]),
    deaths=st.sampled_from([None, 0, 5]),
    title=st.sampled_from(["", "特大洪水", "地震"]),
)
def test_never_absurd_over_any_library(library, category, subtype, source, grade, deaths, title):
    if subtype and subtype not in SUBTYPES[category]:
        subtype = ""
    index = Index("t")
    for p in library:
        index.add(p)
    facts = Facts(
        category=category,
        subtype=subtype,
        grade=grade,
        deaths=deaths,
        injuries=None,
        missing=None,
        text=title,
        lat=None,
        lon=None,
        subtype_source=source if subtype else "",
    )
    found, _total = match_with_total(facts, index=index)
    by_id = {p.id: p for p in library}
    kinds = [by_id[m["plan"]] for m in found]
    if subtype:
        # every plan shown is for this subtype or its whole category, or for any incident
        for plan in kinds:
            assert (
                plan.kind == "general"
                or not plan.category
                or (plan.category == category and (not plan.subtypes or subtype in plan.subtypes))
            )
        scoped = [n for n, p in enumerate(kinds) if p.category == category]
        unscoped = [n for n, p in enumerate(kinds) if not p.category]
        assert not scoped or not unscoped or max(scoped) < min(unscoped)
        assert not any(m["possible"] for m in found)
    else:
        assert not any(m["preferred"] for m in found)
        general = [n for n, p in enumerate(kinds) if p.kind == "general"]
        if general:
            assert general[0] == 0
    preferred = [m for m in found if m["preferred"]]
    assert len(preferred) <= 1 and (not preferred or found[0]["preferred"])
    if len(found) > 1 and found[0]["tie"]:
        assert found[1]["score"] == found[0]["score"] and not preferred
    assert [m["rank"] for m in found] == sorted(m["rank"] for m in found)
