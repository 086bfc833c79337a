"""What the command and the API ask: dates and codes read and checked once, for both."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from motcua.catalog.models import Field, Procedure
from motcua.dossiers.constants import Channel
from motcua.organizations.models import Unit
from motcua.organizations.selectors import unit_descendant_ids

from .compute import Period, Scope, report
from .rollup import catch_up

# A year of a city is what the rollup is sized for; longer periods are asked year by year.
MAX_DAYS = 366 * 5


class QueryError(Exception):
    """Bad input, said in Vietnamese and English (the API answers 400, the command exits 2)."""

    def __init__(self, code: str, message: str, message_en: str) -> None:
        super().__init__(f"{message} / {message_en}")
        self.code, self.message, self.message_en = code, message, message_en


@dataclass(frozen=True)
class Query:
    period: Period
    scope: Scope
    unit: Unit | None
    procedure: str | None


def day_of(text: str | None, name: str) -> datetime.date:
    if not text:
        raise QueryError("missing_date", f"Thiếu ngày “{name}” (YYYY-MM-DD).",
                         f"The “{name}” date is missing (YYYY-MM-DD).")  # fmt: skip
    try:
        return datetime.date.fromisoformat(str(text).strip())
    except ValueError:
        raise QueryError(
            "invalid_date", f"Ngày “{name}” không hợp lệ: {text!r} (YYYY-MM-DD).",
            f"Invalid “{name}” date: {text!r} (YYYY-MM-DD).",
        ) from None  # fmt: skip


def query_parse(
    *, start: str | None, end: str | None, unit: str | None = None, procedure: str | None = None,
    field: str | None = None, channel: str | None = None,
) -> Query:  # fmt: skip
    period = Period(day_of(start, "from"), day_of(end, "to"))
    if period.end < period.start:
        raise QueryError("invalid_period", "Ngày “to” phải không trước ngày “from”.",
                         "The “to” date may not be before the “from” date.")  # fmt: skip
    if (period.end - period.start).days > MAX_DAYS:
        raise QueryError("period_too_long", "Kỳ dài quá 5 năm; hãy hỏi từng năm.",
                         "The period is longer than 5 years; ask year by year.")  # fmt: skip
    found_unit = unit_of(unit) if unit else None
    scope = Scope(
        unit_ids=frozenset(unit_descendant_ids([found_unit.pk])) if found_unit else None,
        procedure_ids=procedure_ids(procedure) if procedure else None,
        field_id=field_id(field) if field else None,
        channel=channel_of(channel) if channel else None,
    )
    return Query(period, scope, found_unit, procedure)


def unit_of(code: str) -> Unit:
    found = Unit.objects.filter(code=code.strip()).first()
    if found is None:
        raise QueryError("unknown_unit", f"Không có đơn vị mã {code!r}.", f"No unit {code!r}.")
    return found


def procedure_ids(code: str) -> frozenset[int]:
    ids = frozenset(Procedure.objects.filter(code=code.strip()).values_list("pk", flat=True))
    if not ids:
        raise QueryError("unknown_procedure", f"Không có thủ tục mã {code!r}.",
                         f"No procedure {code!r}.")  # fmt: skip
    return ids


def field_id(code: str) -> int:
    found = Field.objects.filter(code=code.strip()).values_list("pk", flat=True).first()
    if found is None:
        raise QueryError("unknown_field", f"Không có lĩnh vực mã {code!r}.", f"No field {code!r}.")
    return found


def channel_of(text: str) -> str:
    if text not in Channel.values:
        raise QueryError(
            "unknown_channel", f"Kênh không hợp lệ {text!r}; chọn: {', '.join(Channel.values)}.",
            f"Unknown channel {text!r}; choose: {', '.join(Channel.values)}.",
        )  # fmt: skip
    return text


def query_report(query: Query, *, fresh: bool = True) -> dict[str, Any]:
    """The report of ``query``; ``fresh``: fold what the log holds beyond the rollup first."""
    if fresh:
        catch_up()
    answer = report(query.period, query.scope)
    return {
        "from": answer["from"], "to": answer["to"],
        "unit": query.unit.code if query.unit else None, "procedure": query.procedure,
        **{k: v for k, v in answer.items() if k not in ("from", "to")},
    }  # fmt: skip
