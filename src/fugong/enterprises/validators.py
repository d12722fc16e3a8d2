"""The unified social credit code (GB 32100-2015), checked with python-stdnum."""

from __future__ import annotations

import unicodedata

from django.core.exceptions import ValidationError
from stdnum.cn import uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength


def normalise_uscc(value: str) -> str:
    """Upper-case, full-width to half-width, spaces and dashes removed."""
    # NFKC folds full-width letters and digits (common from Chinese input methods) to ASCII.
    return "".join(unicodedata.normalize("NFKC", value).split()).replace("-", "").upper()


def validate_uscc(value: str) -> str:
    """Return the normalised code or raise a ValidationError that says in Chinese what is wrong."""
    code = normalise_uscc(value)
    try:
        return uscc.validate(code)
    except InvalidLength:
        raise ValidationError(f"统一社会信用代码应为 18 位，当前为 {len(code)} 位。", code="uscc_length") from None
    except InvalidChecksum:
        expected = uscc.calc_check_digit(code[:17])
        raise ValidationError(
            f"统一社会信用代码校验位错误：最后一位应为“{expected}”，而不是“{code[-1]}”，请核对。", code="uscc_checksum"
        ) from None
    except (InvalidFormat, InvalidComponent):
        raise ValidationError(
            "统一社会信用代码格式错误：前 8 位应为数字，其余只能是数字和大写字母（不含 I、O、Z、S、V），请核对。",
            code="uscc_format",
        ) from None
