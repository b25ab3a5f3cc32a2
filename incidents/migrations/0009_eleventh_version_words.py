"""The understanding's eleventh version for databases seeded before it: the words it added
to incidents/data/lexicon.yaml (a gas cylinder's fire told as a fire, tyres burnt in the
open told by their smoke and smell, a hill's smoke, a kindergarten's vomiting, a reservoir
running dry, a wedding feast's sick, an escalator running backwards, a knife in a fight,
unpaid workers at the gate and on the road, two men down a sewer well, crowds running from
armed police).

Words go only to a subtype whose words were seeded (a subtype with none gets the whole
file from the seed); a word already there keeps its kind and weight."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "gas_supply": {
        "term": "液化气罐 煤气罐着火 煤气罐起火 气罐着火 气罐起火 阀门处起火 阀门起火",
        "colloquial": "喷火 早餐店 早点店",
    },
    "environmental_pollution": {
        "term": "烧轮胎 烧废轮胎 焚烧轮胎 焚烧废旧轮胎 烧废旧轮胎",
        "synonym": "烧胶皮 烧电线皮",
        "colloquial": "烧胶皮味 胶皮味 往小区飘 往屋里飘",
    },
    "forest_fire": {"colloquial": "山上在冒烟 后山在冒烟 后山着火 往山上跑"},
    "epidemic": {"synonym": "低烧", "colloquial": "病在传", "cue": "幼儿园"},
    "drought": {"colloquial": "水库快干了 快干了 吃水问题"},
    "food_poisoning": {"synonym": "喜酒 卤菜 绞痛", "colloquial": "吃喜酒 喝喜酒 都吐了 一车人都吐了"},
    "special_equipment": {"term": "扶梯逆行 扶梯倒转", "colloquial": "倒着走"},
    "criminal_case": {"colloquial": "挨了一刀 捅了一刀 被捅 水果刀", "cue": "打起来"},
    "mass_incident": {
        "synonym": "占据道路 占道",
        "colloquial": "工资没发 一分没发 没发工资 堵在厂门口 堵在门口 坐在路上",
    },
    "production_safety": {"synonym": "污水井 窨井 检查井", "colloquial": "不敢下去 井里晕倒 井内晕倒"},
    "terrorist_attack": {"colloquial": "大家都在跑 到处乱跑", "cue": "特警"},
}


add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0008_tenth_version_words_and_places"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
