"""Files that no row names (a process killed between writing a file and committing its row) are
removed by the sweep once older than the grace period; named files, files of a transaction still
running and the tracking books' own folder are kept (issue 18)."""

from __future__ import annotations

import datetime
import io

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from motcua.backup.orphans import orphans_sweep
from motcua.common.clock import now
from motcua.dossiers import services as s
from motcua.dossiers.models import Dossier, DossierDocument
from motcua.dossiers.tracking_book import BOOKS_FOLDER
from tests.dossiers.conftest import Staff, at, received
from tests.files import PDF
from tests.storage import stored_files

pytestmark = [pytest.mark.django_db, pytest.mark.s3]

GRACE = datetime.timedelta(hours=6)
LATER = datetime.timedelta(hours=7)


@pytest.fixture
def stored() -> dict[str, str]:
    """A dossier's document, an orphan of the same kind, and a tracking book."""
    staff = Staff()
    dossier = received(staff)
    s.dossier_attach(
        dossier=Dossier.objects.get(pk=dossier.pk), actor=staff.reception,
        at=at("2026-03-04 09:00"), upload=SimpleUploadedFile("to-khai.pdf", PDF),
        name="Tờ khai", digitised_at_counter=True,
    )  # fmt: skip
    return {
        "named": DossierDocument.objects.get(dossier=dossier).file.name,
        "orphan": default_storage.save("dossiers/2026/03/bo-roi.pdf", ContentFile(PDF)),
        "book": default_storage.save(f"{BOOKS_FOLDER}/x/2026/so.pdf", ContentFile(b"book")),
    }


def test_an_old_file_no_row_names_is_removed_and_nothing_else(stored: dict[str, str]) -> None:
    report = orphans_sweep(at=now() + LATER, grace=GRACE)
    assert report.removed == [stored["orphan"]]
    assert stored_files() == sorted([stored["named"], stored["book"]])


def test_a_file_younger_than_the_grace_period_is_kept(stored: dict[str, str]) -> None:
    report = orphans_sweep(at=now(), grace=GRACE)
    assert report.removed == []
    assert report.too_young == 1
    assert stored["orphan"] in stored_files()


def test_the_command_lists_without_removing_on_a_dry_run(stored: dict[str, str]) -> None:
    out = io.StringIO()
    call_command("files_sweep", "--dry-run", "--grace-hours", "0", stdout=out)
    assert f"would remove {stored['orphan']}" in out.getvalue()
    assert stored["orphan"] in stored_files()
    call_command("files_sweep", "--grace-hours", "0", stdout=out)
    assert stored_files() == sorted([stored["named"], stored["book"]])
