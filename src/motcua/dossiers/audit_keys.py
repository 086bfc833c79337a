"""The audit's two keys, both kept outside the database (decision 0009).

- The **chain key** (HMAC-SHA256) seals every dossier event. It comes from ``MOTCUA_AUDIT_KEY``
  or, in an embedded install, from ``<key dir>/chain.key``, created on first use with mode 0600.
  Each event stores the *id* of the key that sealed it (a digest of the key, never the key), so
  after a rotation old chains still verify with a retired key: ``chain-<id>.key`` files in the key
  dir, or ``MOTCUA_AUDIT_OLD_KEYS`` (comma-separated).
- The **signing key** (Ed25519) signs the published roots: ``<key dir>/roots.pem`` (0600),
  created on first publish, with its public half beside it in ``roots.pub``. Roots verify against
  the public keys found in the key dir (``roots.pub`` and retired ``roots-<fingerprint>.pub``), so
  a machine that only verifies needs no private key at all.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import os
import secrets
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings

try:
    from _hashlib import hmac_new  # what ``hmac.new`` wraps, when present
except ImportError:  # a Python built without OpenSSL's hashes
    hmac_new = None  # type: ignore[assignment]


def mac_begun(secret: bytes) -> Any:
    """An HMAC-SHA256 keyed with ``secret``, to be ``copy()``-ed, ``update()``-d, ``hexdigest()``-ed."""
    if hmac_new is not None:
        return hmac_new(secret, digestmod="sha256")
    return hmac.new(secret, digestmod="sha256")


KEY_ENV = "MOTCUA_AUDIT_KEY"
OLD_KEYS_ENV = "MOTCUA_AUDIT_OLD_KEYS"
CHAIN_FILE = "chain.key"
SIGNING_FILE = "roots.pem"
PUBLIC_FILE = "roots.pub"


class AuditKeyError(Exception):
    """A key is missing or unusable; the message says what to do."""


def key_dir() -> Path:
    return Path(settings.MOTCUA_AUDIT_KEY_DIR)


def key_id(secret: bytes) -> str:
    """A short public name for a chain key: it identifies the key and reveals nothing of it."""
    return hashlib.sha256(b"motcua-audit-key-id\x00" + secret).hexdigest()[:16]


def write_new_file(path: Path, content: bytes) -> bool:
    """Create ``path`` with mode 0600 unless it exists; False when another process won the race."""
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=".new-")
    try:
        os.write(handle, content)
        os.fchmod(handle, 0o600)
        os.close(handle)
        os.link(temporary, path)  # atomic, and fails when the file is already there
        return True
    except FileExistsError:
        return False
    finally:
        Path(temporary).unlink(missing_ok=True)


@dataclass(frozen=True)
class ChainKeys:
    current_id: str
    by_id: dict[str, bytes]

    @functools.cached_property
    def macs(self) -> dict[str, Any]:
        """An HMAC-SHA256 begun with each key, to be copied for each event: a third cheaper than
        beginning one per event (``audit verify`` checks hundreds of thousands a second). OpenSSL's
        own object where Python has it, as the ``hmac`` module itself uses: its copy, update and
        digest run without ``hmac.HMAC``'s Python layer (a quarter of each check's HMAC time)."""
        return {key: mac_begun(secret) for key, secret in self.by_id.items()}

    @property
    def current(self) -> bytes:
        return self.by_id[self.current_id]


def secret_from_text(text: str, where: str) -> bytes:
    value = text.strip()
    if len(value) < 32:
        raise AuditKeyError(f"{where}: khóa quá ngắn (ít nhất 32 ký tự) / key shorter than 32")
    return value.encode()


_CACHE: dict[tuple[object, str, str, bool], ChainKeys | None] = {}


def chain_keys(*, create: bool = True) -> ChainKeys | None:
    """The current chain key and every retired one; None when there is none and ``create`` is
    off (a verifier never invents a key: it would only make every seal look forged)."""
    env = os.environ.get(KEY_ENV, "")
    old_env = os.environ.get(OLD_KEYS_ENV, "")
    cache_key = (settings.MOTCUA_AUDIT_KEY_DIR, env, old_env, create)  # asked once per event
    if cache_key in _CACHE:
        return _CACHE[cache_key]
    keys = load_chain_keys(env, old_env, create=create)
    if keys is not None:  # a missing key may be created later: do not remember its absence
        _CACHE[cache_key] = keys
    return keys


def load_chain_keys(env: str, old_env: str, *, create: bool) -> ChainKeys | None:
    folder = key_dir()
    by_id: dict[str, bytes] = {}
    for path in sorted(folder.glob("chain-*.key")) if folder.is_dir() else []:
        secret = secret_from_text(path.read_text(), path.name)
        by_id[key_id(secret)] = secret
    for text in old_env.split(","):
        if text.strip():
            secret = secret_from_text(text, OLD_KEYS_ENV)
            by_id[key_id(secret)] = secret
    if env:
        current = secret_from_text(env, KEY_ENV)
    else:
        path = folder / CHAIN_FILE
        if not path.exists():
            if not create:
                return ChainKeys("", by_id) if by_id else None
            write_new_file(path, secrets.token_hex(32).encode())
        current = secret_from_text(path.read_text(), CHAIN_FILE)
    by_id[key_id(current)] = current
    return ChainKeys(key_id(current), by_id)


def chain_key_rotate() -> tuple[str, str]:
    """Retire the file key (kept as ``chain-<id>.key`` to verify old events) and make a new one.
    Returns (old id, new id). With ``MOTCUA_AUDIT_KEY`` the operator rotates by hand."""
    if os.environ.get(KEY_ENV):
        raise AuditKeyError(
            f"Khóa lấy từ {KEY_ENV}: đặt khóa mới vào {KEY_ENV} và thêm khóa cũ vào "
            f"{OLD_KEYS_ENV} / the key comes from {KEY_ENV}: set the new key there and add the "
            f"old one to {OLD_KEYS_ENV}"
        )
    keys = chain_keys(create=True)
    assert keys is not None
    old_id, old_secret = keys.current_id, keys.current
    write_new_file(key_dir() / f"chain-{old_id}.key", old_secret)
    (key_dir() / CHAIN_FILE).unlink()
    _CACHE.clear()
    new = chain_keys(create=True)
    assert new is not None
    return old_id, new.current_id


def public_raw(public: Ed25519PublicKey) -> bytes:
    return public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def fingerprint(public: Ed25519PublicKey) -> str:
    return hashlib.sha256(public_raw(public)).hexdigest()


def signing_key() -> Ed25519PrivateKey:
    """The roots' signing key, created (with its public half) on first use."""
    path = key_dir() / SIGNING_FILE
    if not path.exists():
        private = Ed25519PrivateKey.generate()
        pem = private.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        if write_new_file(path, pem):
            public_pem = private.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            (key_dir() / PUBLIC_FILE).unlink(missing_ok=True)
            write_new_file(key_dir() / PUBLIC_FILE, public_pem)
    loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(loaded, Ed25519PrivateKey):
        raise AuditKeyError(f"{path.name}: không phải khóa Ed25519 / not an Ed25519 key")
    return loaded


def trusted_public_keys() -> dict[str, Ed25519PublicKey]:
    """Fingerprint → public key, for every roots key this installation trusts."""
    folder = key_dir()
    found: dict[str, Ed25519PublicKey] = {}
    for path in sorted(folder.glob("roots*.pub")) if folder.is_dir() else []:
        loaded = serialization.load_pem_public_key(path.read_bytes())
        if isinstance(loaded, Ed25519PublicKey):
            found[fingerprint(loaded)] = loaded
    return found


def signing_key_rotate() -> tuple[str, str]:
    """Keep the old public key (``roots-<fingerprint>.pub``) so old roots verify; drop the old
    private key so it can sign nothing more; make a new pair. Returns (old, new) fingerprints."""
    old = signing_key().public_key()
    old_pem = old.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    write_new_file(key_dir() / f"roots-{fingerprint(old)[:16]}.pub", old_pem)
    (key_dir() / SIGNING_FILE).unlink()
    return fingerprint(old), fingerprint(signing_key().public_key())
