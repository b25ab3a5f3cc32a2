"""The understanding's thirty-second version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): fish gone belly-up (翻了白: 网箱里的鱼全翻了白 was
read as a vehicle overturned, 翻了, the longer word now read first)."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "environmental_pollution": {"colloquial": "翻了白"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0026_thirtieth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
