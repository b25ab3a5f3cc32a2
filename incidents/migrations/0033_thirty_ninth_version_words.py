"""The understanding's thirty-ninth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): a weather warning's own words (预警信号, 暴雨黄色预警,
暴雨橙色预警), so the bureau's rainstorm warning is read as the weather's and not as
the floods it warns of."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "meteorological": {"term": "预警信号 暴雨黄色预警 暴雨橙色预警"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0032_thirty_seventh_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
