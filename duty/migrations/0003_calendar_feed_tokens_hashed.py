"""Calendar feed tokens stored hashed (issue 16): the token of every feed URL was kept in
plain text (and listed again and again). Each feed now keeps the token's SHA-256 and its
first characters; the URLs already handed out keep working (the feed view compares
digests), and the plain column is dropped. No way back: the plain tokens are gone."""

import hashlib

from django.db import migrations, models


def hash_tokens(apps, schema_editor):
    CalendarFeed = apps.get_model("duty", "CalendarFeed")
    for feed in CalendarFeed.objects.all().only("pk", "token"):
        digest = hashlib.sha256(feed.token.encode("utf-8", "surrogateescape")).hexdigest()
        CalendarFeed.objects.filter(pk=feed.pk).update(digest=digest, prefix=feed.token[:6])


class Migration(migrations.Migration):
    dependencies = [
        ("duty", "0002_content_types"),
    ]

    operations = [
        migrations.AddField(
            model_name="calendarfeed",
            name="digest",
            field=models.CharField(editable=False, max_length=64, null=True, verbose_name="令牌摘要"),
        ),
        migrations.AddField(
            model_name="calendarfeed",
            name="prefix",
            field=models.CharField(blank=True, default="", editable=False, max_length=8, verbose_name="令牌前缀"),
            preserve_default=False,
        ),
        migrations.RunPython(hash_tokens, migrations.RunPython.noop),
        migrations.RemoveField(model_name="calendarfeed", name="token"),
        migrations.AlterField(
            model_name="calendarfeed",
            name="digest",
            field=models.CharField(editable=False, max_length=64, unique=True, verbose_name="令牌摘要"),
        ),
    ]
