"""What the place migrations (0008 on) share: a version's new gazetteer rows brought into a
database seeded before it. Frozen with them, as _lexicon_words is (Django's loader skips
this module: its name starts with "_")."""


def adder(new_places):
    """A RunPython function adding `new_places` ((name, district, kind, latitude, longitude[,
    aliases]) each) where the gazetteer was seeded; a place already there under the same name
    and district keeps its edits, and a database with no place yet gets the files from
    seed_demo."""

    def add_places(apps, schema_editor):
        place = apps.get_model("incidents", "Place")
        if not place.objects.exists():
            return
        there = set(place.objects.values_list("name", "district"))
        place.objects.bulk_create(
            place(name=name, district=district, kind=kind, latitude=lat, longitude=lon, aliases=(aliases or [""])[0])
            for name, district, kind, lat, lon, *aliases in new_places
            if (name, district) not in there
        )

    return add_places
