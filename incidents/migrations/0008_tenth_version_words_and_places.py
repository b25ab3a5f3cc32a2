"""The understanding's tenth version for databases seeded before it: the words it added
to incidents/data/lexicon.yaml (the early winter's kinds as callers put them: snow and
ice, a reservoir too low for the taps, a vanished business's prepaid cards, a rumour,
charcoal in a workers' shed ...), 果园镇 (长沙县) added to the city's gazetteer, and 大围山
moved to where it is, in 浏阳 beside 大围山镇 (the demo gazetteer had it in 开福区).

Words go only to a subtype whose words were seeded (a subtype with none gets the whole
file from the seed); a word already there keeps its kind and weight. A place already
there under the same name and district keeps its edits; a database with no place yet gets
the files from seed_demo. 大围山 moves only while it is still the demo's row (an edited
place keeps its edit)."""

from django.db import migrations

from . import _places
from ._lexicon_words import adder

NEW_WORDS = {
    "meteorological": {
        "colloquial": "雪太厚 雪好厚 雪下得好厚 雪很厚 下大雪 看雪 路上全是冰 风还好大 风还很大",
        "cue": "打滑 招牌 广告牌",
    },
    "drought": {
        "term": "水位过低 死水位 蓄水不足 降雨偏少 来水偏少 秋冬连旱 连旱",
        "synonym": "水位偏低 库容不足 取水困难 供水困难 分时段供水 分时供水 限时供水",
        "colloquial": "水库没水 水库干了 塘都干了 河里没水",
    },
    "economic_security": {
        "term": "预付卡",
        "synonym": "充值卡 储值卡 会员卡 停业 卷款 退费 老板联系不上 联系不上老板",
        "colloquial": "突然关门 卡里的钱 被抢光 抢光了",
        "cue": "会员",
    },
    "cyber_security": {
        "term": "谣言 网传 不实信息 辟谣",
        "colloquial": "群里都在传 群里在传 网上在传 网上传 到处在传",
        "cue": "是不是真的",
    },
    "forest_fire": {"colloquial": "山上冒 后山上冒 往屋这边烧 打火 烧过来了"},
    "criminal_case": {"colloquial": "菜刀 拿着菜刀 拿菜刀 拿着刀 拿着一把刀 砍刀 挥刀 手持"},
    "production_safety": {
        "synonym": "工棚 工人宿舍 高处作业 架子工 安全带 炭火 炭盆 木炭 烧炭",
        "colloquial": "一盆炭 烧了炭 喊不醒",
    },
    "hazardous_chemicals": {"synonym": "加油站 卸油 油品泄漏 防毒面具"},
    "epidemic": {
        "term": "支原体 肺炎支原体 出血热 肾综合征出血热",
        "colloquial": "好几个班 几个班的学生 好几个班的学生",
    },
    "traffic": {"synonym": "水上搜救 渔船"},
}
# (name, district, kind, latitude, longitude)
NEW_PLACES = (("果园镇", "长沙县", "镇", 28.37, 113.17),)
# (name, district, latitude, longitude) of the demo's row: (new district, latitude, longitude)
MOVED_PLACES = {("大围山", "开福区", 28.41, 113.08): ("浏阳市", 28.42, 114.09)}


add_words = adder(NEW_WORDS)


add_places = _places.adder(NEW_PLACES)


def change_places(apps, schema_editor):
    place = apps.get_model("incidents", "Place")
    if not place.objects.exists():
        return
    add_places(apps, schema_editor)
    for (name, district, lat, lon), (new_district, new_lat, new_lon) in MOVED_PLACES.items():
        place.objects.filter(name=name, district=district, latitude=lat, longitude=lon).update(
            district=new_district, latitude=new_lat, longitude=new_lon
        )


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0007_ninth_version_words_and_places"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
        migrations.RunPython(change_places, migrations.RunPython.noop),
    ]
