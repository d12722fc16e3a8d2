"""The resident ID number (GB 11643) is checked strictly, explained in Chinese, and never refused
for an area code the division table does not know."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from stdnum.cn import ric

from fugong.core.idcard import EXCEL_MESSAGE, IdCard, IdCardError, age_on, check_character, mask, normalise, parse

TODAY = date(2020, 2, 20)
STANDARD_EXAMPLE = "11010519491231002X"  # the example printed in GB 11643-1999


def refusal(raw: object) -> IdCardError:
    with pytest.raises(IdCardError) as caught:
        parse(raw, today=TODAY)
    return caught.value


def valid(body: str) -> str:
    return body + check_character(body)


# Strategies: a valid number from an area code, a birth date and a sequence.
areas = st.text("0123456789", min_size=6, max_size=6)
birth_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
sequences = st.text("0123456789", min_size=3, max_size=3)
bodies = st.builds(lambda a, d, s: f"{a}{d:%Y%m%d}{s}", areas, birth_dates, sequences)
numbers = bodies.map(valid)


def full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


# --- the check character -----------------------------------------------------------------------


def test_the_standards_own_example_is_accepted_with_its_x():
    card = parse(STANDARD_EXAMPLE, today=TODAY)

    assert card.number == STANDARD_EXAMPLE
    assert card.birth_date == date(1949, 12, 31)
    assert card.sex == "F"  # 17th digit 2 is even
    assert card.area_code == "110105"
    assert card.area_known
    assert card.area_name == "北京市朝阳区"
    assert card.warnings == ()


def test_the_check_character_follows_gb11643_weights_and_agrees_with_stdnum():
    assert check_character("11010519491231002") == "X"
    assert check_character("44160219900101123") == "8"
    assert ric.calc_check_digit("441602199001011238") == "8"


@given(bodies)
def test_our_check_character_is_the_one_stdnum_computes(body):
    number = valid(body)
    assert ric.calc_check_digit(number) == number[-1]


@given(areas, birth_dates, sequences)
def test_any_body_with_a_real_birth_date_and_its_check_character_parses(area, born, sequence):
    # Given 17 digits with a real birth date and the check character computed for them
    number = valid(f"{area}{born:%Y%m%d}{sequence}")

    # When parsed
    card = parse(number, today=TODAY)

    # Then everything is read from the number, whatever the area code
    assert card.number == number
    assert card.birth_date == born
    assert card.sex == ("M" if int(sequence[-1]) % 2 else "F")
    assert card.area_code == area
    assert card.area_known or card.warnings


@given(numbers, st.integers(0, 17), st.integers(1, 9))
def test_altering_any_one_character_is_detected(number, position, shift):
    # Given a valid number with one character changed to another digit
    original = number[position]
    replacement = str(((10 if original == "X" else int(original)) + shift) % 10)
    assume(replacement != original)
    altered = number[:position] + replacement + number[position + 1 :]

    # Then it is refused (usually by the check character; sometimes the date became impossible)
    with pytest.raises(IdCardError) as caught:
        parse(altered, today=TODAY)
    assert caught.value.code in {"idcard_checksum", "idcard_birth_date", "idcard_excel"}


def test_a_wrong_check_character_is_refused_naming_the_right_one():
    refused = refusal("441602199001011234")

    assert refused.code == "idcard_checksum"
    assert str(refused) == "身份证号校验位错误：按前 17 位计算，最后一位应为“8”，现为“4”，请核对号码是否抄错。"


def test_a_valid_number_ending_in_000_is_not_taken_for_excel_damage():
    # 44160219900101100 happens to have the check character 0
    assert parse("441602199001011000", today=TODAY).number == "441602199001011000"


# --- length, characters, dates -----------------------------------------------------------------


@pytest.mark.parametrize(("typed", "length"), [("44160219900101123", 17), ("4416021990010112388", 19), ("4", 1)])
def test_a_number_of_the_wrong_length_is_refused_saying_how_long_it_is(typed, length):
    refused = refusal(typed)

    assert refused.code == "idcard_length"
    assert str(refused) == f"身份证号应为 18 位，现为 {length} 位，请核对。"


def test_an_old_15_digit_number_is_explained():
    refused = refusal("441602900101123")

    assert refused.code == "idcard_length"
    assert "15 位的第一代身份证号" in str(refused)


@pytest.mark.parametrize(
    ("typed", "message"),
    [
        ("44160219900101123A", "身份证号最后一位只能是数字或 X：第 18 位是“A”，请核对。"),
        ("4416021990010112X8", "身份证号前 17 位只能是数字：第 17 位是“X”，请核对。"),
        ("4416021990I1011238", "身份证号前 17 位只能是数字：第 11 位是“I”，请核对。"),
    ],
)
def test_a_character_that_is_not_a_digit_is_refused_naming_its_position(typed, message):
    refused = refusal(typed)

    assert refused.code == "idcard_format"
    assert str(refused) == message


@pytest.mark.parametrize("digits", ["19990230", "19991301", "19990000", "20190229"])
def test_an_impossible_birth_date_is_refused(digits):
    refused = refusal(valid(f"441602{digits}123"))

    assert refused.code == "idcard_birth_date"
    assert str(refused) == f"身份证号中的出生日期 {digits} 不存在，请核对第 7–14 位。"


def test_a_birth_date_after_today_is_refused():
    tomorrow = TODAY + timedelta(days=1)

    refused = refusal(valid(f"441602{tomorrow:%Y%m%d}123"))

    assert refused.code == "idcard_birth_date"
    assert str(refused) == "身份证号中的出生日期 2020-02-21 晚于今天，请核对第 7–14 位。"


def test_someone_born_today_is_accepted():
    assert parse(valid(f"441602{TODAY:%Y%m%d}123"), today=TODAY).birth_date == TODAY


def test_a_birth_date_before_1900_is_refused():
    refused = refusal(valid("441602189912311234"[:17]))

    assert refused.code == "idcard_birth_date"
    assert "早于 1900 年" in str(refused)


def test_an_empty_value_is_refused():
    assert refusal(None).code == "idcard_empty"
    assert refusal("  \u3000 ").code == "idcard_empty"


# --- the area code: a warning, never a refusal --------------------------------------------------


def test_an_area_code_created_after_the_birth_year_is_accepted_unlike_stdnum():
    # Given someone born in 1980 in 源城区, whose code 441602 exists only since 1988 (python-stdnum #442)
    number = valid("44160219800101123")
    assert not ric.is_valid(number)

    # When parsed
    card = parse(number, today=TODAY)

    # Then the number is accepted without a doubt about the place
    assert card.area_known
    assert card.area_name == "广东省河源市源城区"
    assert card.warnings == ()


def test_a_retired_area_code_is_accepted_with_a_warning():
    # Given a number issued in 崇文区 (110103), merged into 东城区 in 2010
    card = parse(valid("11010319750505123"), today=TODAY)

    assert card.area_known
    assert card.warnings == ("身份证号地区码 110103（北京市崇文区）已于 2010 年后撤销，旧号码仍然有效，请核对户籍地。",)


def test_an_unknown_area_code_is_accepted_with_a_warning():
    card = parse(valid("44999919900101123"), today=TODAY)

    assert not card.area_known
    assert card.area_name == ""
    assert card.warnings == ("身份证号前 6 位地区码 449999 不在行政区划代码库中（可能是新设或撤并的地区），号码仍然有效，请核对户籍地。",)


# --- what spreadsheets do to numbers ------------------------------------------------------------


@pytest.mark.parametrize(
    "cell",
    [
        4.41602199001011e17,  # a float cell
        441602199001011238,  # an int cell
        Decimal("441602199001011238"),
        "4.41602199001011E+17",  # the cell printed by Excel
        "4.41602199001011e+17",
        "4.41602E+17",
        "４．４１６０２１９９００１０１１Ｅ＋１７",  # the same, full-width
        "441602198506121000",  # 15 significant digits kept, the last three read 000
        "441602199001011238.0",  # a float printed by a CSV writer
        "441,602,199,001,011,000",  # thousands separators
    ],
)
def test_a_number_excel_stored_as_a_number_is_refused_with_the_excel_message(cell):
    refused = refusal(cell)

    assert refused.code == "idcard_excel"
    assert str(refused) == EXCEL_MESSAGE == "身份证号被 Excel 存成了数字（科学计数法/末位丢失），请把该列设为文本格式后重新填写"


def test_a_boolean_cell_is_not_taken_for_a_number():
    assert refusal(True).code == "idcard_format"


# --- normalising what people type ---------------------------------------------------------------


@pytest.mark.parametrize(
    "typed",
    [
        "11010519491231002x",
        "１１０１０５１９４９１２３１００２Ｘ",
        "１１０１０５１９４９１２３１００２ｘ",
        " 110105 19491231 002X ",
        "110105\u300019491231\u3000002X",
        "'11010519491231002X",
        "‘11010519491231002X’",
        '"11010519491231002X"',
        "\ufeff11010519491231002X\u200b",
        "110105\t19491231\n002x",
    ],
)
def test_full_width_spaced_quoted_and_lower_case_variants_parse_to_the_same_number(typed):
    assert normalise(typed) == STANDARD_EXAMPLE
    assert parse(typed, today=TODAY).number == STANDARD_EXAMPLE


@given(numbers, st.booleans(), st.booleans(), st.sampled_from(["", " ", "\u3000", "'", "\t"]))
def test_variants_of_any_valid_number_parse_to_it(number, wide, lower, padding):
    typed = number.replace("X", "x") if lower else number
    typed = full_width(typed) if wide else typed
    typed = padding + typed[:6] + padding + typed[6:] + padding

    assert parse(typed, today=TODAY).number == number


@given(st.text())
def test_normalise_is_idempotent(text):
    once = normalise(text)
    assert normalise(once) == once


@given(st.text(alphabet=st.characters(codec="utf-8")))
def test_normalise_leaves_no_whitespace_quote_or_lower_x(text):
    result = normalise(text)
    assert not any(c.isspace() for c in result)
    assert not set(result) & set("'\"‘’“”x")


# --- masking and age ----------------------------------------------------------------------------


def test_mask_shows_the_first_six_and_the_last_four():
    assert mask("44160219900101123X") == "441602********123X"
    assert mask("44160219900101123x") == "441602********123X"


@given(numbers)
def test_mask_never_reveals_the_middle_eight_digits(number):
    masked = mask(number)

    assert masked == number[:6] + "********" + number[-4:]
    assert number[6:14] not in masked[6:14]
    assert len(masked) == 18


@given(st.text(min_size=1))
def test_mask_of_anything_else_reveals_nothing_of_the_middle(text):
    masked = mask(text)
    cleaned = normalise(text)
    if len(cleaned) == 18:
        assert masked[6:14] == "********"
    else:
        assert set(masked) <= {"*"}


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1990, 1, 1), date(2020, 2, 20), 30),
        (date(1990, 2, 20), date(2020, 2, 20), 30),
        (date(1990, 2, 21), date(2020, 2, 20), 29),
        (date(2000, 2, 29), date(2019, 2, 28), 18),
        (date(2000, 2, 29), date(2019, 3, 1), 19),
        (date(2000, 2, 29), date(2020, 2, 29), 20),
        (date(2020, 2, 20), date(2020, 2, 20), 0),
    ],
)
def test_age_is_counted_in_full_years(born, on, age):
    card = parse(valid(f"441602{born:%Y%m%d}123"), today=on)

    assert age_on(card, on) == age


def test_age_before_birth_is_an_error():
    card = parse(STANDARD_EXAMPLE, today=TODAY)
    with pytest.raises(ValueError, match="before the birth date"):
        age_on(card, date(1949, 12, 30))


def test_an_idcard_is_immutable():
    card = parse(STANDARD_EXAMPLE, today=TODAY)
    assert isinstance(card, IdCard)
    with pytest.raises(AttributeError):
        card.number = "x"  # type: ignore[misc]
    assert hash(card) == hash(parse(STANDARD_EXAMPLE, today=TODAY))


def test_parsing_never_touches_the_database(django_assert_num_queries, db):
    with django_assert_num_queries(0):
        parse(STANDARD_EXAMPLE, today=TODAY)
        parse(valid("44999919900101123"), today=TODAY)
        refusal("441602199001011234")
