"""Indicator 1.4 of Decision 766 (the sync rate) from the sync outbox, against hand-computed
values: dossiers received in the period whose reception the portal confirmed / dossiers
received in the period; and 3.3 multiplied by it (DOMAIN.md §3)."""

from __future__ import annotations

from typing import Any

from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier
from motcua.integrations.dvcqg.sandbox import PortalSandbox
from motcua.organizations.models import Unit
from motcua.sync.delivery import deliver_due
from motcua.sync.models import DossierSync
from motcua.sync.selectors import sync_recorded_forget
from tests import factories
from tests.dossiers.conftest import POLICE, Staff, at, received, residence, submitted
from tests.sync.conftest import drain, portal  # noqa: F401 - the portal fixture

from .helpers import indicators, value


def online_received(staff: Staff, when: str) -> Dossier:
    citizen = factories.citizen(id_number="001090054321", phone="0912000111")
    dossier = s.dossier_submit(
        procedure=residence(), receiving_unit=Unit.objects.get(code=POLICE),
        applicant=s.Applicant("Phạm Thị Dung", "001090054321"), channel="online",
        at=at(when), actor=citizen, owner=citizen,
    )  # fmt: skip
    return s.dossier_receive(dossier=dossier, actor=staff.reception, at=at(when))


def test_the_sync_rate_counts_receptions_the_portal_confirmed(
    staff: Staff,
    portal: PortalSandbox,  # noqa: F811 - the fixture
    settings: Any,
) -> None:
    # March: five received. D1, D2 at the counter and D3 online reach the portal.
    for day in ("2026-03-02 09:00", "2026-03-03 09:00"):
        received(staff, day)
    online_received(staff, "2026-03-04 09:00")
    received(staff, "2026-02-20 09:00")  # February: synced, outside the period
    late_change = received(staff, "2026-03-05 09:00")  # D7: synced as received
    drain()
    # The portal goes down: D4's reception never arrives; D7's next step neither, but the
    # portal has its reception already; D5 is submitted, not received (not in the population).
    portal.faults(fail=1.0)
    lost = received(staff, "2026-03-06 09:00")
    s.dossier_forward(dossier=late_change, actor=staff.specialist, at=at("2026-03-06 10:00"))
    submitted(staff, "2026-03-07 09:00")
    deliver_due()
    assert DossierSync.objects.get(pk=lost.pk).delivered_seq == 0
    row = DossierSync.objects.get(pk=late_change.pk)
    assert 0 < row.delivered_seq < row.enqueued_seq

    answer = indicators("2026-03-01", "2026-03-31")
    assert value(answer, "1.4") == (4, 5, 80.0)  # D1, D2, D3, D7 of D1–D4, D7
    assert answer["indicators"]["1.4"]["reason"] is None
    # 3.3: 1 online of 5 received, × 80 % synced = 16 %.
    assert value(answer, "3.3") == (1, 5, 16.0)
    # The multiplication is said beside the figure (QA: 0 % next to a 16.67 % online share).
    assert answer["indicators"]["3.3"]["reason"].startswith("Đã nhân với tỷ lệ đồng bộ (1.4): 4/5")
    assert answer["indicators"]["3.3"]["reason_en"].startswith("Multiplied by the sync rate")
    february = indicators("2026-02-01", "2026-02-28")
    assert value(february, "1.4") == (1, 1, 100.0)

    # A process without the portal's address (``motcua indicators`` in a shell, QA) reads the
    # same figures: they come from what the outbox recorded, not from this process's settings.
    settings.MOTCUA_DVCQG_URL = ""
    sync_recorded_forget()
    assert indicators("2026-03-01", "2026-03-31") == answer
    # Nothing ever recorded for the portal: N/A, said why, and 3.3 not multiplied.
    DossierSync.objects.all().delete()
    sync_recorded_forget()
    off = indicators("2026-03-01", "2026-03-31")
    assert value(off, "1.4") == (None, None, None)
    assert off["indicators"]["1.4"]["reason_en"] == (
        "No dossier has been synchronised with the national portal yet."
    )
    assert value(off, "3.3") == (1, 5, 20.0)
    assert off["indicators"]["3.3"]["reason"]
