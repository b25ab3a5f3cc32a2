"""The understanding's thirteenth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (a hill that 塌 as the lexicon's hills already 垮:
山塌了, 后山塌, 山上塌下来; a water main that leaks or cracks as it already bursts:
水管漏了, 水管裂了).

Words go only to a subtype whose words were seeded (a subtype with none gets the whole
file from the seed); a word already there keeps its kind and weight: no row anyone may
have edited is touched."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "geological": {"colloquial": "山塌了 山塌下来 后山塌 塌山 坡塌了 山上塌下来"},
    "water_supply": {"colloquial": "水管漏了 水管漏水 水管裂了"},
}


add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0010_twelfth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
