from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from motcua.catalog.competence_rules import competence_apply, competence_rules_seed
from motcua.catalog.processes import default_processes_refresh
from motcua.catalog.search import INDEX
from motcua.common import clock


class Command(BaseCommand):
    help = (
        "Nạp quy tắc thẩm quyền và xếp lại danh mục / Load the competence rules (an "
        "administrator's edits kept) and place every procedure again with the rules in force."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        created, updated = competence_rules_seed()
        changed = competence_apply(clock.today())
        made = default_processes_refresh()
        INDEX.clear()
        self.stdout.write(
            f"Quy tắc / rules: {created} mới / new, {updated} cập nhật / updated; "
            f"thủ tục xếp lại / procedures placed again: {changed}; "
            f"quy trình mặc định mới / new default processes: {made}"
        )
