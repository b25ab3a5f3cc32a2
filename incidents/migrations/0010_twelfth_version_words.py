"""The understanding's twelfth version for databases seeded before it: the words it added
to incidents/data/lexicon.yaml (a shop front's awning and a balcony set alight by fireworks
told as a fire, not as the fireworks' production; fireworks made in secret in a hill shed;
a fireworks store's blast as a hazardous-goods accident; a car that could not stop and ran
onto a stall; a township's public account hijacked to send a phishing link).

Words go only to a subtype whose words were seeded (a subtype with none gets the whole
file from the seed); a word already there keeps its kind and weight: no row anyone may
have edited is touched."""

from django.db import migrations

from ._lexicon_words import adder

NEW_WORDS = {
    "fire": {
        "synonym": "门店火灾 商铺火灾 阳台火灾 阳台起火 雨棚着火 雨棚起火",
        "colloquial": "燃了 打着了 往外冒火 冒火",
    },
    "production_safety": {"synonym": "非法生产 生产窝点 简易窝棚", "colloquial": "做鞭炮 偷偷做鞭炮 做烟花 偷偷做烟花"},
    "hazardous_chemicals": {"synonym": "燃爆 烟花仓库 仓储事故 烟花爆竹仓储", "cue": "花炮公司"},
    "traffic": {
        "synonym": "车辆失控 小车失控 失控撞 驶上人行道 冲上人行道",
        "colloquial": "刹不住 车冲进 冲到路边 撞向 误踩油门",
    },
    "cyber_security": {
        "term": "公众号被盗 账号被盗",
        "synonym": "被盗用 盗取登录 钓鱼链接 虚假推文",
        "colloquial": "点链接 要验证码 公众号发",
        "cue": "公众号 推文",
    },
}


add_words = adder(NEW_WORDS)


class Migration(migrations.Migration):
    dependencies = [
        ("incidents", "0009_eleventh_version_words"),
    ]

    operations = [
        migrations.RunPython(add_words, migrations.RunPython.noop),
    ]
