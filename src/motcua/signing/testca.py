"""A local certificate authority for the demo and the tests; never for production.

Made with ``cryptography`` (no shell-outs) and kept outside the database, in
``MOTCUA_SIGNING_DIR/test-ca/``: one root certificate, then one signing certificate per unit,
made the first time that unit signs (CN = the unit, O = the authority above it, in UTF-8).
Private keys are written 0600 in 0700 folders, each file atomically (written aside, then
renamed); a file lock keeps two workers from making the same key at once.

RSA 2048 with SHA-256, as the government's and the public CAs' signing certificates are.
"""

from __future__ import annotations

import datetime
import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from .identity import SigningUnit

ROOT_NAME = "Một Cửa Hà Nội — CA thử nghiệm"  # CN: 64 bytes at most
ROOT_ORGANIZATION = "Một Cửa Hà Nội — không có giá trị pháp lý"
ROOT_LIFETIME = datetime.timedelta(days=20 * 365)
UNIT_LIFETIME = datetime.timedelta(days=5 * 365)
# A unit certificate this close to its end is replaced before it signs again.
RENEW_BEFORE = datetime.timedelta(days=30)
# Certificates start a little in the past: clocks of servers and readers differ.
BACKDATE = datetime.timedelta(hours=1)
KEY_SIZE = 2048


@dataclass(frozen=True)
class Credentials:
    """A signing key, its certificate and the chain above it (the root last)."""

    key: rsa.RSAPrivateKey
    certificate: x509.Certificate
    chain: tuple[x509.Certificate, ...]


def utcnow() -> datetime.datetime:
    # Certificates and signatures live on the real clock, not the clock of a replay.
    return datetime.datetime.now(datetime.UTC)


def new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def write_private(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` as a 0600 file, all at once (no reader sees half a key)."""
    aside = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(aside, 0o600)
        os.replace(aside, path)
    finally:
        aside.unlink(missing_ok=True)


def key_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )


def cert_pem(certificate: x509.Certificate) -> bytes:
    return certificate.public_bytes(serialization.Encoding.PEM)


def usage(*, signs_documents: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=signs_documents,
        content_commitment=signs_documents,  # non-repudiation: what PDF readers look for
        key_encipherment=False,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=not signs_documents,
        crl_sign=not signs_documents,
        encipher_only=False,
        decipher_only=False,
    )


def common_name(name: str) -> str:
    """The unit's name as a certificate's CN, which RFC 5280 bounds at 64 (``cryptography``:
    64 bytes of UTF-8). The Service Center's branches ("Chi nhánh Trung tâm … Hà Nội - Chi nhánh
    số 1 (Tây Hồ)") keep their own part, after the center's name, which O carries; anything
    still longer is cut."""
    if len(name.encode()) <= 64:
        return name
    own = name.partition(" - ")[2]
    if own and len(own.encode()) <= 64:
        return own
    while len((name + "…").encode()) > 64:
        name = name[:-1]
    return name.rstrip() + "…"


def organization_name(name: str) -> str:
    """O is bounded at 64 characters too (``cryptography`` does not check it)."""
    return name if len(name) <= 64 else name[:63].rstrip() + "…"


def subject_names(unit: SigningUnit) -> tuple[str, str]:
    """(CN, O) of the unit's certificate."""
    return common_name(unit.name), organization_name(unit.authority)


def fresh(certificate: x509.Certificate) -> bool:
    """Not yet in the weeks before its end, when the test CA replaces it."""
    return certificate.not_valid_after_utc - RENEW_BEFORE > utcnow()


def names(certificate: x509.Certificate) -> tuple[str, str]:
    """(CN, O) of a certificate's subject."""

    def first(oid: x509.ObjectIdentifier) -> str:
        found = certificate.subject.get_attributes_for_oid(oid)
        return str(found[0].value) if found else ""

    return first(NameOID.COMMON_NAME), first(NameOID.ORGANIZATION_NAME)


class TestCertificateAuthority:
    """The test CA in one folder: ``root.key.pem``, ``root.crt.pem``, ``units/<code>.*.pem``."""

    __test__ = False  # not a pytest test class, whatever its name

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)

    @property
    def root_key_path(self) -> Path:
        return self.folder / "root.key.pem"

    @property
    def root_cert_path(self) -> Path:
        return self.folder / "root.crt.pem"

    def unit_paths(self, code: str) -> tuple[Path, Path]:
        units = self.folder / "units"
        return units / f"{code}.key.pem", units / f"{code}.crt.pem"

    @contextmanager
    def locked(self) -> Iterator[None]:
        (self.folder / "units").mkdir(parents=True, exist_ok=True, mode=0o700)
        os.chmod(self.folder, 0o700)
        os.chmod(self.folder / "units", 0o700)
        with open(self.folder / ".lock", "a+b") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    # The root --------------------------------------------------------------------------------

    def root(self) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
        """The root certificate and key, made the first time they are needed."""
        found = self.read_root()
        if found is not None:
            return found
        with self.locked():
            found = self.read_root()
            if found is None:
                found = self.make_root()
        return found

    def root_certificate(self) -> x509.Certificate:
        return self.root()[0]

    def read_root(self) -> tuple[x509.Certificate, rsa.RSAPrivateKey] | None:
        if not self.root_cert_path.exists():  # the certificate is written last
            return None
        certificate = x509.load_pem_x509_certificate(self.root_cert_path.read_bytes())
        key = serialization.load_pem_private_key(self.root_key_path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            raise ValueError(f"{self.root_key_path} is not an RSA key")
        return certificate, key

    def make_root(self) -> tuple[x509.Certificate, rsa.RSAPrivateKey]:
        key = new_key()
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, ROOT_ORGANIZATION),
                x509.NameAttribute(NameOID.COMMON_NAME, ROOT_NAME),
            ]
        )
        start = utcnow() - BACKDATE
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(start + ROOT_LIFETIME)
            .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
            .add_extension(usage(signs_documents=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .sign(key, hashes.SHA256())
        )
        write_private(self.root_key_path, key_pem(key))
        write_private(self.root_cert_path, cert_pem(certificate))
        return certificate, key

    # The units -------------------------------------------------------------------------------

    def unit_credentials(self, unit: SigningUnit) -> Credentials:
        """The unit's key and certificate; made (or renewed) when missing, ending soon, issued
        by another root or naming the unit differently."""
        root, root_key = self.root()
        found = self.read_unit(unit, root)
        if found is not None:
            return found
        with self.locked():
            found = self.read_unit(unit, root)
            if found is None:
                found = self.make_unit(unit, root, root_key)
        return found

    def read_unit(self, unit: SigningUnit, root: x509.Certificate) -> Credentials | None:
        key_path, cert_path = self.unit_paths(unit.code)
        if not cert_path.exists():
            return None
        certificate = x509.load_pem_x509_certificate(cert_path.read_bytes())
        if not self.still_good(certificate, unit, root):
            return None
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=None)
        if not isinstance(key, rsa.RSAPrivateKey):
            return None
        return Credentials(key=key, certificate=certificate, chain=(root,))

    @staticmethod
    def still_good(
        certificate: x509.Certificate, unit: SigningUnit, root: x509.Certificate
    ) -> bool:
        try:
            certificate.verify_directly_issued_by(root)
        except (ValueError, TypeError, InvalidSignature):  # another root, or not signed by it
            return False
        return fresh(certificate) and names(certificate) == subject_names(unit)

    def make_unit(
        self, unit: SigningUnit, root: x509.Certificate, root_key: rsa.RSAPrivateKey
    ) -> Credentials:
        key = new_key()
        cn, organization = subject_names(unit)
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
                x509.NameAttribute(NameOID.LOCALITY_NAME, "Hà Nội"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                x509.NameAttribute(NameOID.COMMON_NAME, cn),
            ]
        )
        start = utcnow() - BACKDATE
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(root.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(start)
            .not_valid_after(min(start + UNIT_LIFETIME, root.not_valid_after_utc))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(usage(signs_documents=True), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(root.public_key()),  # type: ignore[arg-type]
                critical=False,
            )
            .sign(root_key, hashes.SHA256())
        )
        key_path, cert_path = self.unit_paths(unit.code)
        write_private(key_path, key_pem(key))
        write_private(cert_path, cert_pem(certificate))
        return Credentials(key=key, certificate=certificate, chain=(root,))
