"""The understanding's twenty-third version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (only to a subtype whose words were seeded; a word
already there keeps its kind and weight): a caller cheated of money says so in plain words
(骗了, 被人骗, 骗走, 冒充: a crime), a fireworks firm and its workshop are a production
site (花炮企业, 工房), a pipe frozen until it burst is a water supply matter (冻爆)."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "criminal_case": {"colloquial": "骗了 被人骗 骗走 冒充"},
    "production_safety": {"term": "花炮企业", "synonym": "工房"},
    "water_supply": {"colloquial": "冻爆"},
}

add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0018_twentieth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
