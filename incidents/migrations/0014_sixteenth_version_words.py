"""The understanding's sixteenth version for databases seeded before it: the words it
added to incidents/data/lexicon.yaml. The taxonomy has no drowning subtype: a swimmer or
a child drowned is the general accident (production safety: 溺水, 溺亡, 游泳, 防溺水,
溺水身亡, 沉水, 玩水, 沉下去了, 淹死, 掉进山塘…), a boat capsized is water traffic (龙舟倾覆,
龙舟翻船, 龙舟翻了; 龙舟 a cue); a minibus off the road is a crash (中巴, 中巴车, 驶出路外,
冲到沟里, 滑到沟里, 翻到沟里); a quarry's rock fall on a worker is a production accident
(采场, 被石头砸).

Words go only to a subtype whose words were seeded (a subtype with none gets the whole
file from the seed); a word already there keeps its kind and weight: no row anyone may
have edited is touched."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "production_safety": {
        "term": "溺水 溺亡",
        "synonym": "游泳 防溺水 溺水身亡 沉水 玩水 采场",
        "colloquial": "沉下去了 淹死 掉进山塘 掉进水塘 掉进塘里 掉到塘里 被石头砸",
    },
    "traffic": {
        "synonym": "龙舟倾覆 龙舟翻船 中巴 中巴车 驶出路外",
        "colloquial": "龙舟翻了 冲到沟里 滑到沟里 翻到沟里",
        "cue": "龙舟",
    },
}


add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0013_fifteenth_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
