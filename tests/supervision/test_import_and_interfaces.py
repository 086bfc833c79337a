"""Dossiers replayed with ``motcua import-events`` give the hand-computed indicators, through the
command and the API; bad input is refused in Vietnamese and English, never with a 500."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import translation

from motcua.dossiers.models import Dossier
from motcua.supervision.compute import Counts, indicator_value
from motcua.supervision.docs import indicators_markdown
from motcua.supervision.models import DossierFact
from motcua.supervision.registry import GROUPS, RECORDED, indicators_in_force
from tests.dossiers.conftest import POLICE, Staff

from .helpers import PROCEDURE, hanoi, iso

pytestmark = pytest.mark.django_db
DOC = Path(__file__).resolve().parents[2] / "docs" / "indicators.md"


def line(ref: str, at: str, action: str, **extra: Any) -> dict[str, Any]:
    return {"dossier": ref, "at": iso(at), "action": action, "reason": "dữ liệu cũ", **extra}


def submitted(ref: str, at: str, channel: str) -> dict[str, Any]:
    return line(ref, at, "submit", procedure=PROCEDURE, unit=POLICE, channel=channel,
                applicant={"name": "Phạm Minh Đức", "id_number": "001085012345"})  # fmt: skip


LEGACY = [
    # D1 at the counter: finished 10/3 10:00, returned 11/3: on time; 8 d 1 h.
    submitted("D1", "2026-03-02 09:00", "counter"), line("D1", "2026-03-02 09:00", "receive"),
    line("D1", "2026-03-10 10:00", "complete"), line("D1", "2026-03-11 09:00", "return_result"),
    # D2 online: waited for a supplement 3/3 10:00 → 5/3 09:00 (15 working hours), finished
    # 12/3 10:00, before its moved appointment (13/3 16:00): on time; 10 d − 1 d 23 h = 8 d 1 h.
    submitted("D2", "2026-03-02 09:00", "online"), line("D2", "2026-03-02 10:00", "receive"),
    line("D2", "2026-03-03 10:00", "request_supplement", items=["Sổ hộ khẩu"]),
    line("D2", "2026-03-05 09:00", "submit_supplement"), line("D2", "2026-03-12 10:00", "complete"),
    # D3 at the counter, never finished: late at the end of March.
    submitted("D3", "2026-03-02 09:00", "counter"), line("D3", "2026-03-02 09:00", "receive"),
    # D4 online, not received: counted nowhere.
    submitted("D4", "2026-03-03 09:00", "online"), line("D4", "2026-03-03 10:00", "refuse_reception"),
    # D5 from the national portal, withdrawn two days after reception: on time, no result.
    submitted("D5", "2026-03-16 09:00", "national_portal"), line("D5", "2026-03-16 09:00", "receive"),
    line("D5", "2026-03-18 09:00", "withdraw"),
]  # fmt: skip


def imported(tmp_path: Path) -> None:
    path = tmp_path / "legacy.jsonl"
    path.write_text("\n".join(json.dumps(x, ensure_ascii=False) for x in LEGACY), "utf-8")
    call_command("import_events", str(path), "--trust-actors", "--no-progress", stdout=StringIO())


def command_json(*args: str) -> dict[str, Any]:
    out = StringIO()
    call_command("indicators", *args, "--format", "json", stdout=out)
    return json.loads(out.getvalue())


def value_of(answer: dict[str, Any], code: str) -> dict[str, Any]:
    return {k: answer["indicators"][code][k] for k in ("num", "den", "value")}


HAND_COMPUTED = {
    "2.1": {"num": 3, "den": 4, "value": 75.0},
    "2.2": {"num": 16.08, "den": 2, "value": 8.04},
    "3.3": {"num": 2, "den": 4, "value": 50.0},
    "4.1": {"num": 0, "den": 2, "value": 0.0},
    "4.2": {"num": 0, "den": 2, "value": 0.0},
    # Recorded since the data store (decision 0030): no legacy dossier reused a component.
    "4.3": {"num": 0, "den": 4, "value": 0.0},
    "4.4": {"num": 0, "den": 4, "value": 0.0},
    "5.4": {"num": 3, "den": 4, "value": 75.0},
}


def test_replayed_dossiers_give_the_hand_computed_indicators(staff: Staff, tmp_path: Path) -> None:
    imported(tmp_path)
    assert Dossier.objects.get(ref="D2").due_at == hanoi("2026-03-13 16:00")
    answer = command_json("--from", "2026-03-01", "--to", "2026-03-31", "--unit", POLICE)
    assert (answer["from"], answer["to"], answer["unit"]) == ("2026-03-01", "2026-03-31", POLICE)
    for code, expected in HAND_COMPUTED.items():
        assert value_of(answer, code) == expected, code
    for code in ("1.4", "4.5"):
        assert answer["indicators"][code]["value"] is None
        assert answer["indicators"][code]["reason_en"]
    assert value_of(answer, "3.6") == {"num": 0, "den": 0, "value": None}  # no fee asked
    # 2: 20 × 75% = 15; 3: 3.3 ≥ 50% earns its 4; 4: 0; 5: 4.5 × 75/90 = 3.75
    scores = {code: group["score"] for code, group in answer["groups"].items()}
    assert scores == {"1": None, "2": 15.0, "3": 4.0, "4": 0.0, "5": 3.75}
    assert answer["total"] == 22.75
    # A procedure and a channel narrow it; an April period finds D3 still late.
    online = command_json("--from", "2026-03-01", "--to", "2026-03-31", "--channel", "online")
    assert online["indicators"]["2.1"]["den"] == 1
    april = command_json("--from", "2026-04-01", "--to", "2026-04-30", "--procedure", PROCEDURE)
    assert value_of(april, "2.1") == {"num": 0, "den": 1, "value": 0.0}


def test_rebuild_from_events_gives_the_same_rollup(staff: Staff, tmp_path: Path) -> None:
    imported(tmp_path)
    before = command_json("--from", "2026-03-01", "--to", "2026-03-31")
    rows = sorted(DossierFact.objects.values_list())
    DossierFact.objects.all().delete()
    out = StringIO()
    call_command("indicators", "--rebuild", stdout=out)
    assert "4" in out.getvalue()  # D1, D2, D3, D5
    assert sorted(DossierFact.objects.values_list()) == rows
    assert command_json("--from", "2026-03-01", "--to", "2026-03-31") == before


def test_the_table_says_na_and_bad_dates_are_refused(staff: Staff) -> None:
    out = StringIO()
    call_command("indicators", "--from", "2026-03-01", "--to", "2026-03-31", stdout=out)
    assert "N/A" in out.getvalue()
    for args in (["--from", "2026-13-01", "--to", "2026-03-31"], ["--to", "2026-03-31"],
                 ["--from", "2026-03-31", "--to", "2026-03-01"],
                 ["--from", "2026-03-01", "--to", "2026-03-31", "--unit", "khong-co"]):  # fmt: skip
        with pytest.raises(CommandError) as refused:
            call_command("indicators", *args, stdout=StringIO())
        assert refused.value.returncode == 2
        assert " / " in str(refused.value)  # Vietnamese / English


def api(client: Client, query: str) -> Any:
    return client.get(f"/api/v1/indicators?{query}")


def test_api_gives_the_same_figures_to_the_units_leader(staff: Staff, tmp_path: Path) -> None:
    imported(tmp_path)
    client = Client()
    client.force_login(staff.leader)
    answer = api(client, f"from=2026-03-01&to=2026-03-31&unit={POLICE}")
    assert answer.status_code == 200, answer.content
    body = answer.json()
    assert body["from"] == "2026-03-01"
    assert body["unit"] == POLICE
    assert value_of(body, "2.1") == HAND_COMPUTED["2.1"]
    assert body == {**command_json("--from", "2026-03-01", "--to", "2026-03-31", "--unit", POLICE),
                    "procedure": None}  # fmt: skip
    mine = api(client, "from=2026-03-01&to=2026-03-31").json()  # the units the leader reports on
    assert mine["indicators"]["2.1"]["value"] == HAND_COMPUTED["2.1"]["value"]
    assert mine["unit"] == POLICE  # QA: the scope the figures are of is named, not null


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("from=2026-03-01&to=2026-02-01", 400, "invalid_period"),
        ("from=01/03/2026&to=2026-03-31", 400, "invalid_date"),
        ("from=2026-03-01&to=2026-03-31&unit=khong-co", 400, "unknown_unit"),
        ("from=2026-03-01&to=2026-03-31&procedure=9.999999", 400, "unknown_procedure"),
        ("from=2026-03-01&to=2026-03-31&channel=fax", 400, "unknown_channel"),
        ("to=2026-03-31", 422, "invalid_input"),
        ("from=2026-03-01&to=2026-03-31&unit=hn-so-tu-phap", 403, "not_your_unit"),
    ],
)
def test_api_refuses_bad_input_clearly(staff: Staff, query: str, status: int, code: str) -> None:
    client = Client()
    client.force_login(staff.leader)
    answer = api(client, query)
    assert answer.status_code == status, answer.content
    assert answer.json()["code"] == code
    assert answer.json()["message"]
    assert answer.json()["message_en"]


def test_api_needs_report_rights(staff: Staff) -> None:
    assert api(Client(), "from=2026-03-01&to=2026-03-31").status_code == 401
    client = Client()
    client.force_login(staff.reception)
    answer = api(client, "from=2026-03-01&to=2026-03-31")
    assert answer.status_code == 403
    assert answer.json()["code"] == "no_report_rights"
    assert api(client, f"from=2026-03-01&to=2026-03-31&unit={POLICE}").status_code == 403


def test_the_registry_is_the_one_source() -> None:
    import datetime

    today = datetime.date(2026, 12, 1)
    in_force = indicators_in_force(today)
    assert len({i.code for i in in_force}) == len(in_force)
    for group in GROUPS:
        points = sum(i.points for i in in_force if i.group == group.code)
        assert points == pytest.approx(group.max_points), group.code
    assert {i.code for i in in_force if i.needs in RECORDED} == {
        "2.1",
        "2.2",
        "3.3",
        "3.6",
        "4.1",
        "4.2",
        "4.3",
        "4.4",
        "5.1",
        "5.2",
        "5.3",
        "5.4",
    }
    for indicator in in_force:
        assert indicator_value(indicator, Counts()).value is None  # zero denominators: N/A
    with translation.override("vi"):
        assert DOC.read_text(encoding="utf-8") == indicators_markdown(), (
            "run: motcua indicators --docs docs/indicators.md"
        )
