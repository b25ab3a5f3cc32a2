"""The understanding's fourteenth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml (earth that 塌 as a hill that does: 土塌了, 土塌下来;
farm machinery that turns over on its driver as a production accident, not a crash: 农机,
旋耕机, 收割机, 插秧机, 农用机械, 机器压住, 压在机器下面, 机器翻了).

Words go only to a subtype whose words were seeded (a subtype with none gets the whole
file from the seed); a word already there keeps its kind and weight: no row anyone may
have edited is touched."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "geological": {"colloquial": "土塌了 土塌下来"},
    "production_safety": {
        "term": "农机",
        "synonym": "旋耕机 收割机 插秧机 农用机械",
        "colloquial": "机器压住 压在机器下面 机器翻了",
    },
}


add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0011_thirteenth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
