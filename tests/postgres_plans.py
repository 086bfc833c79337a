"""Preparing a PostgreSQL table for plan checks as a production database would be after
autovacuum: statistics and a visibility map that covers the committed rows."""

from __future__ import annotations

import time

from django.db import connection

# How long a streaming standby may take to report that it no longer needs the old rows.
FEEDBACK_WAIT_SECONDS = 60.0


def vacuum_analyze(table: str) -> None:
    """VACUUM ANALYZE ``table``, after any standby holding rows back has caught up.

    With a streaming replica and ``hot_standby_feedback`` (``make test``'s PostgreSQL pass), the
    replication slot keeps the xmin the standby last reported. Right after a bulk insert that
    xmin is older than the new rows, so VACUUM may not mark their pages all-visible and the
    planner, rightly, prefers heap scans to index-only scans. Production autovacuum runs later,
    when the standby has long reported a newer xmin; waiting for that report here makes the
    plans the tests check the ones production gets."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT txid_current()")
        newest = cursor.fetchone()[0]
        deadline = time.monotonic() + FEEDBACK_WAIT_SECONDS
        while time.monotonic() < deadline and _slot_holds_back(cursor, newest):
            time.sleep(0.5)
        cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(table)}")


def _slot_holds_back(cursor: object, newest: int) -> bool:
    cursor.execute(  # type: ignore[attr-defined]
        "SELECT count(*) FROM pg_replication_slots"
        " WHERE xmin IS NOT NULL AND xmin::text::bigint <= %s",
        [newest % 2**32],
    )
    return bool(cursor.fetchone()[0])  # type: ignore[attr-defined]
