"""Demo data and the gazetteer import."""

import pytest
from django.core.management import CommandError, call_command

from dutyops import seed as org_seed
from incidents import seed
from incidents.geo import geocode
from incidents.models import Incident, Place, ReportPolicy, Subtype
from incidents.selectors import open_items_for_handover


def test_seed_is_idempotent_and_gives_a_working_demo(db):
    org_seed.seed()
    seed.seed()
    counts = (Subtype.objects.count(), ReportPolicy.objects.count(), Place.objects.count(), Incident.objects.count())
    seed.seed()
    assert counts == (
        Subtype.objects.count(),
        ReportPolicy.objects.count(),
        Place.objects.count(),
        Incident.objects.count(),
    )
    codes = set(Subtype.objects.values_list("code", flat=True))
    assert {"flood", "earthquake", "forest_fire", "hazardous_chemicals", "epidemic", "terrorist_attack"} <= codes
    assert ReportPolicy.objects.get(grade="II", category="").phone_minutes == 30
    assert Incident.objects.filter(is_drill=True).exists() and Incident.objects.filter(is_drill=False).exists()
    assert all(i.latitude is not None for i in Incident.objects.all()), "demo places are geocoded offline"
    items = open_items_for_handover()
    assert {i["kind"] for i in items} >= {"incident", "report_clock"}
    assert all(set(i) == {"kind", "id", "title", "due_at"} for i in items)


def test_import_places_from_csv(db, tmp_path):
    path = tmp_path / "places.csv"
    path.write_text("name,district,kind,latitude,longitude\n新港码头,开福区,港口,28.30,112.99\n", encoding="utf-8")
    call_command("import_places", str(path))
    call_command("import_places", str(path))  # again: updates, no duplicate
    assert Place.objects.filter(name="新港码头").count() == 1
    assert geocode("新港码头东侧") == (28.30, 112.99)
    bad = tmp_path / "bad.csv"
    bad.write_text("name,district,kind,latitude,longitude\n坏点,,,95,10\n", encoding="utf-8")
    with pytest.raises(CommandError):
        call_command("import_places", str(bad))


def test_migrate_brings_the_citys_streets_into_a_gazetteer_seeded_before_them(db):
    """A database seeded with the first gazetteer only gets the city's streets, 街道 and
    landmarks through migration 0005; a place already there keeps its edits."""
    import csv
    import importlib

    from django.apps import apps

    from incidents.management.commands.import_places import import_rows

    with open(seed.PLACES_CSV, newline="", encoding="utf-8") as f:
        import_rows(list(csv.DictReader(f)))
    Place.objects.create(
        name="五一大道", district="芙蓉区", kind="道路", latitude=28.1961, longitude=112.9911, aliases="老五一路"
    )
    before = Place.objects.count()
    migration = importlib.import_module("incidents.migrations.0005_city_places")
    migration.add_city_places(apps, None)
    migration.add_city_places(apps, None)  # again: nothing twice
    with open(seed.CITY_PLACES_CSV, newline="", encoding="utf-8") as f:
        city = list(csv.DictReader(f))
    assert Place.objects.count() == before + len(city) - 1
    assert Place.objects.get(name="五一大道").aliases == "老五一路"
    assert Place.objects.filter(name="洞井街道", district="雨花区").exists()
    assert geocode("雨花区韶山南路与湘府路交叉口") is not None


def test_migrate_leaves_an_empty_gazetteer_to_the_seed(db):
    import importlib

    from django.apps import apps

    importlib.import_module("incidents.migrations.0005_city_places").add_city_places(apps, None)
    assert not Place.objects.exists()


def test_migrate_brings_the_eighth_versions_places_and_words_into_a_database_seeded_before_them(db):
    """A database seeded before the eighth version (its rows and words missing) gets
    them through migration 0006, once; a word an admin edited keeps its edit."""
    import csv
    import importlib

    from django.apps import apps

    from incidents import lexicon
    from incidents.management.commands.import_places import import_rows
    from incidents.models import LexiconTerm

    migration = importlib.import_module("incidents.migrations.0006_eighth_version_places_and_words")
    with open(seed.CITY_PLACES_CSV, newline="", encoding="utf-8") as f:
        city = list(csv.DictReader(f))
    assert {r["name"] for r in city} >= migration.NEW_PLACES
    with open(seed.PLACES_CSV, newline="", encoding="utf-8") as f:
        first = list(csv.DictReader(f))
    import_rows(first + [r for r in city if r["name"] not in migration.NEW_PLACES])
    seed.seed_reference_data()
    new_words = {(c, w) for c, kinds in migration.NEW_WORDS.items() for words in kinds.values() for w in words.split()}
    LexiconTerm.objects.filter(subtype__code="unexplained_disease", word__in=["发热", "发烧"]).update(
        kind="cue", weight=0.7
    )
    for code, word in new_words - {("unexplained_disease", "发热"), ("unexplained_disease", "发烧")}:
        LexiconTerm.objects.filter(subtype__code=code, word=word).delete()
    LexiconTerm.objects.create(  # an admin's word before the migration
        subtype=Subtype.objects.get(code="drought"), word="没水喝", kind="cue", weight=1.0
    )
    for _ in range(2):  # again: nothing twice
        migration.add_places(apps, None)
        migration.add_words(apps, None)
    assert Place.objects.count() == len(first) + len(city)
    assert Place.objects.get(name="澄潭江镇").district == "浏阳市"
    terms, _neutral, _related = lexicon.read_file()
    in_file = {(c, w, k) for c, items in terms.items() for w, k, _weight in items if (c, w) in new_words}
    in_db = set(
        LexiconTerm.objects.filter(subtype__code__in=migration.NEW_WORDS).values_list("subtype__code", "word", "kind")
    )
    assert in_file - in_db == {("drought", "没水喝", "colloquial")}
    assert ("drought", "没水喝", "cue") in in_db


WORD_MIGRATIONS = [  # (migration, a word of it an admin already had as a cue: its subtype, the word)
    ("0007_ninth_version_words_and_places", "criminal_case", "诈骗"),
    ("0008_tenth_version_words_and_places", "economic_security", "预付卡"),
    ("0009_eleventh_version_words", "gas_supply", "液化气罐"),
    ("0010_twelfth_version_words", "cyber_security", "公众号被盗"),
    ("0012_fourteenth_version_words", "production_safety", "农机"),
    ("0014_sixteenth_version_words", "production_safety", "溺水"),
    ("0015_seventeenth_version_words", "criminal_case", "故意伤害"),
    ("0016_eighteenth_version_words", "mass_incident", "踩踏"),
    ("0017_nineteenth_version_words", "mass_incident", "拥挤"),
    ("0018_twentieth_version_words", "biological_disaster", "稻飞虱"),
    ("0019_twenty_third_version_words", "criminal_case", "冒充"),
    ("0020_twenty_fourth_version_words_and_places", "mass_incident", "发工资"),
    ("0021_twenty_fifth_version_words", "traffic", "小船"),
    ("0022_twenty_sixth_version_words", "production_safety", "沟槽"),
    ("0023_twenty_seventh_version_words", "food_poisoning", "寿酒"),
    ("0024_twenty_eighth_version_words", "flood", "出入口进水"),
    ("0026_thirtieth_version_words", "special_equipment", "滑道"),
    ("0027_thirty_second_version_words", "environmental_pollution", "翻了白"),
    ("0028_thirty_third_version_words", "epidemic", "呕吐"),
    ("0029_thirty_fourth_version_words", "criminal_case", "安全账户"),
    ("0030_thirty_fifth_version_words", "geological", "垮下来"),
    ("0031_thirty_sixth_version_words", "food_poisoning", "年夜饭"),
    ("0032_thirty_seventh_version_words", "criminal_case", "盗窃"),
    ("0033_thirty_ninth_version_words", "meteorological", "预警信号"),
    ("0034_forty_first_version_words", "drought", "挑水"),
    ("0035_forty_second_version_words", "economic_security", "合同诈骗"),
    ("0036_forty_third_version_words", "economic_security", "传销"),
]


# Words a version added that a later one gives another kind (its own test below): the file has that kind.
REKINDED_LATER = {("production_safety", "收割机")}  # 0012's synonym, 0036's term


@pytest.mark.parametrize("name, code, edited", WORD_MIGRATIONS)
def test_migrate_brings_a_versions_words_into_a_database_seeded_before_them(db, name, code, edited):
    """A database seeded before a version gets the words it added to the file through its
    migration, once; a word an admin already has keeps its kind and weight."""
    import importlib

    from django.apps import apps

    from incidents import lexicon
    from incidents.models import LexiconTerm

    migration = importlib.import_module(f"incidents.migrations.{name}")
    seed.seed_reference_data()
    new_words = {(c, w) for c, kinds in migration.NEW_WORDS.items() for words in kinds.values() for w in words.split()}
    for subtype, word in new_words:
        LexiconTerm.objects.filter(subtype__code=subtype, word=word).delete()
    LexiconTerm.objects.create(subtype=Subtype.objects.get(code=code), word=edited, kind="cue", weight=1.0)
    for _ in range(2):  # again: nothing twice
        migration.add_words(apps, None)
    terms, _neutral, _related = lexicon.read_file()
    in_file = {(c, w, k) for c, items in terms.items() for w, k, _weight in items if (c, w) in new_words}
    assert {(c, w) for c, w, _k in in_file} == new_words  # the file and the migration say the same
    in_db = set(
        LexiconTerm.objects.filter(subtype__code__in=migration.NEW_WORDS).values_list("subtype__code", "word", "kind")
    )
    in_file_kind = next(k for c, w, k in in_file if (c, w) == (code, edited))
    changed_later = {row for row in in_file - in_db if row[:2] in REKINDED_LATER}
    assert in_file - in_db - changed_later == {(code, edited, in_file_kind)}
    assert LexiconTerm.objects.filter(subtype__code=code, word=edited).get().kind == "cue"


@pytest.mark.parametrize(
    "name, code, word, before, after",
    [
        # 消防救援 names who was called (to drownings and rescues as to fires): a cue
        ("0015_seventeenth_version_words", "fire", "消防救援", ("term", 3.0), ("cue", 0.7)),
        # 燃气立管 names a gas supply outright: a term
        ("0026_thirtieth_version_words", "gas_supply", "燃气立管", ("synonym", 2.0), ("term", 3.0)),
        # and 收割机 a work accident
        ("0036_forty_third_version_words", "production_safety", "收割机", ("synonym", 2.0), ("term", 3.0)),
    ],
)
def test_migrate_rekinds_a_seeded_word_only_where_nobody_edited_it(db, name, code, word, before, after):
    """Migrations 0015, 0026 and 0036 give a seeded word another kind (`before` as a database seeded
    before them has it, `after` as the file seeds it now), but leave a weight an admin gave it."""
    import importlib

    from django.apps import apps

    from incidents.models import LexiconTerm

    migration = importlib.import_module(f"incidents.migrations.{name}")
    seed.seed_reference_data()
    row = LexiconTerm.objects.get(subtype__code=code, word=word)
    assert (row.kind, row.weight) == after
    row.kind, row.weight = before
    row.save()
    migration.add_words(apps, None)
    row.refresh_from_db()
    assert (row.kind, row.weight) == after
    row.kind, row.weight = before[0], 2.5  # an admin's own weight
    row.save()
    migration.add_words(apps, None)
    row.refresh_from_db()
    assert (row.kind, row.weight) == (before[0], 2.5)


def test_migrate_moves_a_towns_point_only_where_nobody_edited_it(db):
    """镇头镇's point was 15 km east of the town: migration 0007 moves it to the file's,
    but not a point an admin already set, nor a place of the same name elsewhere."""
    import csv
    import importlib

    from django.apps import apps

    from incidents.management.commands.import_places import import_rows

    migration = importlib.import_module("incidents.migrations.0007_ninth_version_words_and_places")
    with open(seed.CITY_PLACES_CSV, newline="", encoding="utf-8") as f:
        town = next(r for r in csv.DictReader(f) if r["name"] == "镇头镇")
    import_rows([{**town, "latitude": "28.03", "longitude": "113.49"}])
    edited = Place.objects.create(name="镇头镇", district="某县", kind="镇", latitude=28.03, longitude=113.49)
    for _ in range(2):
        migration.move_places(apps, None)
    moved = Place.objects.get(name="镇头镇", district="浏阳市")
    assert (moved.latitude, moved.longitude) == (float(town["latitude"]), float(town["longitude"]))
    edited.refresh_from_db()
    assert (edited.latitude, edited.longitude) == (28.03, 113.49)
    Place.objects.filter(pk=moved.pk).update(latitude=28.05, longitude=113.35)  # an admin's point
    migration.move_places(apps, None)
    assert Place.objects.filter(pk=moved.pk, latitude=28.05, longitude=113.35).exists()


def test_migrate_adds_guoyuan_and_moves_dawei_mountain_only_where_nobody_edited_it(db):
    """Migration 0008 adds 果园镇 where the gazetteer was seeded, once, and moves the demo's
    大围山 (开福区) to 浏阳, where the file now has it; a 大围山 an admin placed stays."""
    import csv
    import importlib

    from django.apps import apps

    from incidents.management.commands.import_places import import_rows

    migration = importlib.import_module("incidents.migrations.0008_tenth_version_words_and_places")
    with open(seed.PLACES_CSV, newline="", encoding="utf-8") as f:
        mountain = next(r for r in csv.DictReader(f) if r["name"] == "大围山")
    import_rows([{**mountain, "district": "开福区", "latitude": "28.41", "longitude": "113.08"}])
    edited = Place.objects.create(name="大围山", district="某县", kind="山林", latitude=28.41, longitude=113.08)
    for _ in range(2):
        migration.change_places(apps, None)
    town = Place.objects.get(name="果园镇", district="长沙县")
    with open(seed.CITY_PLACES_CSV, newline="", encoding="utf-8") as f:
        row = next(r for r in csv.DictReader(f) if r["name"] == "果园镇")
    assert (town.kind, town.latitude, town.longitude) == (row["kind"], float(row["latitude"]), float(row["longitude"]))
    moved = Place.objects.get(name="大围山", district="浏阳市")
    assert (moved.latitude, moved.longitude) == (float(mountain["latitude"]), float(mountain["longitude"]))
    edited.refresh_from_db()
    assert (edited.district, edited.latitude, edited.longitude) == ("某县", 28.41, 113.08)


@pytest.mark.parametrize(
    "name, edited",
    [
        ("0020_twenty_fourth_version_words_and_places", ("黄兴镇", "长沙县", "镇")),
        ("0025_twenty_ninth_version_places", ("某镇", "宁乡市", "镇")),
    ],
)
def test_migrate_adds_the_places_the_gazetteer_lacked_as_the_file_has_them(db, name, edited):
    """Migrations 0020 (路口镇 and seven other towns) and 0025 (长韶娄高速) add them where the
    gazetteer was seeded, once, as the file has them (路口镇's stem 路口 is no place: a
    junction); one an admin already made stays as edited (`edited`, 0020's 黄兴镇; 0025's
    某镇 is another place: the gazetteer was seeded)."""
    import csv
    import importlib

    from django.apps import apps

    migration = importlib.import_module(f"incidents.migrations.{name}")
    seed.seed_reference_data()
    names = [place for place, *_rest in migration.NEW_PLACES]
    Place.objects.filter(name__in=names).delete()
    Place.objects.create(name=edited[0], district=edited[1], kind=edited[2], latitude=28.2, longitude=113.2)
    for _ in range(2):
        migration.add_places(apps, None)
    with open(seed.CITY_PLACES_CSV, newline="", encoding="utf-8") as f:
        rows = {r["name"]: r for r in csv.DictReader(f) if r["name"] in names}
    assert set(rows) == set(names)  # the file and the migration say the same
    assert Place.objects.filter(name__in=names).count() == len(names)
    for place, row in rows.items():
        town = Place.objects.get(name=place, district=row["district"])
        if place == edited[0]:
            assert (town.latitude, town.longitude) == (28.2, 113.2)
            continue
        assert (town.kind, town.latitude, town.longitude, town.aliases) == (
            row["kind"], float(row["latitude"]), float(row["longitude"]), row["aliases"]
        )  # fmt: skip


def test_migrate_moves_the_foundation_pits_words_only_where_nobody_edited_them(db):
    """0034 gives 基坑, 基坑坍塌, 在建项目 and 被埋 to production_safety and takes them off
    building_collapse, where a database seeded before it has them; a weight an admin gave one
    there stays. 一堵 joins the neutral words."""
    import importlib

    from django.apps import apps

    from incidents.models import LexiconTerm

    migration = importlib.import_module("incidents.migrations.0034_forty_first_version_words")
    seed.seed_reference_data()
    moved = ["基坑", "基坑坍塌", "基坑塌方", "基坑边坡", "在建项目", "被埋", "一堵", "那堵"]
    LexiconTerm.objects.filter(word__in=moved).delete()
    collapse = Subtype.objects.get(code="building_collapse")
    for word, kind, weight in [("基坑坍塌", "term", 3.0), ("在建项目", "term", 3.0), ("被埋", "synonym", 2.0)]:
        LexiconTerm.objects.create(subtype=collapse, word=word, kind=kind, weight=weight)  # as seeded
    LexiconTerm.objects.create(subtype=collapse, word="基坑", kind="synonym", weight=2.5)  # an admin's weight
    for _ in range(2):  # again: nothing twice
        migration.move_words(apps, None)

    def words(code):
        rows = LexiconTerm.objects.filter(subtype__code=code, word__in=moved)
        return dict(rows.values_list("word", "kind"))

    assert words("production_safety") == {
        "基坑坍塌": "term",
        "基坑塌方": "term",
        "基坑": "synonym",
        "基坑边坡": "synonym",
        "被埋": "synonym",
        "在建项目": "cue",
    }
    assert words("building_collapse") == {"基坑": "synonym"}
    neutral = LexiconTerm.objects.filter(subtype=None, word__in=moved)
    assert sorted(neutral.values_list("word", flat=True)) == ["一堵", "那堵"]


def test_migrate_moves_the_scaffolds_words_only_where_nobody_edited_them(db):
    """0036 gives 脚手架 and 脚手架坍塌 to production_safety and takes them off building_collapse
    where they keep their seeded kind and weight."""
    import importlib

    from django.apps import apps

    from incidents.models import LexiconTerm

    migration = importlib.import_module("incidents.migrations.0036_forty_third_version_words")
    seed.seed_reference_data()
    LexiconTerm.objects.filter(word__in=["脚手架", "脚手架坍塌"]).delete()
    collapse = Subtype.objects.get(code="building_collapse")
    LexiconTerm.objects.create(subtype=collapse, word="脚手架坍塌", kind="term", weight=3.0)  # as seeded
    LexiconTerm.objects.create(subtype=collapse, word="脚手架", kind="cue", weight=0.7)  # an admin made it a cue
    for _ in range(2):
        migration.add_words(apps, None)
    rows = LexiconTerm.objects.filter(word__in=["脚手架", "脚手架坍塌"])
    assert set(rows.values_list("subtype__code", "word", "kind")) == {
        ("production_safety", "脚手架坍塌", "term"),
        ("production_safety", "脚手架", "synonym"),
        ("building_collapse", "脚手架", "cue"),
    }
