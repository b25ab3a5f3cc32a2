"""The understanding's twenty-seventh version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): a birthday or a baby's first-month banquet and
eating at one (寿酒, 满月酒, 吃寿酒, 吃酒: food poisoning; 吃寿酒的人拉肚子发烧 was read as an
epidemic), and a site's hoarding blown down (围挡, a cue of the weather)."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "food_poisoning": {"synonym": "寿酒 满月酒", "colloquial": "吃寿酒 吃酒"},
    "meteorological": {"cue": "围挡"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0022_twenty_sixth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
