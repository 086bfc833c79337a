"""The 766 flag DuocThanhToanTrucTuyen (1 the national platform's payment, 2 a local gateway's,
0 not paid online), read in one place: from the dossier's ``pay`` events (decision 0028). The
event is what applied the money to the dossier, and the only record an imported payment has; an
online payment that came after the dossier was paid otherwise is kept for a refund, not counted.
Pure: supervision folds it from the event log, the payments app from the same events."""

from __future__ import annotations

from typing import Any

from .constants import OnlineFlag


def pay_event_flag(payload: Any) -> int:
    """The flag a ``pay`` event's payload records; cash, and anything malformed, has none."""
    payment = payload.get("payment") if isinstance(payload, dict) else None
    flag = payment.get("flag") if isinstance(payment, dict) else 0
    return (
        int(flag)
        if isinstance(flag, int) and flag in (OnlineFlag.NATIONAL, OnlineFlag.LOCAL)
        else 0
    )
