"""Pass tokens (出入证): Ed25519-signed, verifiable offline by a gate with the published public keys.

Pure: nothing here touches the database. The signing key is derived deterministically from
``settings.PASS_SIGNING_KEY`` (HKDF-SHA256 → a 32-byte Ed25519 seed); its key id (``kid``) is the
first 8 hex digits of the SHA-256 of the raw public key.

A token reads ``base64url(payload) + "." + base64url(signature)`` (no padding). The payload is
compact JSON::

    {"p": pass uuid, "r": opaque person reference, "e": enterprise id,
     "f": valid from (ISO date), "t": valid to (ISO date), "k": key id}

The signature covers the ASCII bytes of the first segment exactly as sent (as in JWS), so no
re-encoding can make two texts verify; the signature segment must be the canonical base64url of
64 bytes, so no flip of its unused low bits goes unnoticed either.

Reasons (``Verification.reason``, Chinese, shown at the gate):

- 格式错误: not two base64url segments, the payload is not the expected JSON, the dates are not dates;
- 未知密钥: the key id is not among the keys the gate holds (signed by a key we never published);
- 伪造: the signature does not verify and the pass id was never issued (only the server knows
  that: pass ``issued``);
- 被篡改: the signature does not verify under the named key (the content was altered after signing);
- 已吊销 / 尚未生效 / 已过期: a genuine pass that must not open the gate today.

Ed25519 cannot tell an altered payload from a signature made with another key under a known key
id; offline both read 被篡改, and the server, which knows the issued pass ids, says 伪造 for a
pass id it never issued.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from collections.abc import Callable, Container, Mapping
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from django.conf import settings

from fugong.core import crypto

PERSON_CONTEXT = "pass.person"
PERSON_REF_CHARS = 16
HKDF_INFO = b"fugong.pass.signing.ed25519.v1"
SIGNATURE_BYTES = 64
MAX_TOKEN_CHARS = 1024  # a QR code holds far less; refuse anything longer before decoding

FORGED = "伪造"
TAMPERED = "被篡改"
EXPIRED = "已过期"
NOT_YET_VALID = "尚未生效"
REVOKED = "已吊销"
MALFORMED = "格式错误"
UNKNOWN_KEY = "未知密钥"
VALID = "有效"

_FIELDS = ("p", "r", "e", "f", "t", "k")


@dataclass(frozen=True)
class Verification:
    valid: bool
    reason: str
    payload: dict[str, Any] | None = None


@dataclass(frozen=True)
class SigningKey:
    kid: str
    private: Ed25519PrivateKey
    public: Ed25519PublicKey
    public_raw: bytes


def _b64encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64decode(text: str) -> bytes:
    """Strict, canonical base64url without padding; ValueError otherwise."""
    data = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    if _b64encode(data) != text:  # padding chars inside, stray low bits, a non-alphabet char
        raise ValueError("non-canonical base64url")
    return data


def key_id(public_raw: bytes) -> str:
    return hashlib.sha256(public_raw).hexdigest()[:8]


def _secret_bytes(value: str) -> bytes:
    text = value.strip()
    try:
        decoded = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except (binascii.Error, ValueError):
        decoded = b""
    return decoded if len(decoded) >= 32 else text.encode("utf-8")


@lru_cache(maxsize=8)
def _derive(secret: str) -> SigningKey:
    if not secret:
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("PASS_SIGNING_KEY is empty")
    seed = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=HKDF_INFO).derive(_secret_bytes(secret))
    private = Ed25519PrivateKey.from_private_bytes(seed)
    public = private.public_key()
    raw = public.public_bytes(Encoding.Raw, PublicFormat.Raw)
    return SigningKey(kid=key_id(raw), private=private, public=public, public_raw=raw)


def signing_key(secret: str | None = None) -> SigningKey:
    """The signing key derived from ``secret`` (default: ``settings.PASS_SIGNING_KEY``)."""
    return _derive(settings.PASS_SIGNING_KEY if secret is None else secret)


def public_keys() -> dict[str, Ed25519PublicKey]:
    """The keys a verifier holds: today the one current key (a rotation would list the old ones too)."""
    key = signing_key()
    return {key.kid: key.public}


def published_keys() -> dict[str, str]:
    """``{kid: standard base64 of the raw 32-byte public key}`` for gates."""
    key = signing_key()
    return {key.kid: base64.b64encode(key.public_raw).decode("ascii")}


def load_public_keys(published: Mapping[str, str]) -> dict[str, Ed25519PublicKey]:
    """The inverse of :func:`published_keys`, for an offline gate."""
    return {kid: Ed25519PublicKey.from_public_bytes(base64.b64decode(raw)) for kid, raw in published.items()}


def person_reference(person_id: Any) -> str:
    """An opaque, stable reference to a person: a gate learns nothing about who it is."""
    return crypto.blind_index(str(person_id), context=PERSON_CONTEXT)[:PERSON_REF_CHARS]


def sign_pass(*, pass_id: Any, person_id: Any, enterprise_id: int, valid_from: date, valid_to: date,
              key: SigningKey | None = None) -> str:
    """The token of a pass."""
    key = key or signing_key()
    payload = {"p": str(pass_id), "r": person_reference(person_id), "e": int(enterprise_id),
               "f": valid_from.isoformat(), "t": valid_to.isoformat(), "k": key.kid}
    head = _b64encode(json.dumps(payload, separators=(",", ":"), ensure_ascii=True).encode("ascii"))
    return head + "." + _b64encode(key.private.sign(head.encode("ascii")))


def _parse_payload(raw: bytes) -> dict[str, Any] | None:
    try:
        payload = json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(payload, dict) or set(payload) != set(_FIELDS):
        return None
    if not all(isinstance(payload[k], str) for k in ("p", "r", "f", "t", "k")):
        return None
    if not isinstance(payload["e"], int) or isinstance(payload["e"], bool):
        return None
    try:
        payload["valid_from"] = date.fromisoformat(payload["f"])
        payload["valid_to"] = date.fromisoformat(payload["t"])
    except ValueError:
        return None
    return payload


def verify_token(token: Any, *, public_keys: Mapping[str, Ed25519PublicKey], today: date, revoked: Container[str],
                 issued: Callable[[str], bool] | None = None) -> Verification:
    """Check a token offline. ``revoked`` holds revoked pass ids (strings); ``issued``, when the
    caller knows, says whether a pass id was ever issued (to tell 伪造 from 被篡改)."""
    if not isinstance(token, str) or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        return Verification(False, MALFORMED)
    head, _, tail = token.partition(".")
    try:
        head_bytes = head.encode("ascii")
        raw = _b64decode(head)
        signature = _b64decode(tail)
    except (ValueError, UnicodeEncodeError, binascii.Error):
        return Verification(False, MALFORMED)
    if len(signature) != SIGNATURE_BYTES:
        return Verification(False, MALFORMED)
    payload = _parse_payload(raw)
    if payload is None:
        return Verification(False, MALFORMED)
    key = public_keys.get(payload["k"])
    if key is None:
        return Verification(False, UNKNOWN_KEY, payload)
    try:
        key.verify(signature, head_bytes)
    except InvalidSignature:
        forged = issued is not None and not issued(payload["p"])
        return Verification(False, FORGED if forged else TAMPERED, payload)
    if payload["p"] in revoked:
        return Verification(False, REVOKED, payload)
    if today < payload["valid_from"]:
        return Verification(False, NOT_YET_VALID, payload)
    if today > payload["valid_to"]:
        return Verification(False, EXPIRED, payload)
    return Verification(True, VALID, payload)
