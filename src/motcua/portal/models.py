from __future__ import annotations

import secrets
import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def draft_document_path(instance: DraftDocument, filename: str) -> str:
    # Under the content hash, never under the name the citizen gave the file; the random tail
    # keeps one object per row on any storage (see dossiers.models.document_path).
    return f"drafts/{instance.sha256[:2]}/{instance.sha256}-{secrets.token_hex(6)}"


class Draft(models.Model):
    """An online application being prepared (hồ sơ nháp): saved at every step, resumed later.

    ``dossier`` is set once, when the draft is submitted; a second submission of the same draft
    returns that dossier instead of creating another (a double click, a retried request).
    """

    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="drafts"
    )
    procedure = models.ForeignKey(
        "catalog.Procedure", on_delete=models.CASCADE, related_name="drafts"
    )
    case = models.ForeignKey(
        "catalog.ProcedureCase", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    situation = models.ForeignKey(
        "catalog.RequirementGroup",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=_("Trường hợp của người nộp, khi thủ tục chia giấy tờ theo trường hợp."),
    )
    no_situation = models.BooleanField(
        default=False, help_text=_("Người nộp chọn “không thuộc trường hợp nào ở trên”.")
    )
    receiving_unit = models.ForeignKey(
        "organizations.Unit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    eform_data = models.JSONField(default=dict, blank=True)
    eform_valid = models.BooleanField(default=False)
    # The applicant agreed that the documents already in their data store stand for the
    # components they satisfy (asked once per dossier; docs/decisions/0030).
    reuse_consent = models.BooleanField(default=False)
    # When the e-form was prefilled from the population registry (a VNeID-verified account):
    # the dossier sent from it records that registry data was used (``portal.population``).
    registry_prefilled_at = models.DateTimeField(null=True, blank=True)
    # What the registry put in the e-form (field → value): compared with what is sent.
    registry_prefill = models.JSONField(default=dict, blank=True)
    dossier = models.OneToOneField(
        "dossiers.Dossier", null=True, blank=True, on_delete=models.SET_NULL, related_name="draft"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("hồ sơ nháp")
        verbose_name_plural = _("hồ sơ nháp")
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return f"{self.procedure.code} ({self.owner})"


class DraftDocument(models.Model):
    """A file attached to a draft, already checked by content; copied into the dossier on submit."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="documents")
    requirement = models.ForeignKey(
        "catalog.Requirement", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    name = models.CharField(max_length=255)
    original_filename = models.CharField(max_length=255)
    file = models.FileField(upload_to=draft_document_path, max_length=200)
    sha256 = models.CharField(max_length=64)
    content_type = models.CharField(max_length=60)
    size = models.PositiveIntegerField()
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["draft_id", "uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.name} ({self.size} B)"


class OwnershipChallenge(models.Model):
    """A one-time code sent to a contact recorded on dossiers, to prove the applicant is asking.

    Only the code's keyed hash is kept. ``purpose`` is ``link`` (a signed-in account claims its
    counter dossiers) or ``reclaim`` (someone signing up finds their ID number already taken).
    """

    purpose = models.CharField(max_length=8)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    id_number = models.CharField(max_length=12, db_index=True)
    channel = models.CharField(max_length=8)
    recipient = models.CharField(max_length=254)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        verbose_name = _("mã xác minh người nộp")
        verbose_name_plural = _("mã xác minh người nộp")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.purpose} {self.id_number} {self.created_at:%d/%m/%Y %H:%M}"
