"""``deciding_unit__elsewhere``: the unit that decides a dossier another unit received.

A leader reads what their unit received and what it decides for others (``selectors``'
visibility). The second part is written ``deciding_unit__elsewhere__in=[…]``, which PostgreSQL
reads as ``NULLIF(deciding_unit_id, receiving_unit_id) IN (…)``: only the partial indexes on
that expression (``dossier_elsewhere_due``, ``dossier_elsewhere_submitted``) can serve it.
Written as ``deciding_unit_id IN (…) AND deciding_unit_id <> receiving_unit_id``, it let
PostgreSQL, which cannot estimate how many rows the ``<>`` keeps, walk every dossier a ward
ever decided to find that it decided none for another unit (a leader's page: 245 ms at a
million dossiers, session 39).
"""

from __future__ import annotations

from typing import Any, cast

from django.db.models import Field, Transform
from django.db.models.expressions import Col


class DecidedElsewhere(Transform):
    """The deciding unit's id when another unit received the dossier, else NULL."""

    lookup_name = "elsewhere"

    @property
    def output_field(self) -> Field[Any, Any]:
        # The unit's id, not the foreign key: ``in`` then compares plain ids.
        deciding: Any = self.lhs.output_field
        return cast(Field[Any, Any], deciding.target_field)

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> tuple[str, list[Any]]:  # type: ignore[override]
        column = cast(Col, self.lhs)  # the deciding unit's column, of the query's dossiers table
        deciding, params = compiler.compile(column)
        receiving_field = cast(
            Field[Any, Any], column.target.model._meta.get_field("receiving_unit")
        )
        receiving, more = compiler.compile(Col(column.alias, receiving_field))
        return f"NULLIF({deciding}, {receiving})", [*params, *more]
