"""Reading a person's fields as people type them, in a form or a roster cell.

Shared by the services (one person) and the roster importer (100,000 people), so both accept and
refuse the same things with the same Chinese messages. Each function takes what was typed and
returns the clean value or raises ``ValidationError``; none touches the database.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError

from fugong.workforce.choices import PersonOrigin, Post, Transport

MOBILE = re.compile(r"^1[3-9]\d{9}$")
_PHONE_SEPARATORS = dict.fromkeys(map(ord, " -()\u00a0\u3000\u200b\ufeff'\""), None)
_DATE_PARTS = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_COMPACT_DATE = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
# Excel's day 0 is 1899-12-30 (it counts 1900 as a leap year); serials in this range are 2000–2100.
EXCEL_EPOCH = date(1899, 12, 30)
EXCEL_SERIALS = range(36526, 73051)
EARLIEST_RETURN = date(2000, 1, 1)
LATEST_RETURN = date(2100, 12, 31)

# What rosters write in the choice columns, beyond the labels themselves.
TRANSPORT_WORDS: dict[str, str] = {
    "自驾车": Transport.SELF_DRIVE, "私家车": Transport.SELF_DRIVE, "自驾返回": Transport.SELF_DRIVE, "开车": Transport.SELF_DRIVE,
    "自行驾车": Transport.SELF_DRIVE, "大巴": Transport.BUS, "长途汽车": Transport.BUS, "长途客车": Transport.BUS,
    "大巴车": Transport.BUS, "包车": Transport.BUS, "班车": Transport.BUS, "高铁": Transport.TRAIN, "动车": Transport.TRAIN,
    "铁路": Transport.TRAIN, "航班": Transport.PLANE, "其它": Transport.OTHER,
}
POST_WORDS: dict[str, str] = {
    "核心岗位": Post.CORE, "关键岗位": Post.KEY, "一线岗位": Post.FRONT_LINE, "一线员工": Post.FRONT_LINE, "普通": Post.OTHER,
    "其它": Post.OTHER,
}
ORIGIN_WORDS: dict[str, str] = {
    "本地": PersonOrigin.LOCAL_NOT_AWAY, "本地未外出": PersonOrigin.LOCAL_NOT_AWAY, "未外出": PersonOrigin.LOCAL_NOT_AWAY,
    "本区": PersonOrigin.LOCAL_NOT_AWAY, "本市": PersonOrigin.SAME_CITY_OTHER_DISTRICT, "市内": PersonOrigin.SAME_CITY_OTHER_DISTRICT,
    "本市其他区县": PersonOrigin.SAME_CITY_OTHER_DISTRICT, "市内其他区": PersonOrigin.SAME_CITY_OTHER_DISTRICT,
    "省内": PersonOrigin.OTHER_CITY_SAME_PROVINCE, "省内外市": PersonOrigin.OTHER_CITY_SAME_PROVINCE,
    "省内其他市": PersonOrigin.OTHER_CITY_SAME_PROVINCE, "省外": PersonOrigin.OTHER_PROVINCE, "外省市": PersonOrigin.OTHER_PROVINCE,
}
YES = frozenset({"是", "有", "乘坐", "坐", "y", "yes", "true", "1", "√", "✓"})
NO = frozenset({"否", "无", "不", "不乘坐", "不坐", "n", "no", "false", "0", "×", "✗", "/", "-", ""})


def fold(text: str) -> str:
    """Full-width letters, digits and spaces to ASCII (NFKC) and surrounding spaces trimmed."""
    return unicodedata.normalize("NFKC", text).strip()


def clean_name(text: str) -> str:
    """A person's name: required, runs of spaces inside kept as one (``阿依古丽 买买提``)."""
    name = " ".join(fold(text).split())
    if not name:
        raise ValidationError("姓名必填。", code="name_required")
    if len(name) > 50:
        raise ValidationError(f"姓名过长（{len(name)} 个字，最多 50 个）。", code="name_length")
    return name


def clean_phone(text: str) -> str:
    """An 11-digit mainland mobile number; spaces, dashes, brackets and a +86 prefix are dropped."""
    digits = fold(text).translate(_PHONE_SEPARATORS)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not digits:
        raise ValidationError("手机号必填。", code="phone_required")
    if not MOBILE.match(digits):
        raise ValidationError(f"手机号“{text.strip()}”无效，应为 11 位手机号码（1 开头）。", code="phone_invalid")
    return digits


def clean_text(text: str, *, label: str, max_length: int) -> str:
    """Free text trimmed to single spaces; refused (not cut) when longer than the column holds."""
    value = " ".join(fold(text).split())
    if len(value) > max_length:
        raise ValidationError(f"{label}过长（{len(value)} 个字，最多 {max_length} 个）。", code="too_long")
    return value


def parse_date(value: object, *, label: str) -> date | None:
    """A date from a cell: a date, an Excel serial number, or text such as 2020-02-10, 2020/2/10,
    2020.2.10, 2020年2月10日 or 20200210. Empty is None; anything else is refused with the forms
    that are accepted, since a guessed date would start a quarantine on the wrong day."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float) and not isinstance(value, bool):
        if float(value).is_integer() and int(value) in EXCEL_SERIALS:
            return EXCEL_EPOCH + timedelta(days=int(value))
        raise ValidationError(f"{label}“{value}”无法识别，请填写如 2020-02-10 的日期。", code="date_invalid")
    text = fold(str(value))
    if not text:
        return None
    text = text.split(" ")[0].split("T")[0] if re.match(r"^\d{4}-\d{2}-\d{2}[ T]\d", text) else text
    match = _DATE_PARTS.match(text) or _COMPACT_DATE.match(text)
    if match is None:
        raise ValidationError(f"{label}“{text}”无法识别，请填写如 2020-02-10 的日期。", code="date_invalid")
    try:
        parsed = date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise ValidationError(f"{label}“{text}”不是存在的日期。", code="date_invalid") from None
    if not EARLIEST_RETURN <= parsed <= LATEST_RETURN:
        raise ValidationError(f"{label}“{text}”超出合理范围，请核对年份。", code="date_invalid")
    return parsed


def parse_choice(text: str, *, choices: list[tuple[str, str]], words: Mapping[str, str], label: str, default: str = "") -> str:
    """A choice by its value, its label (自驾) or a common word for it (高铁); empty gives ``default``."""
    key = "".join(fold(text).split())
    if not key:
        return default
    for value, display in choices:
        if key in (value, display):
            return value
    found = words.get(key) or words.get(key.lower())
    if found is not None:
        return found
    allowed = "、".join(display for _value, display in choices)
    raise ValidationError(f"{label}“{text.strip()}”无效，可填：{allowed}。", code="choice_invalid")


def parse_flag(text: str, *, label: str) -> bool:
    """是/否 (or 有/无, √, 1/0…); empty is no."""
    key = "".join(fold(text).split()).lower()
    if key in YES:
        return True
    if key in NO:
        return False
    raise ValidationError(f"{label}应填“是”或“否”，不能是“{text.strip()}”。", code="flag_invalid")
