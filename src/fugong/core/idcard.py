"""The Chinese resident ID number (居民身份证号码, GB 11643-1999): normalise, parse, mask.

Eighteen characters: a 6-digit area code (where the number was first issued), the birth date as
``YYYYMMDD``, a 3-digit sequence whose last digit is odd for men and even for women, and a check
character (ISO 7064 MOD 11-2, ``0``–``9`` or ``X``).

Validation is strict on length, characters, birth date and check character, and lenient on the
area: ``stdnum.cn.ric.validate`` rejects valid numbers whose area code was renamed or retired, or
was created after the holder's birth (python-stdnum #442), so an area code this module cannot
place is a *warning* on :class:`IdCard`, never a refusal. Messages are Chinese, for the people who
fill in rosters; numbers that Excel turned into floating-point numbers (scientific notation, last
digits lost as ``000``) are recognised and explained.

Pure: no database, no clock unless ``today`` is left out of :func:`parse`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")
LENGTH = 18
WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARACTERS = "10X98765432"  # indexed by (weighted sum mod 11)
EARLIEST_BIRTH_YEAR = 1900
MASK_HEAD = 6
MASK_TAIL = 4

EXCEL_MESSAGE = "身份证号被 Excel 存成了数字（科学计数法/末位丢失），请把该列设为文本格式后重新填写"

# Characters spreadsheets and copy-paste leave around a number: quotes Excel uses to force text,
# zero-width and byte-order marks. Whitespace of every kind (U+3000 included) goes too.
_STRAY = dict.fromkeys(map(ord, "'\"`´‘’‚‛“”„‟′″\u200b\u200c\u200d\u2060\ufeff"), None)
# What a float looks like once Excel or a CSV writer has printed it.
_SCIENTIFIC = re.compile(r"^[+-]?\d+(\.\d*)?E[+-]?\d+$", re.IGNORECASE)
_DECIMAL_POINT = re.compile(r"^\d{14,}\.\d*$")
_GROUPED = re.compile(r"^\d{1,3}(,\d{3}){4,}(\.\d*)?$")
_PLACEHOLDER_PREFECTURES = frozenset({"市辖区", "县"})  # and every "…直辖…" unit
_PERIOD = re.compile(r"^\[(\d*)-(\d*)\](.*)$")  # "[1983-2019]桥东区" in stdnum's table


class IdCardError(ValueError):
    """An ID number that cannot be accepted; ``str(error)`` is a Chinese sentence for the user and
    ``code`` a stable name for programs (``idcard_length``, ``idcard_checksum``, ``idcard_excel`` …)."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True)
class IdCard:
    """A parsed, valid ID number and what it tells.

    ``area_known`` is True when python-stdnum's division table lists the area code (currently or
    in the past); ``area_name`` is its name there (e.g. ``广东省源城区``). ``warnings`` hold
    Chinese sentences about doubts that do not make the number invalid (an unknown or retired
    area code); they are a tuple so the value stays immutable.
    """

    number: str
    birth_date: date
    sex: str  # "M" or "F", from the 17th digit
    area_code: str
    area_known: bool
    warnings: tuple[str, ...] = ()
    area_name: str = ""


def normalise(raw: str) -> str:
    """The number as it should be stored: full-width digits and letters folded to ASCII (NFKC),
    whitespace of every kind and stray quotes or zero-width characters removed, ``x`` → ``X``.

    Idempotent: ``normalise(normalise(s)) == normalise(s)`` for any text.
    """
    text = str(raw)
    # Removing a character can leave a sequence NFKC would compose, and NFKC can produce a space
    # or a quote (from their full-width forms); repeat until nothing changes (twice in practice).
    for _ in range(8):
        folded = unicodedata.normalize("NFKC", text).translate(_STRAY)
        folded = "".join(folded.split()).replace("x", "X")
        if folded == text:
            break
        text = folded
    return text


def check_character(body: str) -> str:
    """The GB 11643 check character of the first 17 digits: Σ(digit × weight) mod 11 → ``10X98765432``."""
    if len(body) != LENGTH - 1 or not body.isascii() or not body.isdigit():
        raise ValueError("the body of an ID number is 17 ASCII digits")
    return CHECK_CHARACTERS[sum(int(digit) * weight for digit, weight in zip(body, WEIGHTS, strict=True)) % 11]


def _excel_error() -> IdCardError:
    return IdCardError(EXCEL_MESSAGE, code="idcard_excel")


def _looks_like_a_printed_float(text: str) -> bool:
    return bool(_SCIENTIFIC.match(text) or _DECIMAL_POINT.match(text) or _GROUPED.match(text))


@dataclass(frozen=True)
class _Area:
    known: bool
    name: str
    retired_after: int | None  # the last year the code was in use, when it no longer is


def _latest_period(entry: str) -> tuple[str, int | None]:
    """The current (or last) name in a stdnum table entry and the year its use ended, if it did.

    Entries read "广东省", "[-2010]崇文区" or "[1983-2019]桥东区,[2020-]襄都区" (the latest last).
    """
    match = _PERIOD.match(entry.split(",")[-1])
    if match is None:
        return entry.split(",")[-1], None
    return match.group(3), int(match.group(2)) if match.group(2) else None


@lru_cache(maxsize=4096)
def area(code: str) -> _Area:
    """What python-stdnum's division table (``stdnum/cn/loc.dat``) says of a 6-digit area code.

    Read through ``stdnum.numdb`` directly rather than ``ric.validate``, which rejects codes
    that were not in use in the holder's birth year.
    """
    from stdnum import numdb

    table = numdb.get("cn/loc")

    def lookup(six: str) -> dict[str, str]:
        info: dict[str, str] = {}
        for _part, properties in table.info(six):
            info.update(properties)
        return info

    info = lookup(code)
    if not info.get("county"):
        return _Area(known=False, name="", retired_after=None)
    county, retired_after = _latest_period(info["county"])
    names = [info.get("province", "")]
    if code[4:] != "00":  # a county: name its prefecture too, unless that is a placeholder
        prefecture = lookup(code[:4] + "00").get("county")
        if prefecture:
            prefecture_name = _latest_period(prefecture)[0]
            if prefecture_name not in _PLACEHOLDER_PREFECTURES and "直辖" not in prefecture_name:
                names.append(prefecture_name)
    names.append(county)
    if code[2:] == "0000":  # a province itself: its own entry names it
        names = [county]
    name = "".join(dict.fromkeys(n for n in names if n))  # "北京市" + "北京市" reads once
    return _Area(known=True, name=name, retired_after=retired_after)


def parse(raw: object, *, today: date | None = None) -> IdCard:
    """Check and read an ID number as typed, pasted or imported; raise :class:`IdCardError`.

    ``raw`` may be any cell value: a number (int, float, Decimal) means the spreadsheet stored the
    ID as a number and lost digits, which is refused with :data:`EXCEL_MESSAGE`. ``today`` (in
    Beijing time by default) bounds the birth date.
    """
    if raw is None:
        raise IdCardError("身份证号为空，请填写 18 位身份证号。", code="idcard_empty")
    if isinstance(raw, bool):
        raise IdCardError("身份证号格式不正确，请填写 18 位身份证号。", code="idcard_format")
    if isinstance(raw, int | float | Decimal):
        raise _excel_error()
    if not isinstance(raw, str):
        raise IdCardError("身份证号格式不正确，请填写 18 位身份证号。", code="idcard_format")
    number = normalise(raw)
    if not number:
        raise IdCardError("身份证号为空，请填写 18 位身份证号。", code="idcard_empty")
    if _looks_like_a_printed_float(number):
        raise _excel_error()
    if len(number) != LENGTH:
        if len(number) == 15 and number.isascii() and number.isdigit():
            raise IdCardError("这是 15 位的第一代身份证号，已停止使用，请填写 18 位身份证号。", code="idcard_length")
        raise IdCardError(f"身份证号应为 18 位，现为 {len(number)} 位，请核对。", code="idcard_length")
    for position, character in enumerate(number, start=1):
        allowed = "0123456789X" if position == LENGTH else "0123456789"
        if character not in allowed:
            where = "最后一位只能是数字或 X" if position == LENGTH else "前 17 位只能是数字"
            raise IdCardError(f"身份证号{where}：第 {position} 位是“{character}”，请核对。", code="idcard_format")

    digits = number[6:14]
    try:
        birth_date = date(int(digits[:4]), int(digits[4:6]), int(digits[6:]))
    except ValueError:
        raise IdCardError(f"身份证号中的出生日期 {digits} 不存在，请核对第 7–14 位。", code="idcard_birth_date") from None
    today = today or datetime.now(SHANGHAI).date()
    if birth_date > today:
        raise IdCardError(f"身份证号中的出生日期 {birth_date:%Y-%m-%d} 晚于今天，请核对第 7–14 位。", code="idcard_birth_date")
    if birth_date.year < EARLIEST_BIRTH_YEAR:
        raise IdCardError(
            f"身份证号中的出生日期 {birth_date:%Y-%m-%d} 早于 {EARLIEST_BIRTH_YEAR} 年，请核对第 7–14 位。", code="idcard_birth_date"
        )

    expected = check_character(number[:17])
    if number[-1] != expected:
        if number.endswith("000"):
            # Excel keeps 15 significant digits: the last three of a number stored as a number read 000.
            raise _excel_error()
        raise IdCardError(
            f"身份证号校验位错误：按前 17 位计算，最后一位应为“{expected}”，现为“{number[-1]}”，请核对号码是否抄错。",
            code="idcard_checksum",
        )

    area_code = number[:6]
    place = area(area_code)
    warnings: list[str] = []
    if not place.known:
        warnings.append(f"身份证号前 6 位地区码 {area_code} 不在行政区划代码库中（可能是新设或撤并的地区），号码仍然有效，请核对户籍地。")
    elif place.retired_after is not None:
        warnings.append(f"身份证号地区码 {area_code}（{place.name}）已于 {place.retired_after} 年后撤销，旧号码仍然有效，请核对户籍地。")
    return IdCard(
        number=number,
        birth_date=birth_date,
        sex="M" if int(number[16]) % 2 else "F",
        area_code=area_code,
        area_known=place.known,
        warnings=tuple(warnings),
        area_name=place.name,
    )


def mask(number: str) -> str:
    """The number as shown on screen: the first 6 and the last 4 characters of an 18-character
    number (``441602********123X``); any other value is hidden whole, since its parts are unknown."""
    text = normalise(number)
    if len(text) == LENGTH:
        return text[:MASK_HEAD] + "*" * (LENGTH - MASK_HEAD - MASK_TAIL) + text[-MASK_TAIL:]
    return "*" * len(text)


def age_on(idcard: IdCard, on: date) -> int:
    """Age in full years (周岁) on ``on``; someone born on 29 February turns a year older on 1 March
    of a common year. ValueError if ``on`` is before the birth date."""
    born = idcard.birth_date
    if on < born:
        raise ValueError(f"{on:%Y-%m-%d} is before the birth date")
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))
