"""Address, note and phone are sealed at rest, with a key that is kept outside the database.

What this protects: a copied database file or backup, a database dump, a look over a database
administrator's shoulder. What it does not: someone who has both the database and the key (the machine
the bot runs on), and the running bot itself, which must read an address to send it to the worker.

- A sealed text is ``s1.<key id>.<base64 of nonce + AES-256-GCM ciphertext>``. The key id is the first
  8 hex digits of the key's SHA-256, so the ring knows which of its keys opens a value. The column's
  name goes in as associated data: a sealed note cannot be passed off as an address.
- The empty text stays empty (an anonymised house number holds nothing to hide), and a text without
  the prefix is read as it is (rows from before sealing, until the migration seals them).
- Duplicates are found through a keyed hash (HMAC-SHA-256) of the address, never the address itself.
- The first key of the ring seals; every key opens. ``omzien privacy rotate-key`` seals everything under
  a new first key (``omzien.services.privacy.rotate_key``).

The ring belongs to an engine (``create_engine(url, keys)``): the column types below find it on the
engine's dialect, so sealing happens in one place and the rest of the code reads plain values.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.hashes import SHA256
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from sqlalchemy import String, Text, TypeDecorator

from omzien.core.settings import Settings

PREFIX = "s1."
KEY_BYTES = 32
_NONCE_BYTES = 12


class KeyMissing(Exception):
    """A value was sealed with a key the ring does not hold."""

    def __init__(self, key_id: str) -> None:
        super().__init__(f"no key {key_id} in the ring")
        self.key_id = key_id


class BadKey(Exception):
    """A key given in OMZIEN_SECRET_KEY or the key file is not 32 bytes in base64."""


def _derive(key: bytes, purpose: bytes) -> bytes:
    return HKDF(algorithm=SHA256(), length=KEY_BYTES, salt=None, info=b"omzien " + purpose).derive(key)


class Keyring:
    """The keys that open sealed values; the first also seals and hashes."""

    def __init__(self, keys: Sequence[bytes]) -> None:
        if not keys or any(len(key) != KEY_BYTES for key in keys):
            raise BadKey("a key is 32 bytes")
        self.keys = list(keys)
        self._ciphers = {key_id(key): AESGCM(_derive(key, b"seal")) for key in keys}
        self._hash_keys = [_derive(key, b"address") for key in keys]
        self.ids = [key_id(key) for key in keys]
        self.current = self.ids[0]
        self._current_cipher = self._ciphers[self.current]

    @classmethod
    def generate(cls) -> Keyring:
        return cls([new_key()])

    @classmethod
    def from_text(cls, text: str) -> Keyring:
        """Keys in base64, separated by commas or new lines; the first is the current one."""
        try:
            keys = [base64.b64decode(part, validate=True) for part in text.replace(",", "\n").split()]
        except ValueError:
            raise BadKey("not base64") from None
        return cls(keys)

    def as_text(self) -> str:
        return "\n".join(base64.b64encode(key).decode() for key in self.keys) + "\n"

    def seal(self, plain: str, purpose: str) -> str:
        if not plain:
            return plain
        nonce = os.urandom(_NONCE_BYTES)
        sealed = self._current_cipher.encrypt(nonce, plain.encode(), purpose.encode())
        return f"{PREFIX}{self.current}.{base64.urlsafe_b64encode(nonce + sealed).decode()}"

    def open(self, value: str, purpose: str) -> str:
        if not value.startswith(PREFIX):
            return value
        kid, _, body = value[len(PREFIX):].partition(".")
        cipher = self._ciphers.get(kid)
        if cipher is None:
            raise KeyMissing(kid)
        raw = base64.urlsafe_b64decode(body)
        return cipher.decrypt(raw[:_NONCE_BYTES], raw[_NONCE_BYTES:], purpose.encode()).decode()

    def address_hash(self, address_key: str) -> str:
        """The same address always gives the same hash under the current key; nothing can be read back."""
        return hmac.new(self._hash_keys[0], address_key.encode(), hashlib.sha256).hexdigest()[:40]

    def sealed_under_current(self) -> str:
        """The prefix of what the current key sealed (for finding what must be sealed again)."""
        return f"{PREFIX}{self.current}."


def new_key() -> bytes:
    return secrets.token_bytes(KEY_BYTES)


def key_id(key: bytes) -> str:
    return hashlib.sha256(key).hexdigest()[:8]


def load_keyring(settings: Settings) -> Keyring:
    """The keys from ``OMZIEN_SECRET_KEY`` if set, otherwise from the key file, made on first use (mode 0600)."""
    if settings.secret_key is not None and settings.secret_key.get_secret_value().strip():
        return Keyring.from_text(settings.secret_key.get_secret_value())
    key_file = settings.key_file
    try:
        return Keyring.from_text(key_file.read_text())
    except FileNotFoundError:
        pass
    keys = Keyring.generate()
    write_key_file(key_file, keys, new=True)
    return keys


def write_key_file(path: Path, keys: Keyring, *, new: bool = False) -> None:
    """Written whole or not at all, readable by the owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(path.name + ".new")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(keys.as_text())
        handle.flush()
        os.fsync(handle.fileno())
    if new and path.exists():  # another process made it first: theirs wins
        temporary.unlink()
        return
    os.replace(temporary, path)


def attach(dialect: Any, keys: Keyring) -> None:
    dialect.omzien_keys = keys


def keys_of(dialect: Any) -> Keyring:
    keys = getattr(dialect, "omzien_keys", None)
    if keys is None:
        raise RuntimeError("this engine has no keyring: make it with omzien.storage.db.create_engine(url, keys)")
    return keys


class Sealed(TypeDecorator[str]):
    """A text column whose values are sealed with the engine's keyring; ``purpose`` is the column's name."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keys_of(dialect).seal(value, self.purpose)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keys_of(dialect).open(value, self.purpose)


class SealedJSON(TypeDecorator[Any]):
    """A JSON value (a conversation's draft, a message waiting to be sent), sealed as a whole."""

    impl = Text
    cache_ok = True

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def process_bind_param(self, value: Any, dialect: Any) -> str | None:
        if value is None:
            return None
        return keys_of(dialect).seal(json.dumps(value, ensure_ascii=False, separators=(",", ":")), self.purpose)

    def process_result_value(self, value: str | None, dialect: Any) -> Any:
        return None if value is None else json.loads(keys_of(dialect).open(value, self.purpose))


class AddressHash(TypeDecorator[str]):
    """An address key stored and compared as its keyed hash: ``Signal.address_key == address.key`` just works.

    An anonymised signal holds ``x<id>`` here, written by SQL expression, so no hash is made of it."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keys_of(dialect).address_hash(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return value
