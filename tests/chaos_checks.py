"""What must hold after a chaos run (tests/chaos.py), read from the run's database in-process.

Each check returns its problems (empty: it holds) and adds its figures, so that the test asserts
and the bench prints from the same code.
"""

from __future__ import annotations

import datetime
import email
import re
import secrets
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.core.files.storage import default_storage
from django.db.models import Max
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from motcua.accounts.constants import OfficerRoleName as Role
from motcua.accounts.models import ApiToken
from motcua.backup.orphans import orphans_sweep, referenced_names
from motcua.common.clock import now
from motcua.common.leases import LEASE_EXPIRED
from motcua.dossiers.models import Dossier, IssuedDocument
from motcua.integrations.dvcqg.sandbox import PortalSandbox
from motcua.integrations.notify.sandbox import SmsSandbox
from motcua.notifications.constants import DeliveryStatus, NotifyChannel
from motcua.notifications.models import Notification
from motcua.sync.delivery import portal_history
from motcua.sync.models import DossierSync
from tests import factories
from tests.chaos import FAST_RECOVERY, WARD, Figures, Plan, fleet_running, under_chaos
from tests.deployment.processes import processes_env

DONE = ("SUCCESSFUL", "FAILED")


# ---------------------------------------------------------------------------- waiting
def effects_pending() -> dict[str, int]:
    """What the workers still owe: unsent messages, unsynced dossiers, unrendered forms."""
    dossiers = Dossier.objects.filter(receiving_unit__code=WARD)
    last = dict(
        dossiers.annotate(last=Max("events__seq")).values_list("pk", "last")
    )  # dossier → its last event
    synced = dict(
        DossierSync.objects.filter(dossier__in=dossiers).values_list("pk", "delivered_seq")
    )
    return {
        "messages": Notification.objects.exclude(status=DeliveryStatus.SENT).count(),
        "portal": sum(1 for pk, seq in last.items() if synced.get(pk, 0) < (seq or 0)),
        "forms": IssuedDocument.objects.filter(sha256="").count(),
    }


def drained(seconds: float) -> dict[str, int]:
    """Waits until the workers owe nothing (the scheduler's sweeps pick up what the kills left);
    what is still owed when time is up."""
    deadline = time.monotonic() + seconds
    while True:
        pending = effects_pending()
        if not any(pending.values()) or time.monotonic() > deadline:
            return pending
        time.sleep(0.5)


def queue_empty(seconds: float) -> int:
    """After the scheduler has stopped: until no task is waiting or running; how many are left."""
    deadline = time.monotonic() + seconds
    while True:
        left = DBTaskResult.objects.exclude(status__in=DONE).count()
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.3)


# ---------------------------------------------------------------------------- checks
def dossiers_once(figures: Figures) -> list[str]:
    """Every accepted key made one dossier (the one answered), refused keys none, nothing else."""
    problems = []
    accepted = {o.key: o for o in figures.accepted()}
    refused = {o.key for o in figures.refused()}
    undecided = [o.key for o in figures.outcomes if o.key not in accepted and o.key not in refused]
    if undecided:
        problems.append(
            f"{len(undecided)} submissions never got a definitive answer: {undecided[:3]}"
        )
    invalid_accepted = [o.key for o in figures.accepted() if not o.valid]
    valid_refused = [o.key for o in figures.refused() if o.valid]
    if invalid_accepted or valid_refused:
        problems.append(
            f"wrong answers: accepted {invalid_accepted[:3]}, refused {valid_refused[:3]}"
        )
    rows = list(
        Dossier.objects.filter(receiving_unit__code=WARD).values_list("idempotency_key", "ref")
    )
    per_key = Counter(key for key, _ref in rows)
    twice = [key for key, count in per_key.items() if count > 1]
    if twice:
        problems.append(f"{len(twice)} keys made more than one dossier: {twice[:3]}")
    refs = dict(rows)
    missing = [key for key in accepted if key not in refs]
    if missing:
        problems.append(f"{len(missing)} accepted submissions have no dossier: {missing[:3]}")
    other = [key for key in refs if key not in accepted]
    if other:
        problems.append(f"{len(other)} dossiers no accepted answer named: {other[:3]}")
    wrong_ref = [k for k, o in accepted.items() if k in refs and refs[k] != o.ref]
    repeats = [o for o in accepted.values() if o.repeat_status]
    bad_repeats = [o.key for o in repeats if (o.repeat_status, o.repeat_ref) != (200, o.ref)]
    if wrong_ref or bad_repeats:
        problems.append(
            f"another dossier than answered: {wrong_ref[:3]}, repeats {bad_repeats[:3]}"
        )
    return problems + codes_without_gaps()


def codes_without_gaps() -> list[str]:
    codes = list(Dossier.objects.filter(receiving_unit__code=WARD).values_list("code", flat=True))
    if len(set(codes)) != len(codes):
        return [f"dossier codes issued twice: {Counter(codes).most_common(2)}"]
    by_day: dict[str, list[int]] = {}
    for code in codes:
        match = re.fullmatch(r".+-(\d{6})-(\d{4})", code or "")
        if not match:
            return [f"a dossier without a code: {code!r}"]
        by_day.setdefault(match.group(1), []).append(int(match.group(2)))
    gaps = [day for day, n in by_day.items() if sorted(n) != list(range(1, len(n) + 1))]
    return [f"dossier codes with gaps on {gaps}"] if gaps else []


def messages_once(sms: SmsSandbox, mail_dir: Path, figures: Figures) -> list[str]:
    """Each accepted dossier: one SMS and one e-mail row, sent; the provider holds each SMS key
    once; every e-mail's Message-ID is in the mail folder (a repeat of one Message-ID is the
    same message delivered again, counted)."""
    problems = []
    rows = list(Notification.objects.values_list("dossier_id", "channel", "status", "idempotency_key",
                                                 "provider_id", "attempts"))  # fmt: skip
    per = Counter((dossier, channel) for dossier, channel, *_rest in rows)
    dossiers = set(Dossier.objects.filter(receiving_unit__code=WARD).values_list("pk", flat=True))
    for channel in (NotifyChannel.SMS, NotifyChannel.EMAIL):
        wrong = [d for d in dossiers if per[(d, channel)] != 1]
        if wrong:
            problems.append(f"{len(wrong)} dossiers without exactly one {channel} message")
    unsent = [key for _d, _c, status, key, *_r in rows if status != DeliveryStatus.SENT]
    if unsent:
        problems.append(f"{len(unsent)} messages not sent: {unsent[:3]}")
    sms_keys = {key for _d, channel, _s, key, *_r in rows if channel == NotifyChannel.SMS}
    held = Counter(str(m.get("idempotency_key")) for m in sms.received())
    if set(held) != sms_keys or any(count > 1 for count in held.values()):
        problems.append(f"SMS at the provider {len(held)} != rows {len(sms_keys)}")
    ids = {pid for _d, channel, _s, _k, pid, _a in rows if channel == NotifyChannel.EMAIL}
    found = Counter(mail_ids(mail_dir))
    lost = ids - set(found)
    if lost:
        problems.append(f"{len(lost)} e-mails never written: {sorted(lost)[:2]}")
    figures.extra["messages"] = len(rows)
    figures.extra["messages_tried_more_than_once"] = sum(1 for *_r, a in rows if a > 1)
    figures.extra["emails_written_twice_same_message_id"] = sum(c - 1 for c in found.values())
    return problems


def mail_ids(folder: Path) -> list[str]:
    """The Message-ID of every message the file backend wrote (several per file, in order)."""
    found = []
    for path in folder.glob("*.log") if folder.exists() else []:
        for chunk in path.read_text(errors="replace").split("-" * 79):
            if chunk.strip():
                message = email.message_from_string(chunk.strip())
                if message["Message-ID"]:
                    found.append(str(message["Message-ID"]).strip())
    return found


def portal_once(portal: PortalSandbox, figures: Figures) -> list[str]:
    """The portal holds each received dossier, with each of its records once, in order."""
    problems = []
    snapshot = portal.state.snapshot()
    history = snapshot["history"]
    dossiers = Dossier.objects.filter(receiving_unit__code=WARD).select_related(
        "procedure", "receiving_unit", "deciding_unit"
    )
    codes = set()
    for dossier in dossiers:
        code = dossier.code or dossier.ref
        codes.add(code)
        expected = [record for _seq, record in portal_history(dossier, code)[0]]
        if history.get(code) != expected:
            problems.append(f"portal history of {code}: {len(history.get(code, []))} records, "
                            f"expected {len(expected)}")  # fmt: skip
    extra = set(history) - codes
    if extra:
        problems.append(f"the portal holds dossiers we do not: {sorted(extra)[:3]}")
    figures.extra["portal_calls"] = snapshot["calls"]
    return problems[:5] + ([f"... {len(problems) - 5} more"] if len(problems) > 5 else [])


def files_and_orphans(figures: Figures) -> list[str]:
    """Every form rendered and its file stored; the files the kills left that no row names are
    found and removed by the sweep (grace 0: nothing is being written any more), none after."""
    problems = []
    unrendered = IssuedDocument.objects.filter(sha256="").count()
    if unrendered:
        problems.append(f"{unrendered} issued forms never rendered")
    names = referenced_names()
    absent = [name for name in names if not default_storage.exists(name)]
    if absent:
        problems.append(f"{len(absent)} files named by a row are missing: {absent[:3]}")
    swept = orphans_sweep(at=now(), grace=datetime.timedelta(0))
    figures.extra["orphan_files_swept"] = len(swept.removed)
    left = orphans_sweep(at=now(), grace=datetime.timedelta(0), dry_run=True)
    if left.removed:
        problems.append(f"orphan files after the sweep: {left.removed[:3]}")
    figures.extra["stored_files"] = len(names)
    return problems


def tasks_settled(figures: Figures) -> list[str]:
    """No task left running or waiting; none failed except by the lease (a task cut short by
    kills too many times, whose work the sweeps do instead)."""
    problems = []
    rows = list(DBTaskResult.objects.values_list("status", "exception_class_path", "task_path"))
    left = [path for status, _e, path in rows if status not in DONE]
    if left:
        problems.append(
            f"{len(left)} tasks still waiting or running: {Counter(left).most_common(3)}"
        )
    failed = [(path, exc) for status, exc, path in rows if status == "FAILED"]
    errors = [item for item in failed if item[1] != LEASE_EXPIRED]
    if errors:
        problems.append(f"tasks failed: {Counter(errors).most_common(3)}")
    figures.extra["tasks"] = len(rows)
    figures.extra["tasks_given_up_after_kills"] = len(failed) - len(errors)
    return problems


def all_problems(
    figures: Figures, *, sms: SmsSandbox, portal: PortalSandbox, mail_dir: Path
) -> dict[str, list[str]]:
    found = {
        "dossiers": dossiers_once(figures),
        "messages": messages_once(sms, mail_dir, figures),
        "portal": portal_once(portal, figures),
        "files": files_and_orphans(figures),
        "tasks": tasks_settled(figures),
    }
    return {name: problems for name, problems in found.items() if problems}


def figures_text(summary: dict[str, Any]) -> str:
    return "\n".join(f"{name:40} {value}" for name, value in summary.items())


# ---------------------------------------------------------------------------- one run
class SlowSms(SmsSandbox):
    """A provider that takes a moment to answer after it has taken the message: a worker killed
    meanwhile has sent a message it never marked sent (the window "once in effect" is about)."""

    delay = 0.15

    def receive(self, authorization: str, message: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        answer = super().receive(authorization, message)
        time.sleep(self.delay)
        return answer


def chaos_run(
    plan: Plan, *, database_url: str, folder: Path, drain_seconds: float = 180
) -> tuple[Figures, dict[str, list[str]]]:
    """One run on the database at ``database_url`` (this process's, committed: the test's
    ``transactional_db``): an officer and token, the sandboxes, the processes under chaos, the
    drain, the checks. (figures, problems by check)."""
    officer = factories.officer(WARD, Role.RECEPTION)
    token = ApiToken.issue(officer, "chaos")
    var = folder / "var"
    sms = SlowSms(token="chaos-" + secrets.token_hex(8)).start()
    # Now and then the portal applies a call and its answer is lost, or applies it twice (a
    # proxy's retry): a sync must still leave each record there once.
    portal = PortalSandbox(
        token="chaos-" + secrets.token_hex(8), lose=0.03, twice=0.02, seed=plan.seed
    ).start()
    env = processes_env(
        var, primary=database_url, replicas=[],
        MOTCUA_SMS_BACKEND="http", MOTCUA_SMS_URL=sms.url, MOTCUA_SMS_TOKEN=sms.token,
        MOTCUA_DVCQG_URL=portal.url, MOTCUA_DVCQG_TOKEN=portal.state.token, **FAST_RECOVERY,
    )  # fmt: skip
    try:
        with fleet_running(env, folder / "logs", plan.web_workers) as fleet:
            figures = under_chaos(fleet, token, plan)
            started = time.monotonic()
            owed = drained(drain_seconds)
            fleet.stop("scheduler")
            left = queue_empty(60)
            figures.drain_seconds = time.monotonic() - started
        problems = (
            {"drain": [f"still owed: {owed}, tasks left {left}"]} if any(owed.values()) else {}
        )
        with override_settings(MEDIA_ROOT=var / "media"):
            problems |= all_problems(figures, sms=sms, portal=portal, mail_dir=var / "mail")
    finally:
        sms.stop()
        portal.stop()
    return figures, problems
