"""Password rules: at least 10 characters, letters and digits, not a common password."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError


def problems(password: str, user=None) -> str:
    try:
        validate_password(password, user)
    except ValidationError as exc:
        return " ".join(exc.messages)
    return ""


@pytest.mark.django_db
def test_a_ten_character_password_with_letters_and_digits_is_accepted():
    assert problems("Fugong2020demo") == ""
    assert problems("hy7q2wm9xk") == ""


@pytest.mark.django_db
def test_a_nine_character_password_is_refused_with_the_minimum_in_chinese():
    message = problems("Abcd12345")
    assert "10" in message
    assert "密码" in message


@pytest.mark.django_db
def test_a_password_of_letters_only_is_refused():
    assert "密码必须同时包含字母和数字" in problems("Zhangjiajie")


@pytest.mark.django_db
def test_a_password_of_digits_only_is_refused():
    assert "密码必须同时包含字母和数字" in problems("2020021020")


@pytest.mark.django_db
def test_a_common_password_is_refused_even_when_long_enough():
    # "password123" is long enough and mixes letters and digits, but everyone tries it first
    message = problems("password123")
    assert message
    assert "字母和数字" not in message


@pytest.mark.django_db
def test_a_password_close_to_the_username_is_refused(users):
    assert problems("county_cmd1", users("county_cmd"))
