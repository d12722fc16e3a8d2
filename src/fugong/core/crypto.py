"""Field encryption for personal data at rest: AES-256-GCM with key ids, and a blind index.

Keys come from ``settings.FIELD_ENCRYPTION_KEYS`` as ``"kid:base64key[,kid:base64key...]"``: the
first key encrypts, every listed key decrypts, so a key rotates by prepending a new one and running
:func:`reencrypt` over the stored tokens before the old key is dropped. Each key must decode to
exactly 32 bytes (AES-256).

A token reads ``v1:<kid>:<base64(nonce + ciphertext)>``. The field's name (``context``) is the
associated data, so a ciphertext copied into another column, or another kind of record, fails to
decrypt instead of showing one person's value as another field.

:func:`blind_index` is an HMAC-SHA256 under ``settings.BLIND_INDEX_KEY`` — a separate key that does
not rotate with the encryption keys, so the index stays stable and an exact-match look-up (the ID
number of a roster row against the stored records) needs no decryption. Callers normalise the value
first (for ID numbers: :func:`fugong.core.idcard.normalise`), because the index matches bytes.

Everything here is pure apart from reading the settings; parsed keys are cached per setting value,
so ``override_settings`` in tests takes effect and production parses each setting once.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import os
import re
from dataclasses import dataclass
from functools import lru_cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

VERSION = "v1"
KEY_BYTES = 32  # AES-256
NONCE_BYTES = 12  # the GCM standard nonce; random per encryption
BLIND_INDEX_MIN_KEY_BYTES = 32
_KID = re.compile(r"^[A-Za-z0-9_.-]{1,32}$")


class DecryptionError(ValueError):
    """A token cannot be decrypted; the message says why (never the plaintext)."""


class UnknownKeyIdError(DecryptionError):
    """The token names a key id that ``FIELD_ENCRYPTION_KEYS`` no longer (or never) listed."""


class InvalidTokenError(DecryptionError):
    """The token is malformed, was altered, or belongs to another field (context)."""


@dataclass(frozen=True)
class KeyRing:
    """The parsed encryption keys: ``current`` encrypts, every key in ``keys`` decrypts."""

    current: str
    keys: dict[str, bytes]

    def aead(self, kid: str) -> AESGCM:
        """The cipher for ``kid``; :class:`UnknownKeyIdError` if the key is not configured."""
        try:
            return AESGCM(self.keys[kid])
        except KeyError:
            known = ", ".join(self.keys)
            raise UnknownKeyIdError(
                f"token was encrypted with key id {kid!r}, which FIELD_ENCRYPTION_KEYS does not list (it lists: {known}); "
                "add the old key back (after the current one) to decrypt it"
            ) from None


def _decode_key(text: str, *, setting: str, label: str) -> bytes:
    """Base64 (standard or URL-safe, padding optional) to bytes, or ImproperlyConfigured."""
    cleaned = text.strip()
    padded = cleaned + "=" * (-len(cleaned) % 4)
    alphabet = re.compile(r"^[A-Za-z0-9+/=_-]*$")
    if not cleaned or not alphabet.match(cleaned):
        raise ImproperlyConfigured(f"{setting}: {label} is not base64 text")
    try:
        return base64.b64decode(padded.replace("-", "+").replace("_", "/"), validate=True)
    except (binascii.Error, ValueError):
        raise ImproperlyConfigured(f"{setting}: {label} is not valid base64") from None


@lru_cache(maxsize=8)
def parse_keys(raw: str) -> KeyRing:
    """Parse ``"kid:base64key[,kid:base64key...]"``; ImproperlyConfigured says what is wrong.

    Cached per value, so the setting is parsed once however many fields are decrypted.
    """
    setting = "FIELD_ENCRYPTION_KEYS"
    if not isinstance(raw, str) or not raw.strip():
        raise ImproperlyConfigured(f'{setting} must be set as "kid:base64key[,kid:base64key...]"')
    keys: dict[str, bytes] = {}
    for position, entry in enumerate(raw.split(","), start=1):
        kid, sep, encoded = entry.strip().partition(":")
        if not sep:
            raise ImproperlyConfigured(f'{setting}: entry {position} must read "kid:base64key" (no ":" found)')
        if not _KID.match(kid):
            raise ImproperlyConfigured(
                f"{setting}: entry {position} has key id {kid!r}; use 1–32 letters, digits, '.', '_' or '-'"
            )
        if kid in keys:
            raise ImproperlyConfigured(f"{setting}: key id {kid!r} appears twice")
        key = _decode_key(encoded, setting=setting, label=f"the key of {kid!r}")
        if len(key) != KEY_BYTES:
            raise ImproperlyConfigured(
                f"{setting}: the key of {kid!r} decodes to {len(key)} bytes; AES-256 needs exactly {KEY_BYTES} "
                f"(generate one with: python -c \"import base64,os;print(base64.urlsafe_b64encode(os.urandom({KEY_BYTES})).decode())\")"
            )
        keys[kid] = key
    return KeyRing(current=next(iter(keys)), keys=keys)


@lru_cache(maxsize=8)
def parse_blind_index_key(raw: str) -> bytes:
    """Decode ``BLIND_INDEX_KEY`` (base64, at least 32 bytes), or ImproperlyConfigured."""
    if not isinstance(raw, str) or not raw.strip():
        raise ImproperlyConfigured("BLIND_INDEX_KEY must be set (base64 of at least 32 random bytes)")
    key = _decode_key(raw, setting="BLIND_INDEX_KEY", label="the key")
    if len(key) < BLIND_INDEX_MIN_KEY_BYTES:
        raise ImproperlyConfigured(f"BLIND_INDEX_KEY decodes to {len(key)} bytes; at least {BLIND_INDEX_MIN_KEY_BYTES} are needed")
    return key


def keyring() -> KeyRing:
    """The key ring of the current settings (parsed once per setting value)."""
    return parse_keys(getattr(settings, "FIELD_ENCRYPTION_KEYS", ""))


def current_key_id() -> str:
    """The key id new tokens are encrypted with (the first of ``FIELD_ENCRYPTION_KEYS``)."""
    return keyring().current


def _check_context(context: str) -> bytes:
    if not isinstance(context, str) or not context:
        raise ValueError("context (the field name, e.g. 'workforce.Person.id_number') is required")
    return context.encode("utf-8")


def _split(token: str) -> tuple[str, bytes]:
    """``(kid, nonce + ciphertext)`` of a token, or InvalidTokenError."""
    if not isinstance(token, str):
        raise InvalidTokenError(f"a token is text, not {type(token).__name__}")
    parts = token.split(":")
    if len(parts) != 3 or parts[0] != VERSION or not parts[1]:
        raise InvalidTokenError(f'not a field-encryption token (expected "{VERSION}:<kid>:<base64>")')
    _, kid, encoded = parts
    try:
        blob = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except (binascii.Error, ValueError):
        raise InvalidTokenError("the token's payload is not valid base64") from None
    if len(blob) < NONCE_BYTES + 16:  # nonce + GCM tag at least
        raise InvalidTokenError("the token's payload is too short to hold a nonce and an authentication tag")
    return kid, blob


def key_id_of(token: str) -> str:
    """The key id a token was encrypted with (no decryption)."""
    return _split(token)[0]


def encrypt(value: str, *, context: str) -> str:
    """Encrypt ``value`` for the field ``context`` with the current key: ``v1:<kid>:<base64>``."""
    if not isinstance(value, str):
        raise TypeError(f"encrypt() takes text, not {type(value).__name__}")
    aad = _check_context(context)
    ring = keyring()
    nonce = os.urandom(NONCE_BYTES)
    ciphertext = ring.aead(ring.current).encrypt(nonce, value.encode("utf-8"), aad)
    return f"{VERSION}:{ring.current}:{base64.urlsafe_b64encode(nonce + ciphertext).decode('ascii')}"


def decrypt(token: str, *, context: str) -> str:
    """The plaintext of ``token`` written for the field ``context``.

    Raises :class:`UnknownKeyIdError` when its key is not configured and :class:`InvalidTokenError`
    when it is malformed, was altered, or was encrypted for another field.
    """
    aad = _check_context(context)
    kid, blob = _split(token)
    aead = keyring().aead(kid)
    try:
        plaintext = aead.decrypt(blob[:NONCE_BYTES], blob[NONCE_BYTES:], aad)
    except InvalidTag:
        raise InvalidTokenError(
            f"authentication failed for a token of key {kid!r}: it was altered, or it belongs to another field than {context!r}"
        ) from None
    return plaintext.decode("utf-8")


def needs_reencryption(token: str) -> bool:
    """Whether ``token`` uses a key other than the current one (a rotation job's filter)."""
    return key_id_of(token) != current_key_id()


def reencrypt(token: str, *, context: str) -> str:
    """``token`` under the current key: unchanged if it already is, else decrypted and encrypted anew."""
    if not needs_reencryption(token):
        return token
    return encrypt(decrypt(token, context=context), context=context)


def blind_index(value: str, *, context: str) -> str:
    """A keyed hash (HMAC-SHA256, hex) of ``value`` for exact-match look-ups in the field ``context``.

    Uses ``BLIND_INDEX_KEY`` only, so it does not change when the encryption keys rotate. The key
    is first derived per context, so one person's number gives unrelated indexes in two fields.
    """
    if not isinstance(value, str):
        raise TypeError(f"blind_index() takes text, not {type(value).__name__}")
    subkey = hmac.new(parse_blind_index_key(getattr(settings, "BLIND_INDEX_KEY", "")),
                      b"fugong.blind_index:" + _check_context(context), hashlib.sha256).digest()
    return hmac.new(subkey, value.encode("utf-8"), hashlib.sha256).hexdigest()
