"""Sealed dossiers written straight into the tables, for the benches that only read them
(`audit_bench.py`, `reads_bench.py`): six events each, chained and sealed by the same
``event_seal`` the kernel uses (generating them through the services would take a bench's whole
budget). Import after Django is set up."""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.db import transaction

from motcua.catalog.models import Procedure
from motcua.dossiers.audit import event_seal
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.organizations.models import Unit

ICT = datetime.timezone(datetime.timedelta(hours=7))
ACTIONS = [
    ("submit", "", "new"), ("receive", "new", "received"), ("assign", "received", "processing"),
    ("forward", "processing", "processing"), ("approve", "processing", "processed"),
    ("return_result", "processed", "returned"),
]  # fmt: skip
BATCH = 2000


def sealed_dossiers_write(
    count: int, *, start: int, unit_code: str, ref_of: Callable[[int], str],
    code_of: Callable[[int], str], progress_every: int = 0,
) -> None:  # fmt: skip
    """Dossiers number ``start`` to ``start + count - 1``, returned, one a minute from 1/7/2025."""
    unit = Unit.objects.get(code=unit_code)
    procedure = Procedure.objects.filter(code="1.004222").order_by("-in_hanoi_set").first()
    assert procedure is not None
    for offset in range(0, count, BATCH):
        dossiers, events = [], []
        for number in range(start + offset, start + min(offset + BATCH, count)):
            dossier = returned_dossier(number, unit, procedure, ref_of(number), code_of(number))
            events += sealed_history(dossier, unit)
            dossiers.append(dossier)
        with transaction.atomic():
            Dossier.objects.bulk_create(dossiers)
            for event in events:
                event.dossier_id = event.dossier.pk
            DossierEvent.objects.bulk_create(events, batch_size=BATCH)
        if progress_every and offset and offset % progress_every == 0:
            print(f"  … {offset:,} dossiers", flush=True)


def returned_dossier(number: int, unit: Unit, procedure: Procedure, ref: str, code: str) -> Dossier:
    day = datetime.datetime(2025, 7, 1, 8, 30, tzinfo=ICT) + datetime.timedelta(minutes=number)
    return Dossier(
        ref=ref, code=code, procedure=procedure, procedure_version=procedure.version,
        applicant_name=f"Công dân {number}", applicant_id_number=f"001090{number % 1000000:06d}",
        channel="counter", receiving_unit=unit, deciding_unit=unit, status="returned",
        submitted_at=day, received_at=day, due_at=day + datetime.timedelta(days=7),
        statutory_due_at=day + datetime.timedelta(days=7), decision="approved",
        finished_at=day + datetime.timedelta(days=1), version=len(ACTIONS),
    )  # fmt: skip


def sealed_history(dossier: Dossier, unit: Unit) -> list[DossierEvent]:
    """The dossier's six events, each sealed on the one before; its last hash noted on it."""
    events, previous = [], ""
    for seq, (action, before, after) in enumerate(ACTIONS, start=1):
        event = DossierEvent(
            dossier=dossier, seq=seq, at=dossier.submitted_at + datetime.timedelta(hours=seq),
            actor_name="bench", unit_id=unit.pk, action=action, from_status=before,
            to_status=after, reason="Thẩm định xong" if action == "forward" else "",
            payload={"channel": "counter"} if seq == 1 else {}, prev_hash=previous,
        )  # fmt: skip
        event_seal(dossier, event)
        previous = event.hash
        events.append(event)
    dossier.last_event_hash = previous
    return events
