"""Signing a PDF as a unit.

Circular 01/2018/TT-VPCP art. 10 (re-issued by Circular 03/2025/TT-VPCP), under the Law on
Electronic Transactions (20/2023/QH15): the one-stop's forms are electronic and digitally
signed by the issuing agency, so a citizen or another agency can check who issued them and
that nothing changed since. PAdES baseline B-B (ETSI EN 319 142-1): a CAdES detached signature
over the whole file, SHA-256, the signer's certificate and its chain embedded; the signing time
is the one the signer states (no time-stamp authority yet).
"""

from __future__ import annotations

import io

from motcua.organizations.models import Unit

from .identity import SigningUnavailable, SigningUnit

# The name of the signature field our documents carry (one per document).
FIELD = "ChuKySoDonVi"


def pdf_sign(pdf: bytes, *, unit: Unit, reason: str, location: str) -> bytes:
    """``pdf`` signed with ``unit``'s certificate: an incremental update, so the bytes before
    the signature are ``pdf`` unchanged. Raises SigningUnavailable, never returns it unsigned."""
    # pyHanko takes a second and a half to import: only in the processes that sign.
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign import fields, signers
    from pyhanko.sign.general import SigningError

    from .backends import signing_backend

    identity = SigningUnit.of(unit)
    signer = signing_backend().signer_for(identity)
    metadata = signers.PdfSignatureMetadata(
        field_name=FIELD,
        reason=reason,
        location=location,
        subfilter=fields.SigSeedSubFilter.PADES,
        md_algorithm="sha256",
    )
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
        signed = signers.sign_pdf(writer, metadata, signer=signer)
    except (SigningError, PdfError, ValueError) as error:
        raise SigningUnavailable(identity, f"pyHanko: {error}") from error
    return bytes(signed.getvalue())
