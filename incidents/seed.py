"""Demo data for the incidents domain: taxonomy, clock policy, gazetteer, a few incidents. Idempotent."""

import csv
from datetime import timedelta
from pathlib import Path

from django.db import transaction
from django.utils import timezone

from dutyops.models import Person

from . import grading, lexicon
from .management.commands.import_places import import_rows
from .models import GradeRule, Incident, LexiconTerm, Place, ReportPolicy, Subtype

# seed_demo runs the apps' seeds in this order (dutyops/management/commands/seed_demo.py).
ORDER = 20

# National taxonomy (国家突发公共事件总体应急预案): code, name, category.
SUBTYPES = [
    ("flood", "水旱灾害（洪涝）", "natural_disaster"),
    ("drought", "干旱", "natural_disaster"),
    ("meteorological", "气象灾害", "natural_disaster"),
    ("earthquake", "地震灾害", "natural_disaster"),
    ("geological", "地质灾害", "natural_disaster"),
    ("marine", "海洋灾害", "natural_disaster"),
    ("biological_disaster", "生物灾害", "natural_disaster"),
    ("forest_fire", "森林草原火灾", "natural_disaster"),
    ("production_safety", "工矿商贸生产安全事故", "accident_disaster"),
    ("fire", "火灾", "accident_disaster"),
    ("traffic", "交通运输事故", "accident_disaster"),
    ("hazardous_chemicals", "危险化学品事故", "accident_disaster"),
    ("water_supply", "供水事故", "accident_disaster"),
    ("power_supply", "供电事故", "accident_disaster"),
    ("gas_supply", "供气事故", "accident_disaster"),
    ("communication", "通信网络事故", "accident_disaster"),
    ("special_equipment", "特种设备事故", "accident_disaster"),
    ("building_collapse", "建筑施工与房屋倒塌事故", "accident_disaster"),
    ("environmental_pollution", "环境污染和生态破坏事件", "accident_disaster"),
    ("nuclear_radiation", "核与辐射事故", "accident_disaster"),
    ("epidemic", "传染病疫情", "public_health"),
    ("unexplained_disease", "群体性不明原因疾病", "public_health"),
    ("food_poisoning", "食品安全与职业中毒", "public_health"),
    ("animal_epidemic", "动物疫情", "public_health"),
    ("mass_incident", "群体性事件", "social_security"),
    ("terrorist_attack", "恐怖袭击事件", "social_security"),
    ("criminal_case", "重大刑事案件", "social_security"),
    ("economic_security", "经济安全事件", "social_security"),
    ("foreign_related", "涉外突发事件", "social_security"),
    ("cyber_security", "网络与信息安全事件", "social_security"),
    # GB/T 35561 (突发事件分类与编码) lists it beside the framework's four social-security kinds.
    ("ethnic_religious", "民族宗教事件", "social_security"),
]

# Default statutory clocks (BRIEF.md: grade I/II phoned up within 30 minutes,
# written within 1 hour; follow-ups at a set cadence until the final report).
POLICIES = [
    # grade, phone min, written min, follow-up min, final days, note
    ("I", 30, 60, 120, 7, "特别重大：30分钟内电话报告，1小时内书面报告，每2小时续报"),
    ("II", 30, 60, 240, 7, "重大：30分钟内电话报告，1小时内书面报告，每4小时续报"),
    ("III", 60, 120, 480, 15, "较大：1小时内电话报告，2小时内书面报告，每8小时续报"),
    ("IV", None, 240, 1440, 15, "一般：4小时内书面报告，每日续报"),
]

PLACES_CSV = Path(__file__).resolve().parent / "data" / "places_linjiang.csv"
# The city's streets, 街道, 社区 and landmarks (added after the first gazetteer: migration
# 0005 brings them into databases seeded before).
CITY_PLACES_CSV = Path(__file__).resolve().parent / "data" / "places_linjiang_city.csv"
PLACES_FILES = (PLACES_CSV, CITY_PLACES_CSV)

DEMO_REPORTS = [
    {
        "title": "湘江橘子洲段水位超警戒",
        "description": "橘子洲水文站水位超警戒线0.8米，洲上低洼处出现积水，景区已疏散游客。",
        "category": "natural_disaster",
        "subtype": "flood",
        "grade": "III",
        "location_text": "橘子洲",
        "channel": "department",
        "reporter_unit": "市水利局",
        "reporter_name": "孙涛",
        "minutes_ago": 50,
    },
    {
        "title": "万家丽路多车追尾事故",
        "description": "万家丽路高架南向北方向发生5车追尾，2人受伤送医，交通拥堵。",
        "category": "accident_disaster",
        "subtype": "traffic",
        "grade": "IV",
        "location_text": "万家丽路",
        "channel": "hotline",
        "reporter_name": "市民王先生",
        "reporter_phone": "13800000001",
        "injuries": 2,
        "minutes_ago": 20,
    },
    {
        "title": "临江化工园区储罐泄漏",
        "description": "化工园区一企业储罐阀门泄漏，已启动企业预案，周边500米人员正在疏散。",
        "category": "accident_disaster",
        "subtype": "hazardous_chemicals",
        "grade": "II",
        "location_text": "临江化工园区",
        "channel": "lower_level",
        "reporter_unit": "开福区值班室",
        "injuries": 3,
        "minutes_ago": 10,
    },
    {
        "title": "临江大学食物中毒应急演练",  # marked as a drill by is_drill, wherever shown
        "description": "演练：学校食堂就餐后多名学生出现呕吐腹泻症状。",
        "category": "public_health",
        "subtype": "food_poisoning",
        "grade": "IV",
        "location_text": "临江大学",
        "channel": "phone",
        "is_drill": True,
        "injuries": 12,
        "minutes_ago": 5,
    },
]


@transaction.atomic
def seed():
    seed_reference_data()
    if not Place.objects.exists():
        for path in PLACES_FILES:
            with open(path, newline="", encoding="utf-8") as f:
                import_rows(list(csv.DictReader(f)))
    if not Incident.objects.exists():
        _demo_incidents()


def seed_reference_data():
    """The taxonomy with its lexicon, the grade rules and the default clock policy
    (also used by the tests)."""
    for order, (code, name, category) in enumerate(SUBTYPES):
        Subtype.objects.get_or_create(code=code, defaults={"name": name, "category": category, "order": order})
    seed_lexicon()
    seed_grade_rules()
    for grade, phone, written, follow_up, final, note in POLICIES:
        ReportPolicy.objects.get_or_create(
            grade=grade,
            category="",
            defaults={
                "phone_minutes": phone,
                "written_minutes": written,
                "follow_up_minutes": follow_up,
                "final_days": final,
                "note": note,
            },
        )


def _demo_incidents():
    from . import services

    officer = Person.objects.filter(username="officer1").first()
    if officer is None:
        return
    now = timezone.now()
    for item in DEMO_REPORTS:
        data = {k: v for k, v in item.items() if k != "minutes_ago"}
        received = now - timedelta(minutes=item["minutes_ago"])
        data.update(kind="first", received_at=received, answered_at=received + timedelta(seconds=8))
        services.intake(data, officer)


def seed_lexicon(path=lexicon.DATA):
    """Each subtype's words from the data file, once: a subtype that has words keeps
    them as edited (the admin's table is the truth), a new one gets the file's."""
    terms, neutral, _related = lexicon.read_file(path)
    subtypes = dict(Subtype.objects.values_list("code", "pk"))
    seeded = set(LexiconTerm.objects.exclude(subtype=None).values_list("subtype_id", flat=True).distinct())
    rows = []
    for code, items in terms.items():
        pk = subtypes.get(code)
        if pk is None or pk in seeded:
            continue
        seen = set()
        for word, kind, weight in items:
            if word not in seen:
                seen.add(word)
                rows.append(LexiconTerm(subtype_id=pk, word=word[:32], kind=kind, weight=weight))
    if not LexiconTerm.objects.filter(subtype=None).exists():
        rows.extend(LexiconTerm(subtype=None, word=w[:32], kind="neutral", weight=0) for w in dict.fromkeys(neutral))
    LexiconTerm.objects.bulk_create(rows, ignore_conflicts=True)


def seed_grade_rules(path=grading.DATA):
    """The national thresholds from the data file, once (then edited in the admin)."""
    if GradeRule.objects.exists():
        return
    GradeRule.objects.bulk_create(GradeRule(**rule) for rule in grading.rules_from_file(path))
