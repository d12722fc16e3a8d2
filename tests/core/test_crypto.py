"""Personal fields are encrypted with AES-256-GCM under a key id, bound to their column, rotate
without loss, and are found again through a blind index that survives the rotation."""

from __future__ import annotations

import base64
import os

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from fugong.core import crypto
from fugong.core.crypto import (
    InvalidTokenError,
    UnknownKeyIdError,
    blind_index,
    current_key_id,
    decrypt,
    encrypt,
    key_id_of,
    needs_reencryption,
    parse_keys,
    reencrypt,
)

FIELD = "workforce.Person.id_number"


def new_key(size: int = 32) -> str:
    return base64.urlsafe_b64encode(os.urandom(size)).decode()


OLD = new_key()
NEW = new_key()
INDEX_KEY = new_key()


@pytest.fixture(autouse=True, scope="module")
def _keys():
    """Every test starts with one known key "old" and a fixed blind-index key."""
    with override_settings(FIELD_ENCRYPTION_KEYS=f"old:{OLD}", BLIND_INDEX_KEY=INDEX_KEY):
        yield


def rotated():
    """The settings after a rotation: the new key first, the old one kept for decryption."""
    return override_settings(FIELD_ENCRYPTION_KEYS=f"new:{NEW},old:{OLD}")


# --- encryption ---------------------------------------------------------------------------------


def test_a_token_names_its_version_and_key_and_hides_the_value():
    token = encrypt("11010519491231002X", context=FIELD)

    version, kid, payload = token.split(":")
    assert (version, kid) == ("v1", "old")
    assert "11010519491231002X" not in token
    assert len(base64.urlsafe_b64decode(payload)) == 12 + 18 + 16  # nonce + ciphertext + tag
    assert decrypt(token, context=FIELD) == "11010519491231002X"


def test_the_same_value_encrypts_differently_each_time():
    assert encrypt("11010519491231002X", context=FIELD) != encrypt("11010519491231002X", context=FIELD)


@given(st.text())
def test_any_text_survives_encryption(value):
    assert decrypt(encrypt(value, context=FIELD), context=FIELD) == value


@given(st.text(), st.text(min_size=1), st.text(min_size=1))
def test_a_token_moved_to_another_column_does_not_decrypt(value, context, other):
    # Given a value encrypted for one field
    token = encrypt(value, context=context)

    # When it is read as another field, it fails loudly instead of showing the value
    if other != context:
        with pytest.raises(InvalidTokenError, match="altered, or it belongs to another field"):
            decrypt(token, context=other)


def test_an_altered_token_is_refused():
    token = encrypt("11010519491231002X", context=FIELD)
    version, kid, payload = token.split(":")
    blob = bytearray(base64.urlsafe_b64decode(payload))

    for position in (0, 12, len(blob) - 1):  # the nonce, the ciphertext, the tag
        altered = bytearray(blob)
        altered[position] ^= 1
        forged = f"{version}:{kid}:{base64.urlsafe_b64encode(bytes(altered)).decode()}"
        with pytest.raises(InvalidTokenError):
            decrypt(forged, context=FIELD)


@pytest.mark.parametrize(
    "token",
    ["", "11010519491231002X", "v2:old:AAAA", "v1::AAAA", "v1:old", "v1:old:***", "v1:old:AAAA", "v1:old:a:b"],
)
def test_something_that_is_not_a_token_is_refused_clearly(token):
    with pytest.raises(InvalidTokenError):
        decrypt(token, context=FIELD)


def test_a_context_is_required():
    with pytest.raises(ValueError, match="context"):
        encrypt("x", context="")


# --- rotation -----------------------------------------------------------------------------------


def test_after_a_rotation_new_tokens_use_the_new_key_and_old_ones_still_decrypt():
    # Given a value encrypted before the rotation
    old_token = encrypt("11010519491231002X", context=FIELD)

    with rotated():
        # Then the new key encrypts, and the old token still decrypts
        assert current_key_id() == "new"
        assert key_id_of(encrypt("y", context=FIELD)) == "new"
        assert decrypt(old_token, context=FIELD) == "11010519491231002X"

        # When it is re-encrypted, it moves to the new key
        assert needs_reencryption(old_token)
        moved = reencrypt(old_token, context=FIELD)
        assert key_id_of(moved) == "new"
        assert not needs_reencryption(moved)
        assert decrypt(moved, context=FIELD) == "11010519491231002X"

        # And a token already under the new key is left as it is
        assert reencrypt(moved, context=FIELD) == moved

    # Once only the new key is configured, the moved token decrypts and the old one does not
    with override_settings(FIELD_ENCRYPTION_KEYS=f"new:{NEW}"):
        assert decrypt(moved, context=FIELD) == "11010519491231002X"
        with pytest.raises(UnknownKeyIdError, match="key id 'old'"):
            decrypt(old_token, context=FIELD)


def test_reencryption_keeps_the_context_binding():
    old_token = encrypt("v", context=FIELD)
    with rotated(), pytest.raises(InvalidTokenError):
        reencrypt(old_token, context="other.field")


@given(st.text())
def test_rotation_never_loses_a_value(value):
    token = encrypt(value, context=FIELD)
    with rotated():
        assert decrypt(reencrypt(token, context=FIELD), context=FIELD) == value


# --- the key setting ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("", "must be set"),
        ("   ", "must be set"),
        (new_key(), 'must read "kid:base64key"'),
        (f"k1:{new_key(16)}", "decodes to 16 bytes; AES-256 needs exactly 32"),
        (f"k1:{new_key(64)}", "decodes to 64 bytes"),
        ("k1:not base64!", "not base64"),
        ("k1:AAAAA", "not valid base64"),
        (f"k1:{OLD},k1:{NEW}", "appears twice"),
        (f"k 1:{OLD}", "key id 'k 1'"),
        (f":{OLD}", "key id ''"),
        (f"k1:{OLD},", 'entry 2 must read "kid:base64key"'),
    ],
    # The messages name the cases: the keys are random, and parallel processes must collect the same ids.
    ids=lambda value: value if value.startswith(("must", "decodes", "not", "appears", "key id", "entry")) else "",
)
def test_a_malformed_key_setting_stops_with_a_clear_message(setting, message):
    with override_settings(FIELD_ENCRYPTION_KEYS=setting), pytest.raises(ImproperlyConfigured, match=message):
        encrypt("x", context=FIELD)


def test_standard_and_url_safe_base64_with_or_without_padding_are_read():
    raw = os.urandom(32)
    for text in (base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode(), base64.b64encode(raw).decode().rstrip("=")):
        assert parse_keys(f" k9 : {text} ".replace(" : ", ":")).keys == {"k9": raw}


def test_the_key_setting_is_parsed_once_per_value():
    parse_keys.cache_clear()
    for _ in range(5):
        decrypt(encrypt("x", context=FIELD), context=FIELD)
    assert parse_keys.cache_info().misses == 1


def test_the_keys_settings_py_generates_for_the_demo_are_valid():
    from fugong import settings as project_settings  # the values as built, not as overridden here

    assert crypto.parse_keys(project_settings.FIELD_ENCRYPTION_KEYS).current
    assert len(crypto.parse_blind_index_key(project_settings.BLIND_INDEX_KEY)) >= 32


# --- blind index --------------------------------------------------------------------------------


def test_the_blind_index_is_a_hex_hmac_sha256():
    index = blind_index("11010519491231002X", context=FIELD)

    assert len(index) == 64
    assert int(index, 16) >= 0
    assert "11010519491231002X" not in index


@given(st.text(), st.text())
def test_equal_values_have_equal_indexes_and_different_values_different_ones(first, second):
    assert blind_index(first, context=FIELD) == blind_index(first, context=FIELD)
    if first != second:
        assert blind_index(first, context=FIELD) != blind_index(second, context=FIELD)


def test_the_blind_index_survives_a_rotation_of_the_encryption_keys():
    before = blind_index("11010519491231002X", context=FIELD)
    with rotated():
        assert blind_index("11010519491231002X", context=FIELD) == before


def test_the_blind_index_depends_on_its_key_and_its_field():
    before = blind_index("11010519491231002X", context=FIELD)

    assert blind_index("11010519491231002X", context="workforce.Person.phone") != before
    with override_settings(BLIND_INDEX_KEY=new_key()):
        assert blind_index("11010519491231002X", context=FIELD) != before


@pytest.mark.parametrize(("setting", "message"), [("", "must be set"), (new_key(16), "decodes to 16 bytes"), ("%%%", "not base64")],
                         ids=["empty", "short", "not-base64"])  # not the random key: parallel processes must collect the same ids
def test_a_bad_blind_index_key_stops_with_a_clear_message(setting, message):
    with override_settings(BLIND_INDEX_KEY=setting), pytest.raises(ImproperlyConfigured, match=message):
        blind_index("x", context=FIELD)
