from __future__ import annotations

import datetime
import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from motcua.accounts.models import User
from motcua.catalog.models import Procedure
from motcua.common.errors import DomainError
from motcua.organizations.models import Unit
from motcua.organizations.selectors import unit_descendant_ids
from motcua.supervision.at_risk import at_risk_queue
from motcua.supervision.attribution import over_budget
from motcua.supervision.models import PlanStatus
from motcua.supervision.reengineering import busy_rows, plan_set
from motcua.supervision.rollup import catch_up


class Command(BaseCommand):
    help = (
        "Giám sát: vượt định mức, nguy cơ trễ hạn, tái cấu trúc / supervision: over budget, at "
        "risk, re-engineering (e.g. `motcua supervision over-budget --from 2026-01-01 --to "
        "2026-03-31`, `motcua supervision at-risk --unit hn-cong-an`, `motcua supervision "
        "reengineering`, `motcua supervision plan --procedure 1.004222 --status approved "
        "--decision 12/QĐ-UBND --by thanhpho.giamsat`)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("report", choices=["over-budget", "at-risk", "reengineering", "plan"])
        parser.add_argument("--from", dest="start", help="YYYY-MM-DD (over-budget)")
        parser.add_argument("--to", dest="end", help="YYYY-MM-DD (over-budget)")
        parser.add_argument("--unit", help="Mã đơn vị (cả cấp dưới) / unit code (and below)")
        parser.add_argument("--limit", type=int, default=50)
        parser.add_argument("--procedure", help="plan: mã thủ tục / procedure code")
        parser.add_argument("--status", choices=PlanStatus.values, help="plan: tình trạng / status")
        parser.add_argument("--decision", default="", help="plan: số quyết định / decision number")
        parser.add_argument("--decision-date", default="", help="plan: YYYY-MM-DD")
        parser.add_argument("--note", default="")
        parser.add_argument("--by", help="plan: tài khoản cán bộ giám sát / supervisor's username")

    def handle(self, *args: Any, **options: Any) -> None:
        units = self.units(options["unit"])
        report = options["report"]
        if report == "over-budget":
            catch_up()  # the held time is folded with the rollup
            found = over_budget(start=self.day(options["start"], "--from"),
                                end=self.day(options["end"], "--to"), unit_ids=units)  # fmt: skip
            answer: Any = {key: [h.as_json() for h in rows] for key, rows in found.items()}
        elif report == "at-risk":
            answer = [
                {"ref": r.dossier.ref, "code": r.dossier.code, "probability": r.risk.probability,
                 "due_at": r.dossier.due_at.isoformat() if r.dossier.due_at else None,
                 "unit": r.unit, "step": r.risk.step, "reasons": r.risk.reasons,
                 "reasons_en": r.risk.reasons_en}
                for r in at_risk_queue(unit_ids=units, limit=options["limit"])
            ]  # fmt: skip
        elif report == "reengineering":
            found_rows = busy_rows(unit_ids=units)
            answer = {key: [row.as_json() for row in rows] for key, rows in found_rows.items()}
        else:
            answer = self.plan(options)
        self.stdout.write(json.dumps(answer, ensure_ascii=False, indent=2))

    def units(self, code: str | None) -> set[int] | None:
        if not code:
            return None
        unit = Unit.objects.filter(code=code.strip()).first()
        if unit is None:
            raise CommandError(f"Không có đơn vị mã {code!r} / no unit {code!r}")
        return unit_descendant_ids([unit.pk])

    def day(self, text: str | None, name: str) -> datetime.date:
        try:
            return datetime.date.fromisoformat(str(text or "").strip())
        except ValueError:
            raise CommandError(
                f"{name}: ngày không hợp lệ / invalid date (YYYY-MM-DD): {text!r}"
            ) from None

    def plan(self, options: dict[str, Any]) -> dict[str, Any]:
        procedure = (
            Procedure.objects.filter(code=str(options["procedure"] or "").strip())
            .order_by("-in_hanoi_set")
            .first()
        )
        if procedure is None or not options["status"]:
            raise CommandError(
                "Cần --procedure (mã có thật) và --status / --procedure (an existing code) and --status are required"
            )
        actor = User.objects.filter(username=options["by"]).first() if options["by"] else None
        if options["by"] and actor is None:
            raise CommandError(f"Không có tài khoản / no account {options['by']!r}")
        unit = None
        if options["unit"]:
            unit = Unit.objects.get(code=options["unit"].strip())
        decided = (
            self.day(options["decision_date"], "--decision-date")
            if options["decision_date"]
            else None
        )
        try:
            plan = plan_set(procedure=procedure, unit=unit, status=options["status"], actor=actor,
                            decision_number=options["decision"], decision_date=decided,
                            note=options["note"])  # fmt: skip
        except DomainError as error:
            raise CommandError(str(error)) from None
        return {"procedure": procedure.code, "unit": unit.code if unit else None,
                "status": plan.status, "decision_number": plan.decision_number}  # fmt: skip
