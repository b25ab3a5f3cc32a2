"""The understanding's nineteenth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): a crowd pressing on steps or at a gate is a
mass incident (拥挤, 人挤人), as the crush it leads to (踩踏, 0016) is."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "mass_incident": {"synonym": "拥挤", "colloquial": "人挤人"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0016_eighteenth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
