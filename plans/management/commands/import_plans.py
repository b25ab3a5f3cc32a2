from django.core.management.base import BaseCommand, CommandError

from plans import services


class Command(BaseCommand):
    help = "导入应急预案文件（YAML 或 JSON，每个文件一个预案；可给目录）。全部有效才导入。"

    def add_arguments(self, parser):
        parser.add_argument("paths", nargs="+", help="预案文件或目录")

    def handle(self, **options):
        paths = options["paths"]
        if not services.plan_files(paths):
            raise CommandError("没有找到预案文件（.yaml / .yml / .json）。")
        try:
            results = services.import_files(paths)
        except services.ImportFailedError as exc:
            raise CommandError(f"预案文件有误，未导入任何预案：\n{exc}") from None
        for name, plan, outcome in results:
            label = {"created": "新建", "updated": "更新", "unchanged": "未变"}[outcome]
            self.stdout.write(f"{label}  {plan.code}  v{plan.version}  {plan.title}  ← {name}")
