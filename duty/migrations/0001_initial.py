"""The duty models, moved here from the dutyops app (issue 15): their state only.

dutyops/0004 took them out of the dutyops app's state and renamed their tables
from dutyops_* to duty_*; nothing is created here and no row is touched.
"""

import datetime

import django.core.validators
import django.db.models.deletion
import django.db.models.functions.comparison
from django.conf import settings
from django.db import migrations, models

import duty.models


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ("dutyops", "0004_duty_models_move_to_duty_app"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Holiday',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('date', models.DateField(unique=True, verbose_name='日期')),
                        ('kind', models.CharField(choices=[('holiday', '法定节假日'), ('workday', '调休上班')], default='holiday', max_length=16, verbose_name='类型')),
                        ('name', models.CharField(max_length=32, verbose_name='节日')),
                        ('extra_officers', models.PositiveSmallIntegerField(default=0, help_text='该日每班在规则基础上增加的值班员人数。', validators=[django.core.validators.MaxValueValidator(20)], verbose_name='加派值班员')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='备注')),
                        ('required_leader', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='指定带班领导')),
                    ],
                    options={
                        'verbose_name': '节假日安排',
                        'verbose_name_plural': '节假日安排',
                        'ordering': ['date'],
                    },
                ),
                migrations.CreateModel(
                    name='Rotation',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=64, verbose_name='名称')),
                        ('pattern', models.CharField(choices=[('daily', '每日轮换'), ('24_48', '值24休48'), ('weekly', '按周轮换'), ('custom', '自定义')], default='daily', max_length=16, verbose_name='轮换方式')),
                        ('shift_hours', models.PositiveSmallIntegerField(default=24, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(168)], verbose_name='每班时长（小时）')),
                        ('shifts_per_turn', models.PositiveSmallIntegerField(default=1, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(31)], verbose_name='每轮班次数')),
                        ('start_time', models.TimeField(blank=True, help_text='留空则用规则中的交接班时间。', null=True, verbose_name='起班时间')),
                        ('officers_per_shift', models.PositiveSmallIntegerField(blank=True, help_text='留空则用规则中的最少人数。', null=True, verbose_name='每班值班员')),
                        ('leaders', models.JSONField(blank=True, default=list, verbose_name='带班领导顺序（人员编号）')),
                        ('officers', models.JSONField(blank=True, default=list, verbose_name='值班员顺序（人员编号）')),
                        ('holiday_leaders', models.JSONField(blank=True, default=list, help_text='留空则节假日也按平日顺序。', verbose_name='节假日/休息日带班领导顺序')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('created_by', models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                        ('duty_room', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='rotations', to='dutyops.department', verbose_name='值班室')),
                    ],
                    options={
                        'verbose_name': '轮班规则',
                        'verbose_name_plural': '轮班规则',
                        'ordering': ['duty_room', 'name'],
                    },
                ),
                migrations.CreateModel(
                    name='Shift',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_at', models.DateTimeField(verbose_name='开始时间')),
                        ('ends_at', models.DateTimeField(verbose_name='结束时间')),
                        ('pinned', models.BooleanField(default=False, verbose_name='已调整（重排时保留）')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('updated_at', models.DateTimeField(auto_now=True, verbose_name='修改时间')),
                        ('duty_room', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='shifts', to='dutyops.department', verbose_name='值班室')),
                        ('leader', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='led_shifts', to=settings.AUTH_USER_MODEL, verbose_name='带班领导')),
                        ('rotation', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='shifts', to='duty.rotation', verbose_name='轮班规则')),
                    ],
                    options={
                        'verbose_name': '班次',
                        'verbose_name_plural': '班次',
                        'ordering': ['duty_room', 'starts_at'],
                    },
                ),
                migrations.CreateModel(
                    name='PostCheck',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(verbose_name='查岗时间')),
                        ('answered', models.BooleanField(verbose_name='在岗应答')),
                        ('method', models.CharField(blank=True, help_text='如：电话、视频、现场。', max_length=32, verbose_name='方式')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                        ('checked_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='查岗人')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='被查人员')),
                        ('shift', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='post_checks', to='duty.shift', verbose_name='班次')),
                    ],
                    options={
                        'verbose_name': '查岗记录',
                        'verbose_name_plural': '查岗记录',
                        'ordering': ['-at'],
                    },
                ),
                migrations.CreateModel(
                    name='Handover',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('note', models.TextField(max_length=10000, verbose_name='交班事项')),
                        ('open_items', models.JSONField(blank=True, default=list, verbose_name='待办事项')),
                        ('written_at', models.DateTimeField(verbose_name='交班时间')),
                        ('signed_at', models.DateTimeField(blank=True, null=True, verbose_name='接班签字时间')),
                        ('sign_note', models.CharField(blank=True, max_length=500, verbose_name='接班意见')),
                        ('signed_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='接班人')),
                        ('written_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='交班人')),
                        ('from_shift', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, related_name='handover_out', to='duty.shift', verbose_name='交班班次')),
                        ('to_shift', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='handovers_in', to='duty.shift', verbose_name='接班班次')),
                    ],
                    options={
                        'verbose_name': '交接班记录',
                        'verbose_name_plural': '交接班记录',
                        'ordering': ['-written_at'],
                    },
                ),
                migrations.CreateModel(
                    name='ShiftOfficer',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('position', models.PositiveSmallIntegerField(default=0, verbose_name='顺序')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='值班员')),
                        ('shift', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='officer_links', to='duty.shift', verbose_name='班次')),
                    ],
                    options={
                        'verbose_name': '班次值班员',
                        'verbose_name_plural': '班次值班员',
                        'ordering': ['shift', 'position', 'id'],
                    },
                ),
                migrations.AddField(
                    model_name='shift',
                    name='officers',
                    field=models.ManyToManyField(related_name='duty_shifts', through='duty.ShiftOfficer', to=settings.AUTH_USER_MODEL, verbose_name='值班员'),
                ),
                migrations.CreateModel(
                    name='SwapRequest',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('swap', '换班'), ('substitute', '替班')], max_length=16, verbose_name='类型')),
                        ('state', models.CharField(choices=[('requested', '待对方同意'), ('accepted', '待带班领导审批'), ('approved', '已批准'), ('declined', '对方拒绝'), ('rejected', '审批驳回'), ('cancelled', '已撤回')], default='requested', max_length=16, verbose_name='状态')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='事由')),
                        ('requested_at', models.DateTimeField(auto_now_add=True, verbose_name='申请时间')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='对方答复时间')),
                        ('decided_at', models.DateTimeField(blank=True, null=True, verbose_name='审批时间')),
                        ('decision_note', models.CharField(blank=True, max_length=200, verbose_name='审批意见')),
                        ('counterpart', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='对方')),
                        ('counterpart_shift', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='swaps_in', to='duty.shift', verbose_name='对方班次')),
                        ('decided_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='审批人')),
                        ('requester', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='申请人')),
                        ('shift', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='swaps_out', to='duty.shift', verbose_name='本人班次')),
                    ],
                    options={
                        'verbose_name': '换班/替班申请',
                        'verbose_name_plural': '换班/替班申请',
                        'ordering': ['-requested_at', '-id'],
                    },
                ),
                migrations.CreateModel(
                    name='CalendarFeed',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('token', models.CharField(default=duty.models._new_token, editable=False, max_length=64, unique=True, verbose_name='令牌')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                        ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='作废时间')),
                        ('duty_room', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='dutyops.department', verbose_name='值班室')),
                        ('owner', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='创建人')),
                        ('person', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.CASCADE, related_name='calendar_feeds', to=settings.AUTH_USER_MODEL, verbose_name='人员')),
                    ],
                    options={
                        'verbose_name': '日历订阅',
                        'verbose_name_plural': '日历订阅',
                        'constraints': [models.CheckConstraint(condition=models.Q(models.Q(('duty_room__isnull', False), ('person__isnull', True)), models.Q(('duty_room__isnull', True), ('person__isnull', False)), _connector='OR'), name='calendar_feed_one_target')],
                    },
                ),
                migrations.CreateModel(
                    name='DutyRule',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('min_officers', models.PositiveSmallIntegerField(default=2, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(50)], verbose_name='每班最少值班员')),
                        ('handover_time', models.TimeField(default=datetime.time(8, 30), verbose_name='每日交接班时间')),
                        ('checkin_grace_minutes', models.PositiveSmallIntegerField(default=15, validators=[django.core.validators.MinValueValidator(0), django.core.validators.MaxValueValidator(240)], verbose_name='到岗宽限（分钟）')),
                        ('max_consecutive_hours', models.PositiveSmallIntegerField(default=24, validators=[django.core.validators.MinValueValidator(1), django.core.validators.MaxValueValidator(336)], verbose_name='连续值班上限（小时）')),
                        ('require_leader', models.BooleanField(default=True, verbose_name='每班须有带班领导')),
                        ('duty_room', models.OneToOneField(blank=True, help_text='留空表示全局默认规则。', null=True, on_delete=django.db.models.deletion.CASCADE, related_name='duty_rule', to='dutyops.department', verbose_name='值班室')),
                    ],
                    options={
                        'verbose_name': '值班规则',
                        'verbose_name_plural': '值班规则',
                        'constraints': [models.UniqueConstraint(django.db.models.functions.comparison.Coalesce('duty_room', models.Value(0)), name='duty_rule_one_per_scope', violation_error_message='该范围的值班规则已存在。')],
                    },
                ),
                migrations.CreateModel(
                    name='Leave',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('starts_on', models.DateField(verbose_name='开始日期')),
                        ('ends_on', models.DateField(verbose_name='结束日期')),
                        ('reason', models.CharField(blank=True, max_length=200, verbose_name='事由')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='leaves', to=settings.AUTH_USER_MODEL, verbose_name='人员')),
                    ],
                    options={
                        'verbose_name': '请假',
                        'verbose_name_plural': '请假',
                        'ordering': ['starts_on'],
                        'indexes': [models.Index(fields=['person', 'starts_on', 'ends_on'], name='leave_person_dates')],
                    },
                ),
                migrations.CreateModel(
                    name='DutyLogEntry',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('call', '来电'), ('instruction', '传达批示'), ('note', '值班记事'), ('post_check', '查岗')], default='note', max_length=16, verbose_name='类型')),
                        ('at', models.DateTimeField(verbose_name='时间')),
                        ('text', models.TextField(max_length=5000, verbose_name='内容')),
                        ('caller', models.CharField(blank=True, max_length=100, verbose_name='来电人/单位')),
                        ('received_at', models.DateTimeField(blank=True, null=True, verbose_name='来电时间')),
                        ('answered_at', models.DateTimeField(blank=True, null=True, verbose_name='接听时间')),
                        ('incident_id', models.BigIntegerField(blank=True, null=True, verbose_name='关联事件')),
                        ('author', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                        ('shift', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='log_entries', to='duty.shift', verbose_name='班次')),
                    ],
                    options={
                        'verbose_name': '值班日志',
                        'verbose_name_plural': '值班日志',
                        'ordering': ['at', 'id'],
                        'indexes': [models.Index(fields=['shift', 'at'], name='dutylog_shift_at')],
                    },
                ),
                migrations.CreateModel(
                    name='CheckIn',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('at', models.DateTimeField(verbose_name='到岗时间')),
                        ('late', models.BooleanField(default=False, verbose_name='迟到')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='人员')),
                        ('shift', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='checkins', to='duty.shift', verbose_name='班次')),
                    ],
                    options={
                        'verbose_name': '到岗记录',
                        'verbose_name_plural': '到岗记录',
                        'ordering': ['at'],
                        'constraints': [models.UniqueConstraint(fields=('shift', 'person'), name='checkin_once')],
                    },
                ),
                migrations.CreateModel(
                    name='Absence',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('kind', models.CharField(choices=[('missed_checkin', '未按时到岗'), ('absent_from_post', '查岗不在岗')], max_length=24, verbose_name='类型')),
                        ('detected_at', models.DateTimeField(verbose_name='发现时间')),
                        ('note', models.CharField(blank=True, max_length=200, verbose_name='说明')),
                        ('person', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='人员')),
                        ('recorded_by', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='记录人')),
                        ('shift', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='absences', to='duty.shift', verbose_name='班次')),
                    ],
                    options={
                        'verbose_name': '脱岗/漏岗记录',
                        'verbose_name_plural': '脱岗/漏岗记录',
                        'ordering': ['-detected_at'],
                        'constraints': [models.UniqueConstraint(condition=models.Q(('kind', 'missed_checkin')), fields=('shift', 'person'), name='absence_missed_checkin_once')],
                    },
                ),
                migrations.AddIndex(
                    model_name='shiftofficer',
                    index=models.Index(fields=['person', 'shift'], name='shift_officer_person'),
                ),
                migrations.AddConstraint(
                    model_name='shiftofficer',
                    constraint=models.UniqueConstraint(fields=('shift', 'person'), name='shift_officer_unique'),
                ),
                migrations.AddIndex(
                    model_name='shift',
                    index=models.Index(fields=['duty_room', 'starts_at'], name='shift_room_start'),
                ),
                migrations.AddIndex(
                    model_name='shift',
                    index=models.Index(fields=['duty_room', 'ends_at'], name='shift_room_end'),
                ),
                migrations.AddConstraint(
                    model_name='shift',
                    constraint=models.CheckConstraint(condition=models.Q(('ends_at__gt', models.F('starts_at'))), name='shift_ends_after_start', violation_error_message='结束时间必须晚于开始时间。'),
                ),
            ],
            database_operations=[],
        ),
    ]
