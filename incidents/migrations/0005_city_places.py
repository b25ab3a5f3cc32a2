"""The city's streets, 街道, 社区 and landmarks (incidents/data/places_linjiang_city.csv)
for databases whose gazetteer was seeded before the file existed. A database with no
place yet gets them from seed_demo with the rest of the gazetteer; a place already there
under the same name and district (added or edited in the admin) is left as it is."""

import csv
from pathlib import Path

from django.db import migrations

CITY_CSV = Path(__file__).resolve().parent.parent / "data" / "places_linjiang_city.csv"


def add_city_places(apps, schema_editor):
    place = apps.get_model("incidents", "Place")
    if not place.objects.exists():
        return
    with open(CITY_CSV, newline="", encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    there = set(place.objects.values_list("name", "district"))
    place.objects.bulk_create(
        place(
            name=r["name"].strip(),
            district=r["district"].strip(),
            kind=r["kind"].strip(),
            latitude=float(r["latitude"]),
            longitude=float(r["longitude"]),
            aliases=(r.get("aliases") or "").strip()[:200],
        )
        for r in rows
        if (r["name"].strip(), r["district"].strip()) not in there
    )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0004_possible_duplicates"),
    ]

    operations = [
        migrations.RunPython(add_city_places, migrations.RunPython.noop),
    ]
