"""The understanding's thirty-third version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): vomiting and diarrhoea are an outbreak's signs
as much as a poisoning's (the school, the kindergarten or the meal then decides); a
banquet (办酒, 升学酒, 宴, 年会, 大寿) is a meal, and a fever leans a little to a poisoning
too (a feast's guests with diarrhoea and fever); wages unpaid to the last 一分钱 and
villagers not letting the lorries out (不让车) are a gathering's."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "epidemic": {"synonym": "呕吐 腹泻", "colloquial": "拉肚子 上吐下泻 都吐了"},
    "food_poisoning": {"synonym": "办酒 升学酒 宴 年会 大寿", "cue": "发烧 发热"},
    "mass_incident": {"colloquial": "一分钱 不让车"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0027_thirty_second_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
