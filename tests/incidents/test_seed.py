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
