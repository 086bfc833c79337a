"""An audit no one can quietly rewrite (issue 11, decision 0009).

The attacker has the database (and the code) but not the audit key nor the signing key. For each
edit the review showed, with everything recomputed that can be recomputed without the keys,
`motcua audit verify` exits 1 against the published root and names the dossier."""

from __future__ import annotations

import base64
import datetime
import gzip
import hashlib
import json
import os
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from motcua.dossiers import services as s
from motcua.dossiers.apps import audit_key_check
from motcua.dossiers.audit import dossier_facts, dumps, event_digest
from motcua.dossiers.audit_keys import key_dir
from motcua.dossiers.audit_roots import roots_dir
from motcua.dossiers.models import AuditRoot, Dossier, DossierEvent, IssuedDocument
from motcua.dossiers.tasks import audit_publish_task

from .conftest import Staff, at, received

pytestmark = pytest.mark.django_db


def decided(staff: Staff, when: str = "2026-03-02 09:00") -> Dossier:
    dossier = s.dossier_forward(dossier=received(staff, when), actor=staff.specialist, at=at(when))
    return s.dossier_approve(dossier=dossier, actor=staff.leader, at=at(when), note="Đồng ý")


def verify(*args: str) -> tuple[int, str]:
    """`motcua audit verify`: (exit code, what it printed)."""
    out = StringIO()
    try:
        call_command("audit", "verify", *args, stdout=out, stderr=StringIO())
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


def publish() -> tuple[int, str]:
    out = StringIO()
    try:
        call_command("audit", "publish", stdout=out, stderr=StringIO())
    except CommandError as error:
        return error.returncode, out.getvalue() + str(error)
    return 0, out.getvalue()


@pytest.fixture
def three(staff: Staff) -> list[Dossier]:
    """Three dossiers with a history, and a root published over them."""
    dossiers = [decided(staff), decided(staff, "2026-03-03 09:00"), received(staff)]
    assert publish()[0] == 0
    return dossiers


def reseal_without_key(dossier: Dossier, strategy: str) -> None:
    """What an attacker can do after an edit: recompute the facts and every hash of the chain
    with the code but not the key — keeping the key id, or passing the chain off as one from
    before the key (no key id)."""
    row = Dossier.objects.get(pk=dossier.pk)
    events = list(DossierEvent.objects.filter(dossier=row).order_by("seq"))
    previous = ""
    for event in events:
        event.prev_hash = previous
        if strategy == "downgrade":
            event.key_id, event.facts = "", ""
            event.hash = event_digest(row.ref, event)
        else:
            if event is events[-1]:
                event.facts = dossier_facts(row)
            content = {"prev": previous, "facts": event.facts, "seq": event.seq, "x": event.reason}
            event.hash = hashlib.sha256(dumps(content)).hexdigest()
        previous = event.hash
        event.save()
    Dossier.objects.filter(pk=row.pk).update(last_event_hash=previous)


def test_an_untouched_database_verifies_clean(three: list[Dossier]) -> None:
    code, output = verify()
    assert code == 0
    assert "intact: 3 hồ sơ" in output
    assert "against root #1" in output


@pytest.mark.parametrize("strategy", ["keep-key-id", "downgrade"])
def test_an_edited_reason_with_recomputed_hashes_is_detected(
    three: list[Dossier], strategy: str
) -> None:
    victim = three[0]
    DossierEvent.objects.filter(dossier=victim, seq=3).update(reason="sửa lén")
    reseal_without_key(victim, strategy)
    code, output = verify()
    assert code == 1
    assert f"{victim.ref}#" in output
    assert "history differs from the published root" in output
    assert all(d.ref not in output for d in three[1:])


def test_a_changed_due_date_is_detected(three: list[Dossier]) -> None:
    victim = three[1]
    later = victim.due_at + datetime.timedelta(days=7)  # type: ignore[operator]
    Dossier.objects.filter(pk=victim.pk).update(due_at=later)
    reseal_without_key(victim, "keep-key-id")
    code, output = verify()
    assert code == 1
    assert victim.ref in output


def test_a_changed_due_date_alone_is_detected_by_the_facts(three: list[Dossier]) -> None:
    victim = three[1]
    later = victim.due_at + datetime.timedelta(days=7)  # type: ignore[operator]
    Dossier.objects.filter(pk=victim.pk).update(due_at=later)
    code, output = verify("--no-root")
    assert code == 1
    assert f"{victim.ref}: " in output
    assert "hạn trả" in output


def test_a_deleted_last_event_is_detected_against_the_root(staff: Staff) -> None:
    victim = s.dossier_forward(
        dossier=received(staff), actor=staff.specialist, at=at("2026-03-02 10:00")
    )
    before = Dossier.objects.filter(pk=victim.pk).values().get()  # the attacker's backup
    victim = s.dossier_approve(
        dossier=victim, actor=staff.leader, at=at("2026-03-02 11:00"), note="Đồng ý"
    )
    decided(staff, "2026-03-03 09:00")
    assert publish()[0] == 0
    # The last event goes (with the decision notice it issued); the row is put back exactly as it
    # was before it (version included).
    last = DossierEvent.objects.filter(dossier=victim, seq=victim.version)
    IssuedDocument.objects.filter(event__in=last).delete()
    last.delete()
    Dossier.objects.filter(pk=victim.pk).update(**{k: v for k, v in before.items() if k != "id"})
    assert verify("--no-root")[0] == 0  # the chain alone now looks whole…
    code, output = verify()  # …the published root does not
    assert code == 1
    assert f"{victim.ref}#{victim.version}: " in output
    assert "events deleted since the published root" in output


def delete_dossier(dossier: Dossier) -> None:
    IssuedDocument.objects.filter(dossier=dossier).delete()
    DossierEvent.objects.filter(dossier=dossier).delete()
    Dossier.objects.filter(pk=dossier.pk).delete()


def test_a_deleted_dossier_is_detected(three: list[Dossier]) -> None:
    victim = three[1]
    delete_dossier(victim)
    code, output = verify()
    assert code == 1
    assert f"{victim.ref}#{victim.version}: " in output
    assert "dossier deleted since the published root" in output
    assert "2 hồ sơ" in output


def test_a_deleted_dossier_removed_from_the_tails_file_too_is_detected(
    three: list[Dossier],
) -> None:
    victim = three[1]
    delete_dossier(victim)
    tails = roots_dir() / "root-000001.tails.jsonl.gz"
    kept = gzip.decompress(tails.read_bytes()).splitlines(True)
    lines = [line for line in kept if victim.ref.encode() not in line]
    tails.write_bytes(gzip.compress(b"".join(lines)))
    code, output = verify()
    assert code == 1
    assert "tails do not match the signed root" in output


@pytest.mark.parametrize("forger", ["edit", "own-key"])
def test_a_forged_root_breaks_its_signature(three: list[Dossier], forger: str) -> None:
    path = roots_dir() / "root-000001.json"
    document = json.loads(path.read_text())
    document["dossiers"] = 2
    if forger == "own-key":
        key = Ed25519PrivateKey.generate()
        raw = key.public_key().public_bytes_raw()
        document["public_key"] = base64.b64encode(raw).decode()
        document["key_fingerprint"] = hashlib.sha256(raw).hexdigest()
        body = {k: v for k, v in document.items() if k != "signature"}
        document["signature"] = base64.b64encode(key.sign(dumps(body))).decode()
    text = json.dumps(document, ensure_ascii=False, indent=2) + "\n"
    path.write_text(text)
    AuditRoot.objects.filter(number=1).update(document=text)  # the attacker has the database too
    code, output = verify()
    assert code == 1
    expected = "signature invalid" if forger == "edit" else "signed with a key that is not trusted"
    assert "root #1 (root-000001.json): " in output
    assert expected in output


def test_a_root_deleted_from_the_database_is_detected(three: list[Dossier]) -> None:
    AuditRoot.objects.all().delete()
    code, output = verify()
    assert code == 1
    assert "in the roots folder but not in the database" in output


def test_publish_refuses_to_anchor_a_deletion(three: list[Dossier]) -> None:
    delete_dossier(three[0])
    code, output = publish()
    assert code == 1
    assert three[0].ref in output
    assert list(AuditRoot.objects.values_list("number", flat=True)) == [1]
    assert not (roots_dir() / "root-000002.json").exists()


def test_roots_chain_and_new_dossiers_after_a_root_are_fine(
    staff: Staff, three: list[Dossier]
) -> None:
    s.dossier_forward(dossier=three[2], actor=staff.specialist, at=at("2026-03-04 10:00"))
    decided(staff, "2026-03-04 09:00")
    assert verify()[0] == 0
    assert publish()[0] == 0
    second = json.loads((roots_dir() / "root-000002.json").read_text())
    first = (roots_dir() / "root-000001.json").read_bytes()
    assert second["previous"] == hashlib.sha256(first).hexdigest()
    assert (second["dossiers"], second["number"]) == (4, 2)
    code, output = verify("--root", "1")
    assert (code, "against root #1" in output) == (0, True)


def test_one_dossier_can_be_verified_against_the_root(three: list[Dossier]) -> None:
    DossierEvent.objects.filter(dossier=three[0], seq=2).update(reason="sửa")
    assert verify("--dossier", three[1].ref)[0] == 0
    code, output = verify("--dossier", three[0].code or "")
    assert code == 1
    assert f"{three[0].ref}#2: " in output


def legacy(dossier: Dossier) -> None:
    """The dossier's chain as written before decision 0009: plain SHA-256, no key, no facts."""
    reseal_without_key(dossier, "downgrade")


def test_old_chains_are_sealed_once_by_rechain(staff: Staff) -> None:
    old = [decided(staff), received(staff)]
    for dossier in old:
        legacy(dossier)
    code, output = verify()
    assert code == 1
    assert "run `motcua audit rechain`" in output
    assert publish()[0] == 1  # no root over unsealed chains
    out = StringIO()
    call_command("audit", "rechain", stdout=out)
    assert "resealed: 2 hồ sơ" in out.getvalue()
    assert "published root #1" in out.getvalue()
    assert AuditRoot.objects.get().reason == "rechain"
    assert verify()[0] == 0
    with pytest.raises(CommandError) as refused:
        call_command("audit", "rechain", stdout=StringIO())
    assert refused.value.returncode == 1


def test_rechain_leaves_a_broken_old_chain_unsealed_and_says_so(staff: Staff) -> None:
    good, bad = decided(staff), decided(staff, "2026-03-03 09:00")
    legacy(good)
    legacy(bad)
    DossierEvent.objects.filter(dossier=bad, seq=2).update(reason="sửa trước khi nâng cấp")
    out = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("audit", "rechain", stdout=out)
    assert caught.value.returncode == 1
    assert f"{bad.ref}#2: " in out.getvalue()
    assert not AuditRoot.objects.exists()
    assert DossierEvent.objects.get(dossier=bad, seq=2).key_id == ""
    assert DossierEvent.objects.get(dossier=good, seq=2).key_id != ""


def test_old_chains_stay_verifiable_after_both_keys_rotate(
    staff: Staff, three: list[Dossier]
) -> None:
    old_id = DossierEvent.objects.get(dossier=three[0], seq=1).key_id
    call_command("audit", "rotate-key", stdout=StringIO())
    call_command("audit", "rotate-key", "--signing", stdout=StringIO())
    moved = s.dossier_forward(dossier=three[2], actor=staff.specialist, at=at("2026-03-04 10:00"))
    newest = DossierEvent.objects.get(dossier=moved, seq=moved.version)
    assert newest.key_id not in ("", old_id)
    assert (key_dir() / f"chain-{old_id}.key").exists()
    assert publish()[0] == 0
    first, second = (json.loads((roots_dir() / f"root-00000{n}.json").read_text()) for n in (1, 2))
    assert first["key_fingerprint"] != second["key_fingerprint"]
    assert verify()[0] == 0


def test_keys_are_files_only_their_owner_reads(three: list[Dossier]) -> None:
    for name in ("chain.key", "roots.pem"):
        assert os.stat(key_dir() / name).st_mode & 0o777 == 0o600


def test_the_key_may_come_from_the_environment(
    staff: Staff, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, settings: Any
) -> None:
    monkeypatch.setenv("MOTCUA_AUDIT_KEY", "k" * 40)
    settings.MOTCUA_AUDIT_KEY_DIR = tmp_path / "keys"
    dossier = received(staff)
    assert not (tmp_path / "keys" / "chain.key").exists()
    assert verify()[0] == 0
    monkeypatch.setenv("MOTCUA_AUDIT_KEY", "another key that is long enough 0123")
    code, output = verify("--no-root")
    assert code == 1
    assert f"{dossier.ref}#1: " in output
    assert "sealed with a key this installation does not have" in output


def test_the_latest_root_is_public_and_carries_no_personal_data(
    client: Any, three: list[Dossier]
) -> None:
    latest = client.get("/audit/roots/latest.json")
    assert latest.status_code == 200
    document = latest.json()
    assert document == json.loads((roots_dir() / "root-000001.json").read_text())
    assert {"signature", "key_fingerprint", "public_key", "root", "published_at"} <= set(document)
    body = latest.content.decode()
    assert all(d.ref not in body and "Cường" not in body for d in three)
    listing = client.get(reverse("dossiers:audit-roots")).json()
    assert [r["number"] for r in listing["roots"]] == [1]
    assert client.get(listing["roots"][0]["url"]).json() == document


def test_no_root_yet_is_a_clear_404(client: Any, db: None) -> None:
    response = client.get("/audit/roots/latest.json")
    assert response.status_code == 404
    assert response.json()["code"] == "no_root"


def test_the_scheduler_publishes_a_root_once_a_day(staff: Staff) -> None:
    decided(staff)
    call_command("scheduler", once=True)
    queued = DBTaskResult.objects.filter(task_path=audit_publish_task.module_path)
    assert queued.count() == 1
    assert audit_publish_task.call()["published"] == 1
    assert audit_publish_task.call()["published"] is None  # not due again today
    call_command("scheduler", once=True)
    assert queued.count() == 1


def test_production_without_a_shared_key_is_warned(
    settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("MOTCUA_AUDIT_KEY", raising=False)
    monkeypatch.delenv("MOTCUA_AUDIT_KEY_DIR", raising=False)
    settings.EMBEDDED = False
    assert [w.id for w in audit_key_check()] == ["motcua.W001"]
    monkeypatch.setenv("MOTCUA_AUDIT_KEY", "k" * 40)
    assert audit_key_check() == []
