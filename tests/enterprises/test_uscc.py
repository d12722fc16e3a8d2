"""The unified social credit code (GB 32100-2015) is checked with python-stdnum and explained in Chinese."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import uscc

from fugong.enterprises.validators import normalise_uscc, validate_uscc

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100: digits and capitals without I, O, Z, S, V
bodies = st.builds(
    lambda head, tail: head + tail,
    st.text("0123456789", min_size=8, max_size=8),  # registration department, type and division code
    st.text(ALPHABET, min_size=9, max_size=9),  # organisation code
)


def refusal(value: str) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        validate_uscc(value)
    return caught.value


def test_a_code_with_the_check_character_stdnum_computes_is_accepted():
    # Given a body and the check character stdnum computes for it
    body = "91441602MA4UJ8XX1"
    code = body + uscc.calc_check_digit(body)

    # When it is validated
    result = validate_uscc(code)

    # Then it is accepted as it is
    assert result == code == "91441602MA4UJ8XX1K"


def test_a_wrong_check_character_is_refused_naming_the_character_that_belongs_there():
    # Given a real code whose last character was mistyped
    refused = refusal("91441602MA4UJ8XX1B")

    # Then the message says, in Chinese, which character is expected and which was typed
    assert refused.code == "uscc_checksum"
    assert refused.messages == ["统一社会信用代码校验位错误：最后一位应为“K”，而不是“B”，请核对。"]


@pytest.mark.parametrize(("typed", "length"), [("91441602MA4UJ8XX1", 17), ("91441602MA4UJ8XX1KK", 19), ("9", 1)])
def test_a_code_of_the_wrong_length_is_refused_with_its_length(typed, length):
    refused = refusal(typed)

    assert refused.code == "uscc_length"
    assert refused.messages == [f"统一社会信用代码应为 18 位，当前为 {length} 位。"]


@pytest.mark.parametrize("typed", ["91441602MA4UJ8XXIK", "9144160AMA4UJ8XX1K", "91441602MA4UJ8XX1O"])
def test_a_code_with_characters_gb32100_does_not_use_is_refused_as_malformed(typed):
    refused = refusal(typed)

    assert refused.code == "uscc_format"
    assert "格式错误" in refused.messages[0]
    assert "前 8 位应为数字" in refused.messages[0]


@pytest.mark.parametrize(
    "typed",
    [
        "91441602ma4uj8xx1k",  # lower case
        "９１４４１６０２ＭＡ４ＵＪ８ＸＸ１Ｋ",  # full width, as Chinese input methods type it
        " 9144 1602-MA4U J8XX 1K\u3000",  # spaces, a dash and an ideographic space
    ],
)
def test_lower_case_full_width_and_spaced_codes_are_normalised_before_checking(typed):
    assert normalise_uscc(typed) == "91441602MA4UJ8XX1K"
    assert validate_uscc(typed) == "91441602MA4UJ8XX1K"


@given(body=bodies)
def test_any_well_formed_body_with_its_computed_check_character_validates(body):
    code = body + uscc.calc_check_digit(body)

    assert validate_uscc(code) == code
    assert validate_uscc(code.lower()) == code


@given(body=bodies, wrong=st.sampled_from(ALPHABET))
def test_any_other_check_character_is_refused_and_the_right_one_is_named(body, wrong):
    right = uscc.calc_check_digit(body)
    if wrong == right:
        return

    refused = refusal(body + wrong)

    assert refused.code == "uscc_checksum"
    assert f"最后一位应为“{right}”" in refused.messages[0]
