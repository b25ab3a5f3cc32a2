import json
from pathlib import Path

import yaml
from django.core.management.base import BaseCommand

from plans.documents import plan_document
from plans.models import Plan


class Command(BaseCommand):
    help = "导出应急预案为文件（每个预案一个文件，单位用编码），可用 import_plans 导回。"

    def add_arguments(self, parser):
        parser.add_argument("directory")
        parser.add_argument("--format", choices=["yaml", "json"], default="yaml")
        parser.add_argument("--status", choices=[s for s, _ in Plan.Status.choices])

    def handle(self, directory, **options):
        out = Path(directory)
        out.mkdir(parents=True, exist_ok=True)
        plans = Plan.objects.order_by("code")
        if options.get("status"):
            plans = plans.filter(status=options["status"])
        for plan in plans:
            doc = plan_document(plan, codes=True)
            path = out / f"{plan.code}.{options['format']}"
            if options["format"] == "json":
                path.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            else:
                path.write_text(yaml.safe_dump(doc, allow_unicode=True, sort_keys=False), encoding="utf-8")
            self.stdout.write(f"{plan.code} → {path}")
