"""Checking a PDF's signatures, and finding the issued document it is.

What a citizen or an agency wants to know from a PDF: is it signed, by which unit, when, has it
changed since, and is the signer's certificate one we trust (the test CA in the demo; the
roots in ``MOTCUA_SIGNING_DIR/trust/`` in production). pyHanko does the checking; this module
only reduces its report to those answers.

Apps that issue documents register a finder (``issued_finder_register``) that says which of
their documents has a given SHA-256; this app never imports them.
"""

from __future__ import annotations

import datetime
import hashlib
import io
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from motcua.common.errors import DomainError

from .constants import VerificationStatus

if TYPE_CHECKING:  # pyHanko takes a second and a half to import: only when a PDF is checked
    from asn1crypto import x509 as asn1_x509
    from pyhanko.sign.validation.pdf_embedded import EmbeddedPdfSignature
    from pyhanko.sign.validation.status import PdfSignatureStatus
    from pyhanko_certvalidator import ValidationContext

log = logging.getLogger(__name__)

# Worst first: the document's status is its worst signature's.
SEVERITY = [
    VerificationStatus.BROKEN,
    VerificationStatus.CERTIFICATE_INVALID,
    VerificationStatus.UNKNOWN_SIGNER,
    VerificationStatus.VALID,
]


class UnreadablePdf(DomainError):
    """The upload is not a PDF we can read: a clear message, never a crash."""

    def __init__(self) -> None:
        super().__init__(
            _(
                "Không đọc được tệp: đây không phải tệp PDF hợp lệ (hoặc tệp bị hỏng, bị mã hóa). "
                "Hãy tải lên đúng tệp PDF đã nhận được."
            )
        )


@dataclass(frozen=True)
class SignatureReport:
    """One signature of the file, as a person reads it."""

    status: VerificationStatus
    signer: str  # the certificate's CN: the unit
    authority: str  # its O: the authority above the unit
    issuer: str  # the CA that issued the certificate
    signed_at: datetime.datetime | None  # as the signer states it
    reason: str
    location: str
    covers_whole_file: bool
    intact: bool  # the signed bytes are unchanged, whatever was added after them
    trust_problem: str = ""
    detail: str = ""  # pyHanko's words, for the logs and the command line


@dataclass(frozen=True)
class IssuedMatch:
    """The issued document that a file is, in facts that name no person."""

    form: str | Promise  # e.g. "Giấy tiếp nhận hồ sơ và hẹn trả kết quả (Mẫu số 01)"
    number: str
    unit: str
    issued_at: datetime.datetime
    exact: bool  # the file is byte for byte the one issued (else: its signed part is)


@dataclass(frozen=True)
class Verification:
    status: VerificationStatus
    sha256: str
    signatures: list[SignatureReport] = field(default_factory=list)
    match: IssuedMatch | None = None

    @property
    def main(self) -> SignatureReport | None:
        """The signature that speaks for the document: the first one (the issuer's)."""
        return self.signatures[0] if self.signatures else None


Finder = Callable[[Sequence[str]], IssuedMatch | None]
FINDERS: list[Finder] = []


def issued_finder_register(finder: Finder) -> None:
    """An app that issues documents says how to find one by its SHA-256 (full or signed part)."""
    if finder not in FINDERS:
        FINDERS.append(finder)


def issued_match(exact: str, signed_parts: Sequence[str]) -> IssuedMatch | None:
    for digests, is_exact in (([exact], True), (signed_parts, False)):
        if not digests:
            continue
        for finder in FINDERS:
            found = finder(list(digests))
            if found is not None:
                return IssuedMatch(
                    form=found.form, number=found.number, unit=found.unit,
                    issued_at=found.issued_at, exact=is_exact,
                )  # fmt: skip
    return None


def validation_context(roots: list[asn1_x509.Certificate]) -> ValidationContext:
    from pyhanko_certvalidator import ValidationContext

    # Offline: no fetching of CRLs or OCSP (soft-fail), the trust roots are ours alone.
    return ValidationContext(
        trust_roots=roots,
        allow_fetching=False,
        revocation_mode="soft-fail",
    )


def subject_part(name: asn1_x509.Name, part: str) -> str:
    value = name.native.get(part, "")
    return str(value[0] if isinstance(value, list) else value)


def text_of(sig: EmbeddedPdfSignature, key: str) -> str:
    value = sig.sig_object.get(key)
    return str(value) if value is not None else ""


def judge(status: PdfSignatureStatus) -> VerificationStatus:
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate
    from pyhanko.sign.diff_analysis import ModificationLevel
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    # Changes after a signature that leave it standing: none, archival updates (DSS, document
    # time-stamps), more signatures. Anything else (annotations, new content) breaks it for us.
    allowed_after = {
        ModificationLevel.NONE, ModificationLevel.LTA_UPDATES, ModificationLevel.FORM_FILLING
    }  # fmt: skip
    whole = {SignatureCoverageLevel.ENTIRE_FILE, SignatureCoverageLevel.ENTIRE_REVISION}
    if not (status.intact and status.valid):
        return VerificationStatus.BROKEN
    if status.coverage not in whole or status.docmdp_ok is False:
        return VerificationStatus.BROKEN
    if status.modification_level not in allowed_after:
        return VerificationStatus.BROKEN
    if status.trusted:
        return VerificationStatus.VALID
    # Chained to a root we trust, but outside its validity or revoked; any other failure
    # (no chain, a chain that does not verify, a look-alike root) is an unknown signer.
    out_of_force = {
        AdESFailure.REVOKED, AdESFailure.NOT_YET_VALID, AdESIndeterminate.EXPIRED,
        AdESIndeterminate.NOT_YET_VALID, AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE, AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
        AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
    }  # fmt: skip
    if status.trust_problem_indic in out_of_force:
        return VerificationStatus.CERTIFICATE_INVALID
    return VerificationStatus.UNKNOWN_SIGNER


def report_of(sig: EmbeddedPdfSignature, roots: list[asn1_x509.Certificate]) -> SignatureReport:
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    certificate = sig.signer_cert
    facts = {
        "signer": subject_part(certificate.subject, "common_name"),
        "authority": subject_part(certificate.subject, "organization_name"),
        "issuer": subject_part(certificate.issuer, "common_name"),
        "reason": text_of(sig, "/Reason"),
        "location": text_of(sig, "/Location"),
    }
    try:
        status = validate_pdf_signature(sig, validation_context(roots))
    except Exception as error:  # a malformed signature is a broken one, whatever pyHanko raised
        log.info("signature could not be validated: %s", error)
        return SignatureReport(
            status=VerificationStatus.BROKEN, signed_at=sig.self_reported_timestamp,
            covers_whole_file=False, intact=False, detail=str(error), **facts,
        )  # fmt: skip
    return SignatureReport(
        status=judge(status),
        signed_at=status.signer_reported_dt,
        covers_whole_file=status.coverage == SignatureCoverageLevel.ENTIRE_FILE,
        trust_problem=str(status.trust_problem_indic or ""),
        intact=bool(status.intact and status.valid),
        detail=status.summary(),
        **facts,
    )


def signed_part_digest(data: bytes, sig: EmbeddedPdfSignature) -> str | None:
    """SHA-256 of the file up to the end of what the signature covers (the issued file, when
    later updates were appended to it)."""
    try:
        ranges = [int(number) for number in sig.byte_range]
        end = ranges[-2] + ranges[-1]
    except (TypeError, ValueError, IndexError):
        return None
    return hashlib.sha256(data[:end]).hexdigest() if 0 < end < len(data) else None


def read_signatures(data: bytes) -> list[EmbeddedPdfSignature]:
    from pyhanko.pdf_utils.reader import PdfFileReader

    try:
        reader = PdfFileReader(io.BytesIO(data))
        if reader.encrypted:
            raise UnreadablePdf()
        found = list(reader.embedded_regular_signatures)
    except UnreadablePdf:
        raise
    except Exception as error:  # any parse failure of an untrusted file is "unreadable"
        log.info("unreadable PDF: %s", error)
        raise UnreadablePdf() from error
    return found


def pdf_verify(data: bytes) -> Verification:
    """The signature status of ``data``: valid, broken, by an unknown CA, with an unsuitable
    certificate, or unsigned; with the issued document it is, if we issued it. Raises
    UnreadablePdf for anything that is not a readable PDF."""
    if not data.startswith(b"%PDF-") and b"%PDF-" not in data[:1024]:
        raise UnreadablePdf()
    digest = hashlib.sha256(data).hexdigest()
    signatures = read_signatures(data)
    if not signatures:
        return Verification(VerificationStatus.UNSIGNED, digest, [], issued_match(digest, []))
    from .backends import signing_backend

    roots = signing_backend().trust_roots()
    reports = [report_of(sig, roots) for sig in signatures]
    status = min((r.status for r in reports), key=SEVERITY.index)
    parts = [
        part
        for sig, report in zip(signatures, reports, strict=True)
        if report.intact and (part := signed_part_digest(data, sig)) is not None
    ]
    return Verification(status, digest, reports, issued_match(digest, parts))
