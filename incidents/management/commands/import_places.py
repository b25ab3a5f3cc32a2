"""Import gazetteer place names (CSV: name,district,kind,latitude,longitude[,aliases])."""

import csv

from django.core.management.base import BaseCommand, CommandError

from incidents.geo import gazetteer
from incidents.models import Place


class Command(BaseCommand):
    help = "导入地名库（CSV，列：name,district,kind,latitude,longitude，可选 aliases）；同名同区县的地名会更新坐标。"

    def add_arguments(self, parser):
        parser.add_argument("csv_path")

    def handle(self, csv_path, **options):
        try:
            with open(csv_path, newline="", encoding="utf-8-sig") as f:
                rows = list(csv.DictReader(f))
        except OSError as exc:
            raise CommandError(f"cannot read {csv_path}: {exc}") from exc
        created, updated = import_rows(rows)
        self.stdout.write(f"imported {created} new, {updated} updated place(s)")


def import_rows(rows):
    created = updated = 0
    for n, row in enumerate(rows, start=2):
        try:
            name = row["name"].strip()
            lat, lon = float(row["latitude"]), float(row["longitude"])
        except (KeyError, ValueError, AttributeError) as exc:
            raise CommandError(f"line {n}: {exc}") from exc
        if not name or not (-90 <= lat <= 90 and -180 <= lon <= 180):
            raise CommandError(f"line {n}: bad name or coordinates")
        _, was_created = Place.objects.update_or_create(
            name=name,
            district=(row.get("district") or "").strip(),
            defaults={
                "kind": (row.get("kind") or "").strip(),
                "latitude": lat,
                "longitude": lon,
                "aliases": (row.get("aliases") or "").strip()[:200],
            },
        )
        created += was_created
        updated += not was_created
    gazetteer.clear()
    return created, updated
