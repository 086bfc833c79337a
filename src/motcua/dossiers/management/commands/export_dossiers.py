from __future__ import annotations

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from motcua.dossiers.models import Dossier
from motcua.dossiers.replay import dossier_export_row


class Command(BaseCommand):
    help = "Xuất hồ sơ dạng JSON lines / Export dossiers as JSON lines."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", help="Mã đơn vị tiếp nhận / receiving unit code")

    def handle(self, *args: Any, unit: str | None, **options: Any) -> None:
        dossiers = Dossier.objects.select_related(
            "procedure", "receiving_unit", "deciding_unit"
        ).order_by("pk")
        if unit:
            dossiers = dossiers.filter(receiving_unit__code=unit)
        for dossier in dossiers.iterator(chunk_size=1000):
            self.stdout.write(json.dumps(dossier_export_row(dossier), ensure_ascii=False))
