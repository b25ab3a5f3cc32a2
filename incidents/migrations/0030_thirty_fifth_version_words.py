"""The understanding's thirty-fifth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): earth coming down (山上土垮下来把路堵了: 垮下来,
read before a hill's 山上)."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "geological": {"colloquial": "垮下来"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0029_thirty_fourth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
