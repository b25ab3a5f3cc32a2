"""The understanding's twenty-fifth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): a small boat, a vessel, a private boat carrying
people and a capsizing are a waterway accident (小船, 船只, 自用船, 翻覆: 小船翻覆续报 was read as
a fire from the fire service it names), an escalator running backwards a lift and escalator
matter (倒着跑)."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "traffic": {"synonym": "小船 船只 自用船 翻覆"},
    "special_equipment": {"colloquial": "倒着跑"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0020_twenty_fourth_version_words_and_places"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
