"""The understanding's seventeenth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml, and 消防救援 read as who was called, not what happened.

Words (only to a subtype whose words were seeded; a word already there keeps its kind and
weight): heat stroke at work is a production accident (工人中暑, 钢筋工, 作业时晕倒,
作业时中暑), as is someone drowned (有人淹了); a wound is a crime (故意伤害; 被砍, 拿刀追);
crayfish 哈夫病 is food poisoning (哈夫病, 横纹肌溶解; 小龙虾); lightning in a house and a
body hot to the touch are weather (雷打到, 身上烫手); a road's subgrade giving way is
geological (路基垮塌).

消防救援 was a fire term (3): the fire service is called to drownings, floods, slides and
rescues of every kind, so it is now a cue (0.7), as 消防 is. Changed only where it is still
the seeded term at the seeded weight: a row an admin edited keeps what they gave it."""

from django.db import migrations

from ._lexicon_words import adder, rekind

NEW_WORDS = {
    "production_safety": {
        "synonym": "工人中暑 钢筋工",
        "colloquial": "作业时晕倒 作业时中暑 有人淹了",
    },
    "criminal_case": {
        "term": "故意伤害",
        "colloquial": "被砍 拿刀追",
    },
    "food_poisoning": {
        "term": "哈夫病 横纹肌溶解",
        "synonym": "小龙虾",
    },
    "meteorological": {
        "colloquial": "雷打到 身上烫手",
    },
    "geological": {
        "synonym": "路基垮塌",
    },
}

# Words that name who was called rather than what happened: (subtype, word, the seeded kind).
DEMOTED = [("fire", "消防救援", "term")]


add_new_words = adder(NEW_WORDS)


def add_words(apps, schema_editor):
    add_new_words(apps, schema_editor)
    rekind(apps, [(code, [word], kind, "cue") for code, word, kind in DEMOTED])


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0014_sixteenth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
