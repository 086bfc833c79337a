"""Where a unit's signature comes from: the adapter between our documents and the keys.

A backend answers two questions: "which pyHanko ``Signer`` signs for this unit?" and "which root
certificates do we trust when we verify?". pyHanko's ``Signer`` is the seam for remote signing:
a backend for an HSM or a CA's remote signing service returns a signer whose raw signature is
made elsewhere (pyHanko ships a Cloud Signature Consortium client, ``CSCSigner``, and a PKCS#11
one), and nothing else here changes. ``MOTCUA_SIGNING_BACKEND`` names the backend:

- ``test-ca`` (the embedded default): a local test CA made on demand (``testca.py``); refused in
  production mode.
- ``pkcs12`` (the production default): one PKCS#12 file per unit in
  ``MOTCUA_SIGNING_DIR/units/<unit code>.p12``, its passphrase in ``<unit code>.pass`` beside it
  or in ``MOTCUA_SIGNING_PASSPHRASE``.
- a dotted path to a class taking no arguments that implements :class:`SigningBackend`.

Trusted roots for verification: every certificate file in ``MOTCUA_SIGNING_DIR/trust/``
(PEM or DER), plus the test CA's root under the test CA backend.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.types import PrivateKeyTypes
from cryptography.hazmat.primitives.serialization import pkcs12
from django.conf import settings
from django.utils.module_loading import import_string
from pyhanko.keys import load_certs_from_pemder_data
from pyhanko.keys.internal import (
    translate_pyca_cryptography_cert_to_asn1,
    translate_pyca_cryptography_key_to_asn1,
)
from pyhanko.sign import signers
from pyhanko.sign.general import get_pyca_cryptography_hash
from pyhanko_certvalidator.registry import SimpleCertificateStore

from .identity import SigningUnavailable, SigningUnit
from .testca import TestCertificateAuthority, fresh, names, subject_names, utcnow

if TYPE_CHECKING:
    from asn1crypto import x509 as asn1_x509

CERTIFICATE_SUFFIXES = {".pem", ".crt", ".cer", ".der"}


class SigningBackend(Protocol):
    def signer_for(self, unit: SigningUnit) -> signers.Signer:
        """A signer holding (or reaching) the unit's key; raises SigningUnavailable."""
        ...

    def trust_roots(self) -> list[asn1_x509.Certificate]:
        """The root certificates whose signatures count as valid when verifying."""
        ...


class KeptKeySigner(signers.SimpleSigner):
    """pyHanko's SimpleSigner with the parsed private key kept.

    SimpleSigner parses the key again for every signature, and parsing an RSA key checks it
    (about 50 ms, twice per document with pyHanko's size estimate); the key here is parsed once
    per process. Mechanisms other than RSA PKCS#1 v1.5 and ECDSA go through pyHanko's own code."""

    def __init__(
        self,
        *,
        key: PrivateKeyTypes,
        certificate: x509.Certificate,
        chain: list[x509.Certificate],
    ) -> None:
        super().__init__(
            signing_cert=translate_pyca_cryptography_cert_to_asn1(certificate),
            signing_key=translate_pyca_cryptography_key_to_asn1(key),
            cert_registry=SimpleCertificateStore.from_certs(
                [translate_pyca_cryptography_cert_to_asn1(c) for c in chain]
            ),
        )
        self.kept_key = key
        self.certificate = certificate

    def sign_raw(self, data: bytes, digest_algorithm: str) -> bytes:
        mechanism = self.get_signature_mechanism_for_digest(digest_algorithm).signature_algo
        digest = get_pyca_cryptography_hash(digest_algorithm)
        if mechanism == "rsassa_pkcs1v15" and isinstance(self.kept_key, rsa.RSAPrivateKey):
            return self.kept_key.sign(data, padding.PKCS1v15(), digest)
        if mechanism == "ecdsa" and isinstance(self.kept_key, ec.EllipticCurvePrivateKey):
            return self.kept_key.sign(data, ec.ECDSA(digest))
        return bytes(super().sign_raw(data, digest_algorithm))


def check_in_force(unit: SigningUnit, certificate: x509.Certificate) -> None:
    moment = utcnow()
    if certificate.not_valid_before_utc > moment:
        raise SigningUnavailable(unit, "chứng thư số chưa đến ngày hiệu lực")
    if certificate.not_valid_after_utc <= moment:
        raise SigningUnavailable(unit, "chứng thư số đã hết hạn")


def certificates_in(folder: Path) -> list[asn1_x509.Certificate]:
    """Every certificate in the files of ``folder`` (PEM, possibly several per file, or DER)."""
    if not folder.is_dir():
        return []
    found: list[asn1_x509.Certificate] = []
    for path in sorted(folder.iterdir()):
        if path.suffix.lower() in CERTIFICATE_SUFFIXES and path.is_file():
            found.extend(load_certs_from_pemder_data(path.read_bytes()))
    return found


class FileSignerCache:
    """Signers made from key files, kept per process until a file changes."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.signers: dict[str, tuple[tuple[int, ...], KeptKeySigner]] = {}

    def get(self, code: str, stamp: tuple[int, ...]) -> KeptKeySigner | None:
        with self.lock:
            kept = self.signers.get(code)
        return kept[1] if kept is not None and kept[0] == stamp else None

    def put(self, code: str, stamp: tuple[int, ...], signer: KeptKeySigner) -> None:
        with self.lock:
            self.signers[code] = (stamp, signer)


def stamp_of(*paths: Path) -> tuple[int, ...]:
    return tuple(p.stat().st_mtime_ns if p.exists() else 0 for p in paths)


class TestCABackend:
    """The demo's and the tests' signatures: a local CA, each unit's certificate on demand."""

    def __init__(self, folder: Path) -> None:
        if not settings.EMBEDDED:
            raise SigningUnavailable(
                "(mọi đơn vị)",
                "chế độ production không dùng CA thử nghiệm; đặt MOTCUA_SIGNING_BACKEND=pkcs12 "
                "và chứng thư số thật của từng đơn vị",
            )
        self.folder = Path(folder)
        self.ca = TestCertificateAuthority(self.folder / "test-ca")
        self.cache = FileSignerCache()

    def signer_for(self, unit: SigningUnit) -> signers.Signer:
        key_path, cert_path = self.ca.unit_paths(unit.code)
        paths = (self.ca.root_cert_path, key_path, cert_path)
        signer = self.cache.get(unit.code, stamp_of(*paths))
        current = signer is not None and fresh(signer.certificate)
        if signer is not None and current and names(signer.certificate) == subject_names(unit):
            return signer
        credentials = self.ca.unit_credentials(unit)
        signer = KeptKeySigner(
            key=credentials.key, certificate=credentials.certificate, chain=[*credentials.chain]
        )
        self.cache.put(unit.code, stamp_of(*paths), signer)
        return signer

    def trust_roots(self) -> list[asn1_x509.Certificate]:
        root = translate_pyca_cryptography_cert_to_asn1(self.ca.root_certificate())
        return [root, *certificates_in(self.folder / "trust")]


class Pkcs12Backend:
    """Production: each unit's certificate and key as issued by a CA, one PKCS#12 file each."""

    def __init__(self, folder: Path, passphrase: str = "") -> None:
        self.folder = Path(folder)
        self.passphrase = passphrase
        self.cache = FileSignerCache()

    def paths(self, unit: SigningUnit) -> tuple[Path, Path]:
        units = self.folder / "units"
        return units / f"{unit.code}.p12", units / f"{unit.code}.pass"

    def signer_for(self, unit: SigningUnit) -> signers.Signer:
        archive, secret = self.paths(unit)
        if not archive.is_file():
            raise SigningUnavailable(unit, f"không có tệp chứng thư số units/{archive.name}")
        stamp = stamp_of(archive, secret)
        signer = self.cache.get(unit.code, stamp)
        if signer is None:
            signer = self.load(unit, archive, secret)
            self.cache.put(unit.code, stamp, signer)
        check_in_force(unit, signer.certificate)
        return signer

    def load(self, unit: SigningUnit, archive: Path, secret: Path) -> KeptKeySigner:
        passphrase = secret.read_text().strip() if secret.is_file() else self.passphrase
        try:
            key, certificate, extra = pkcs12.load_key_and_certificates(
                archive.read_bytes(), passphrase.encode() if passphrase else None
            )
        except ValueError as error:
            raise SigningUnavailable(
                unit, f"không mở được units/{archive.name} (sai mật khẩu hoặc tệp hỏng)"
            ) from error
        if key is None or certificate is None:
            raise SigningUnavailable(unit, f"units/{archive.name} không chứa khóa và chứng thư")
        trusted = certificates_in(self.folder / "trust")
        chain = [*extra, *(x509.load_der_x509_certificate(c.dump()) for c in trusted)]
        return KeptKeySigner(key=key, certificate=certificate, chain=chain)

    def trust_roots(self) -> list[asn1_x509.Certificate]:
        return certificates_in(self.folder / "trust")


_BACKENDS: dict[tuple[str, str, str], Any] = {}
_BACKENDS_LOCK = threading.Lock()


def signing_backend() -> SigningBackend:
    """The configured backend, one per process (and per settings, for tests that change them)."""
    name = settings.MOTCUA_SIGNING_BACKEND
    folder = Path(settings.MOTCUA_SIGNING_DIR)
    key = (name, str(folder), str(settings.EMBEDDED))
    with _BACKENDS_LOCK:
        backend = _BACKENDS.get(key)
        if backend is None:
            backend = make_backend(name, folder)
            _BACKENDS[key] = backend
    return backend


def make_backend(name: str, folder: Path) -> SigningBackend:
    if name == "test-ca":
        return TestCABackend(folder)
    if name == "pkcs12":
        return Pkcs12Backend(folder, settings.MOTCUA_SIGNING_PASSPHRASE)
    try:
        return import_string(name)()
    except ImportError as error:
        raise SigningUnavailable(
            "(mọi đơn vị)", f"không nạp được MOTCUA_SIGNING_BACKEND={name}"
        ) from error
