"""Quick city-scale volume for the bench: N dossiers with their histories, written with COPY.

A stand-in until ``motcua demo-data --dossiers N`` (issue 12) lands: ``city_bench.py`` calls
``volume_generate`` and nothing else, so swapping the generator is a one-line change there.

What it writes (PostgreSQL only): dossiers spread over the 126 wards and communes — one ward
(``BIG_WARD``) gets ``big_share`` of them, the others a random weight each — and over the 50
most used commune procedures (the catalog's popularity seed first, then other commune procedures
with a generic process); statuses by age (recent dossiers mostly open, older ones mostly
returned, a few stuck and overdue); the online / counter mix; submission dates over the last
year up to yesterday (so today's codes, allocated by the kernel during the bench, never collide);
codes ``<unit prefix>-YYMMDD-NNNN``; 5–9 events per dossier (submit, receive, assign, forwards,
supplement, approve, return…), about 7 on average.

What it does not write: step visits, issued documents, payments, consultations (the hot
endpoints measured by the bench do not read those). Events are sealed with the installation's
audit key as ``motcua audit rechain`` seals a chain (the dossier's facts on its last event), so
``audit verify`` can be measured on the same volume. The units' daily counters are left at each
day's last code (``day_counters_write``), so an import into those days goes on after them.
"""

from __future__ import annotations

import datetime
import itertools
import json
import random
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Any

from django.db import connection, transaction

from motcua.catalog.models import Procedure, ProcessDefinition
from motcua.common.text import fold_words
from motcua.dossiers.audit import dossier_facts, event_mac
from motcua.dossiers.audit_keys import chain_keys
from motcua.dossiers.constants import Channel, Status
from motcua.dossiers.models import Dossier, DossierEvent
from motcua.dossiers.services.reception import unit_code_prefix
from motcua.organizations.models import Unit
from motcua.worktime.engine import VIETNAM_OFFSET

BIG_WARD = "hn-phuong-hoan-kiem"
PROCEDURES = 50
DAYS = 365
RECENT_DAYS = 45
BATCH = 10_000
RECENT = {
    Status.NEW: 6, Status.RECEIVED: 12, Status.PROCESSING: 45, Status.SUPPLEMENT_REQUESTED: 6,
    Status.AWAITING_PAYMENT: 1, Status.PROCESSED: 10, Status.RETURNED: 16, Status.STOPPED: 2,
    Status.NOT_RECEIVED: 2,
}  # fmt: skip
OLDER = {
    Status.PROCESSING: 1, Status.SUPPLEMENT_REQUESTED: 1, Status.PROCESSED: 3,
    Status.RETURNED: 87, Status.STOPPED: 4, Status.NOT_RECEIVED: 4,
}  # fmt: skip
# Online, counter, post, national portal (Hà Nội's 2025 mix is roughly half online).
CHANNELS = {Channel.COUNTER: 50, Channel.ONLINE: 44, Channel.POST: 2, Channel.NATIONAL_PORTAL: 4}
RECENT_CUMULATIVE = (list(RECENT), list(itertools.accumulate(RECENT.values())))
OLDER_CUMULATIVE = (list(OLDER), list(itertools.accumulate(OLDER.values())))
CHANNEL_LIST, CHANNEL_CUMULATIVE = list(CHANNELS), list(itertools.accumulate(CHANNELS.values()))
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi",
          "Đỗ", "Hồ", "Ngô", "Dương", "Lý"]  # fmt: skip
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Ngọc", "Quang", "Thu", "Xuân"]
GIVEN = ["An", "Bình", "Cường", "Dung", "Em", "Giang", "Hà", "Hải", "Hạnh", "Hoa", "Hùng",
         "Hương", "Khánh", "Lan", "Linh", "Long", "Mai", "Nam", "Nga", "Phong", "Phương",
         "Quân", "Sơn", "Tâm", "Thảo", "Trang", "Trung", "Tuấn", "Vân", "Yến"]  # fmt: skip


@dataclass(frozen=True)
class Kind:
    """A procedure as the generator uses it: its row ids and its process's steps (order, role)."""

    pk: int
    code: str
    version: int
    process_id: int
    process_version: int
    steps: tuple[int, ...]
    weight: int
    roles: dict[int, str]  # the role of each step (the worklist reads it on the dossier)


@dataclass
class VolumeReport:
    dossiers: int = 0
    events: int = 0
    seconds: float = 0.0
    per_unit: Counter[str] = field(default_factory=Counter)


def volume_procedures(limit: int = PROCEDURES) -> list[Kind]:
    """The most used commune procedures that a ward decides itself, with a generic process."""
    found: list[Kind] = []
    candidates = Procedure.objects.filter(
        in_hanoi_set=True, level="commune", deciding_unit__isnull=True
    ).order_by("-popularity", "pk")
    for procedure in candidates.iterator():
        process = (
            ProcessDefinition.objects.filter(procedure=procedure, unit__isnull=True)
            .order_by("-version")
            .first()
        )
        roles = (
            dict(process.steps.order_by("order").values_list("order", "role")) if process else {}
        )
        steps = tuple(roles)
        if process is None or len(steps) < 3:
            continue
        found.append(
            Kind(procedure.pk, procedure.code, procedure.version, process.pk, process.version,
                 steps, procedure.popularity or 10, roles)
        )  # fmt: skip
        if len(found) == limit:
            break
    return found


def volume_units(big_share: float, rng: random.Random) -> tuple[list[Unit], list[float]]:
    units = list(Unit.objects.filter(kind__in=["ward", "commune"]).order_by("code"))
    others = [rng.uniform(0.4, 1.6) for _ in units]
    total_others = sum(w for u, w in zip(units, others, strict=True) if u.code != BIG_WARD)
    weights = [
        big_share if u.code == BIG_WARD else (1 - big_share) * w / total_others
        for u, w in zip(units, others, strict=True)
    ]
    return units, weights


def volume_generate(
    count: int, *, seed: int = 12, big_share: float = 0.1, at: datetime.datetime | None = None,
    progress: bool = True,
) -> VolumeReport:  # fmt: skip
    """Write ``count`` dossiers and their events (PostgreSQL COPY, batches of 10,000)."""
    assert connection.vendor == "postgresql", "the volume generator writes with COPY"
    at = at or datetime.datetime.now(VIETNAM_OFFSET)
    rng = random.Random(seed)
    kinds = volume_procedures()
    units, weights = volume_units(big_share, rng)
    writer = Writer(at=at, rng=rng)
    report = VolumeReport()
    began = time.perf_counter()
    for start in range(0, count, BATCH):
        size = min(BATCH, count - start)
        chosen = rng.choices(units, weights, k=size)
        writer.write(chosen, kinds)
        report.per_unit.update(u.code for u in chosen)
        if progress:
            rate = (start + size) / (time.perf_counter() - began)
            print(f"\r  {start + size:,}/{count:,} dossiers ({rate:,.0f}/s)", end="", flush=True)
    with connection.cursor() as cursor:
        for model in (Dossier, DossierEvent):
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
    day_counters_write()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE dossiers_dossier")
        cursor.execute("ANALYZE dossiers_dossierevent")
    if progress:
        print()
    report.dossiers, report.events = count, writer.events
    report.seconds = time.perf_counter() - began
    return report


class Writer:
    """Builds rows in memory and writes each batch with two COPYs in one transaction."""

    def __init__(self, *, at: datetime.datetime, rng: random.Random) -> None:
        self.at, self.rng = at, rng
        self.today = at.astimezone(VIETNAM_OFFSET).replace(
            hour=0, minute=0, second=0, microsecond=0
        )
        self.events = 0
        self.day_numbers: Counter[tuple[int, datetime.date]] = Counter()
        self.names = [f"{f} {m} {g}" for f in FAMILY for m in MIDDLE for g in GIVEN]
        self.folded: dict[str, str] = {}
        self.dossier_fields = list(Dossier._meta.concrete_fields)
        self.event_fields = list(DossierEvent._meta.concrete_fields)
        self.template = template_of(self.dossier_fields, Dossier(channel="counter"))
        self.event_template = template_of(self.event_fields, DossierEvent())
        self.event_defaults = {
            f.attname: value
            for f, value in zip(self.event_fields, self.event_template, strict=True)
        }
        keys = chain_keys(create=True)
        assert keys is not None
        self.keys = keys
        self.dossier_at = {f.attname: i for i, f in enumerate(self.dossier_fields)}
        self.event_at = {f.attname: i for i, f in enumerate(self.event_fields)}
        self.day_numbers.update(codes_used())
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM dossiers_dossier")
            self.next_dossier = cursor.fetchone()[0] + 1
            cursor.execute("SELECT coalesce(max(id), 0) FROM dossiers_dossierevent")
            self.next_event = cursor.fetchone()[0] + 1

    def write(self, units: list[Unit], kinds: list[Kind]) -> None:
        dossiers: list[tuple[Any, ...]] = []
        events: list[tuple[Any, ...]] = []
        cumulative = list(itertools.accumulate(k.weight for k in kinds))
        for unit in units:
            kind = self.rng.choices(kinds, cum_weights=cumulative)[0]
            row, history = self.dossier(unit, kind)
            dossiers.append(row)
            events.extend(history)
        with transaction.atomic(), connection.cursor() as cursor:
            copy_rows(cursor, Dossier._meta.db_table, self.dossier_fields, dossiers)
            copy_rows(cursor, DossierEvent._meta.db_table, self.event_fields, events)
        self.events += len(events)

    def dossier(self, unit: Unit, kind: Kind) -> tuple[tuple[Any, ...], list[tuple[Any, ...]]]:
        rng = self.rng
        age = datetime.timedelta(seconds=rng.randint(3_600, DAYS * 86_400))
        statuses, weights = RECENT_CUMULATIVE if age.days <= RECENT_DAYS else OLDER_CUMULATIVE
        status = rng.choices(statuses, cum_weights=weights)[0]
        channel = rng.choices(CHANNEL_LIST, cum_weights=CHANNEL_CUMULATIVE)[0]
        if status == Status.NEW:
            channel = Channel.ONLINE  # a counter dossier is received at once
        submitted = self.today - age
        facts = self.timeline(status, submitted, kind)
        pk = self.next_dossier
        self.next_dossier += 1
        ref = ref_of(pk)
        code = None
        if facts["received_at"] is not None:
            day = facts["received_at"].astimezone(VIETNAM_OFFSET).date()
            self.day_numbers[(unit.pk, day)] += 1
            code = f"{unit_code_prefix(unit)}-{day:%y%m%d}-{self.day_numbers[(unit.pk, day)]:04d}"
        name = rng.choice(self.names)
        if name not in self.folded:
            self.folded[name] = fold_words(name)
        id_number = f"001{rng.choice('0123')}{rng.randint(50, 99)}{rng.randint(0, 999_999):06d}"
        phone = f"09{rng.randint(0, 99_999_999):08d}"
        applicant = {"name": name, "id_number": id_number, "kind": "person", "phone": phone,
                     "email": "", "address": f"Số {rng.randint(1, 200)}, {unit.name}"}  # fmt: skip
        history = self.history(pk, ref, code, unit, kind, status, submitted, facts, channel)
        values = {
            "id": pk, "ref": ref, "code": code, "procedure_id": kind.pk,
            "procedure_version": kind.version, "process_id": kind.process_id,
            "process_version": kind.process_version, "applicant": json.dumps(applicant, ensure_ascii=False),
            "applicant_name": name, "applicant_name_folded": self.folded[name],
            "applicant_id_number": id_number, "channel": channel, "receiving_unit_id": unit.pk,
            "deciding_unit_id": unit.pk, "status": status, "submitted_at": submitted,
            "version": len(history), **facts, "created_at": submitted, "updated_at": submitted,
        }  # fmt: skip
        row = list(self.template)
        for name, value in values.items():
            row[self.dossier_at[name]] = value
        events = list(history_rows(history))
        row[self.dossier_at["last_event_hash"]] = self.seal(ref, row, events)
        return tuple(row), [self.event_row(pk, e) for e in events]

    def seal(self, ref: str, row: list[Any], events: list[dict[str, Any]]) -> str:
        """Seal the chain with the audit key, as ``audit rechain`` does; returns the last hash."""
        dossier = SimpleNamespace(**{name: row[self.dossier_at[name]] for name in self.dossier_at})
        facts = dossier_facts(dossier)
        previous = ""
        for number, event in enumerate(events, start=1):
            event.update(prev_hash=previous, key_id=self.keys.current_id,
                         facts=facts if number == len(events) else "")  # fmt: skip
            sealed = SimpleNamespace(**{**self.event_defaults, **event})
            sealed.payload = json.loads(event["payload"])  # as the database reads it back
            event["hash"] = previous = event_mac(ref, sealed, self.keys.current)
        return previous

    def timeline(self, status: str, submitted: datetime.datetime, kind: Kind) -> dict[str, Any]:
        """Dates, step, decision and counters of a dossier in ``status``."""
        rng = self.rng
        received = None if status in (Status.NEW, Status.NOT_RECEIVED) else submitted
        done = status in (Status.PROCESSED, Status.RETURNED, Status.STOPPED)
        due = None
        if received is not None:
            if done:
                due = submitted + datetime.timedelta(days=rng.randint(5, 30))
            else:
                ahead = self.at + datetime.timedelta(seconds=rng.randint(-5 * 86_400, 20 * 86_400))
                due = max(ahead, submitted + datetime.timedelta(days=1))
        finished = None
        if done or status == Status.NOT_RECEIVED:
            finished = min(self.at, submitted + datetime.timedelta(days=rng.randint(1, 40)))
        last = kind.steps[-1]
        step = {
            Status.RECEIVED: kind.steps[1], Status.SUPPLEMENT_REQUESTED: kind.steps[1],
            Status.AWAITING_PAYMENT: kind.steps[1],
            Status.PROCESSING: rng.choice(kind.steps[1:-1]), Status.PROCESSED: last,
            Status.RETURNED: last,
        }.get(status)  # fmt: skip
        supplements = (
            1 if status == Status.SUPPLEMENT_REQUESTED or (done and rng.random() < 0.1) else 0
        )
        return {
            "received_at": received, "due_at": due, "statutory_due_at": due,
            "finished_at": finished, "current_step": step,
            "step_role": kind.roles[step] if step is not None else "",
            "step_started_at": received if step else None,
            "returned_at": finished if status == Status.RETURNED else None,
            "decision": "approved" if status in (Status.PROCESSED, Status.RETURNED) else "",
            "supplement_requests": supplements,
        }  # fmt: skip

    def history(
        self, pk: int, ref: str, code: str | None, unit: Unit, kind: Kind, status: str,
        submitted: datetime.datetime, facts: dict[str, Any], channel: str,
    ) -> list[tuple[Any, ...]]:  # fmt: skip
        """(action, from, to, from_step, to_step, at, payload, unit) of each event (``seal``
        chains them)."""
        steps = list(history_actions(status, kind, facts))
        out: list[tuple[Any, ...]] = []
        when = submitted
        state, step = "", None
        for action, to_status, to_step in steps:
            payload: dict[str, Any] = {}
            if action == "submit":
                payload = {"channel": channel, "procedure": kind.code}
            elif action == "receive":
                payload = {"code": code, "due_at": facts["due_at"].isoformat()}
            out.append((action, state, to_status, step, to_step, when, payload, unit.pk))
            state, step = to_status, to_step
            when = min(self.at, when + datetime.timedelta(minutes=self.rng.randint(5, 3_000)))
        return out

    def event_row(self, dossier_id: int, event: dict[str, Any]) -> tuple[Any, ...]:
        pk = self.next_event
        self.next_event += 1
        row = list(self.event_template)
        row[self.event_at["id"]], row[self.event_at["dossier_id"]] = pk, dossier_id
        for name, value in event.items():
            row[self.event_at[name]] = value
        return tuple(row)


def ref_of(pk: int) -> str:
    """Unique for each id (an odd multiplier is a bijection modulo 2**48), spread like the
    kernel's random ``HS`` + 12 hex digits, so the ref index fills as it does in production."""
    return f"HS{(pk * 0x9E3779B97F4B) % 2**48:012X}"


def history_actions(
    status: str, kind: Kind, facts: dict[str, Any]
) -> Iterator[tuple[str, str, Any]]:
    """The actions that lead to ``status``: (action, status after, step after)."""
    steps = kind.steps
    yield "submit", Status.NEW, None
    if status == Status.NEW:
        return
    if status == Status.NOT_RECEIVED:
        yield "refuse_reception", Status.NOT_RECEIVED, None
        return
    yield "receive", Status.RECEIVED, steps[1]
    if status in (Status.RECEIVED, Status.SUPPLEMENT_REQUESTED) and facts["supplement_requests"]:
        yield "request_supplement", Status.SUPPLEMENT_REQUESTED, steps[1]
        return
    if status == Status.RECEIVED:
        return
    yield "assign", Status.PROCESSING, steps[1]
    if facts["supplement_requests"]:
        yield "request_supplement", Status.SUPPLEMENT_REQUESTED, steps[1]
        yield "submit_supplement", Status.PROCESSING, steps[1]
    if status == Status.AWAITING_PAYMENT:
        yield "request_payment", Status.AWAITING_PAYMENT, steps[1]
        return
    if status == Status.STOPPED:
        yield "withdraw", Status.STOPPED, None
        return
    target = facts["current_step"] if status == Status.PROCESSING else steps[-2]
    for order in steps[2:]:
        if order > target:
            break
        yield "forward", Status.PROCESSING, order
    if status == Status.PROCESSING:
        return
    yield "approve", Status.PROCESSED, steps[-1]
    if status == Status.RETURNED:
        yield "return_result", Status.RETURNED, steps[-1]


def history_rows(history: list[tuple[Any, ...]]) -> Iterator[dict[str, Any]]:
    for seq, event in enumerate(history, start=1):
        action, before, after, from_step, to_step, at, payload, unit = event
        yield {
            "seq": seq, "at": at, "actor_name": "" if action == "submit" else "Cán bộ một cửa",
            "unit_id": unit, "action": action, "from_status": before, "to_status": after,
            "from_step": from_step, "to_step": to_step, "payload": json.dumps(payload) if payload else "{}",
        }  # fmt: skip


def template_of(fields: list[Any], prototype: Any) -> list[Any]:
    """Every column's default as COPY takes it (JSON as text), so new columns keep working."""
    values = []
    for f in fields:
        value = f.pre_save(prototype, add=True) if not f.primary_key else None
        if f.get_internal_type() == "JSONField":
            value = json.dumps(value)
        values.append(value)
    return values


def codes_used() -> dict[tuple[int, datetime.date], int]:
    """The last number of each unit and day among existing codes, so a second run goes on."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT receiving_unit_id, substring(code from '-([0-9]{6})-[0-9]+$'), "
            "max(substring(code from '-([0-9]+)$')::int) FROM dossiers_dossier "
            "WHERE code ~ '-[0-9]{6}-[0-9]+$' GROUP BY 1, 2"
        )
        return {
            (unit, datetime.datetime.strptime(day, "%y%m%d").date()): last
            for unit, day, last in cursor.fetchall()
        }


def day_counters_write() -> int:
    """The units' daily counters (``DailySequence``) at the last code written, as the kernel
    would have left them: an import or a reception into one of those days numbers after them
    instead of colliding with a generated code. Safe to run again (an older volume: once)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO dossiers_dailysequence (unit_id, day, last) "
            "SELECT receiving_unit_id, "
            "to_date(substring(code from '-([0-9]{6})-[0-9]+$'), 'YYMMDD'), "
            "max(substring(code from '-([0-9]+)$')::int) FROM dossiers_dossier "
            "WHERE code ~ '-[0-9]{6}-[0-9]+$' GROUP BY 1, 2 "
            "ON CONFLICT (unit_id, day) DO UPDATE "
            "SET last = GREATEST(dossiers_dailysequence.last, EXCLUDED.last)"
        )
        return cursor.rowcount


def copy_rows(cursor: Any, table: str, fields: list[Any], rows: list[tuple[Any, ...]]) -> None:
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
