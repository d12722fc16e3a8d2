"""Signing in: username or mobile number, lockout after five failures, audited sign-in and sign-out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client

from fugong.audit.models import AuditEntry

LOGIN = "/accounts/login/"
WRONG = "wrong-password-1"


def post_login(client: Client, username: str, password: str, *, ip: str = "10.1.2.3"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


def logged_in_as(client: Client) -> str | None:
    response = client.get("/")
    return response.wsgi_request.user.get_username() if response.wsgi_request.user.is_authenticated else None


@pytest.mark.django_db
def test_username_and_password_log_in(demo_password):
    # Given a browser on the login page
    client = Client()
    # When county_cmd signs in with the username
    response = post_login(client, "county_cmd", demo_password)
    # Then they land on the home page, signed in
    assert response.status_code == 302
    assert response["Location"] == "/"
    assert logged_in_as(client) == "county_cmd"


@pytest.mark.django_db
def test_mobile_number_logs_in_like_a_username(demo_password):
    # Given county_cmd's registered mobile number
    client = Client()
    # When they type the mobile number where the username goes
    response = post_login(client, "13800000001", demo_password)
    # Then they are signed in as county_cmd
    assert response.status_code == 302
    assert logged_in_as(client) == "county_cmd"


@pytest.mark.django_db
def test_mobile_number_with_surrounding_spaces_still_logs_in(demo_password):
    # Given a mobile number pasted with spaces around it
    client = Client()
    # When it is submitted
    post_login(client, " 13800000001 ", demo_password)
    # Then the spaces do not matter
    assert logged_in_as(client) == "county_cmd"


@pytest.mark.django_db
def test_wrong_password_is_refused_with_a_chinese_message():
    # Given a known account
    client = Client()
    # When the password is wrong
    response = post_login(client, "county_cmd", WRONG)
    # Then the form is shown again, in Chinese, and nobody is signed in
    assert response.status_code == 200
    assert "用户名/手机号或密码错误" in response.content.decode()
    assert logged_in_as(client) is None


@pytest.mark.django_db
def test_unknown_mobile_number_is_refused(demo_password):
    client = Client()
    response = post_login(client, "13999999999", demo_password)
    assert response.status_code == 200
    assert logged_in_as(client) is None


@pytest.mark.django_db
def test_inactive_account_cannot_log_in(users, demo_password):
    # Given a deactivated account
    user = users("grid_officer")
    user.is_active = False
    user.save(update_fields=["is_active"])
    client = Client()
    # When it signs in with the right password
    post_login(client, "grid_officer", demo_password)
    # Then it is refused
    assert logged_in_as(client) is None


@pytest.mark.django_db
def test_five_wrong_passwords_lock_the_account_even_against_the_right_one(demo_password):
    # Given four failed attempts
    client = Client()
    for _ in range(4):
        assert post_login(client, "hitech_cmd", WRONG).status_code == 200
    # When the fifth fails too
    fifth = post_login(client, "hitech_cmd", WRONG)
    # Then the locked page is shown
    assert fifth.status_code == 429
    assert "已被锁定 30 分钟" in fifth.content.decode()
    # And even the right password is refused for now
    sixth = post_login(client, "hitech_cmd", demo_password)
    assert sixth.status_code == 429
    assert logged_in_as(client) is None


@pytest.mark.django_db
def test_four_wrong_passwords_then_the_right_one_logs_in_and_clears_the_count(demo_password):
    # Given four failures
    client = Client()
    for _ in range(4):
        post_login(client, "hitech_cmd", WRONG)
    # When the right password follows
    post_login(client, "hitech_cmd", demo_password)
    # Then the user is in and the failures are forgotten
    assert logged_in_as(client) == "hitech_cmd"
    assert not AccessAttempt.objects.filter(username="hitech_cmd", failures_since_start__gt=0).exists()


def _lock(username: str) -> None:
    client = Client()
    for _ in range(5):
        post_login(client, username, WRONG)
    assert AccessAttempt.objects.get(username=username).failures_since_start == 5


def _age_attempts(username: str, minutes: int) -> None:
    """Simulate time passing: the recorded attempts happened ``minutes`` ago."""
    attempt = AccessAttempt.objects.get(username=username)
    AccessAttempt.objects.filter(pk=attempt.pk).update(attempt_time=attempt.attempt_time - timedelta(minutes=minutes))


@pytest.mark.django_db
def test_lockout_still_holds_after_29_minutes(demo_password):
    # Given a locked account whose last failure was 29 minutes ago
    _lock("jmb_reviewer")
    _age_attempts("jmb_reviewer", 29)
    # When the right password is tried
    response = post_login(Client(), "jmb_reviewer", demo_password)
    # Then it is still locked
    assert response.status_code == 429


@pytest.mark.django_db
def test_lockout_ends_after_30_minutes(demo_password):
    # Given a locked account whose failures are 31 minutes old
    _lock("jmb_reviewer")
    _age_attempts("jmb_reviewer", 31)
    client = Client()
    # When the right password is tried
    post_login(client, "jmb_reviewer", demo_password)
    # Then the user is signed in again
    assert logged_in_as(client) == "jmb_reviewer"


@pytest.mark.django_db
def test_lockout_of_one_account_does_not_lock_another_from_the_same_office(demo_password):
    # Given hitech_cmd locked from an office address
    _lock("hitech_cmd")
    client = Client()
    # When a colleague signs in from the same address
    post_login(client, "grid_officer", demo_password)
    # Then the colleague gets in
    assert logged_in_as(client) == "grid_officer"


@pytest.mark.django_db
def test_login_and_logout_are_audited(demo_password):
    # Given a user who signs in and out
    client = Client()
    post_login(client, "county_cmd", demo_password, ip="10.9.8.7")
    client.post("/accounts/logout/")
    # Then both appear in the audit log with who and from where
    login = AuditEntry.objects.get(action="auth.login")
    logout = AuditEntry.objects.get(action="auth.logout")
    assert login.actor_name == "源城区指挥部值班员"
    assert login.ip == "10.9.8.7"
    assert logout.actor_id == login.actor_id
    assert logged_in_as(client) is None


@pytest.mark.django_db
def test_failed_login_does_not_write_the_password_anywhere_in_the_audit_log():
    client = Client()
    for _ in range(5):
        post_login(client, "county_cmd", "Secret-guess-123")
    assert AuditEntry.objects.exists()  # the lockout is recorded
    for entry in AuditEntry.objects.all():
        assert "Secret-guess-123" not in str(entry.payload())


@pytest.mark.django_db
def test_lockout_is_audited_with_the_account_and_the_address():
    # When an account is locked
    _lock("hitech_cmd")
    # Then the lockout is in the audit log, naming the account
    entry = AuditEntry.objects.get(action="auth.locked_out")
    assert entry.ip == "10.1.2.3"
    assert "hitech_cmd" in (entry.object_label + str(entry.data))


@pytest.mark.django_db
def test_lockout_by_mobile_number_keeps_no_phone_number_in_the_audit_log():
    # Given someone guessing passwords for a mobile number
    # When the account is locked out
    client = Client()
    for _ in range(5):
        post_login(client, "13800000001", WRONG)
    # Then the log names the account but does not keep the phone number for ever
    entry = AuditEntry.objects.get(action="auth.locked_out")
    assert "13800000001" not in str(entry.payload())
    assert "county_cmd" in (entry.object_label + str(entry.data))


@pytest.mark.django_db
def test_lockout_of_an_unknown_name_keeps_no_typed_text_in_the_audit_log():
    # Given someone who typed their password into the username box five times
    client = Client()
    for _ in range(5):
        post_login(client, "MyPassw0rd2020", WRONG)
    # Then the lockout is recorded without what they typed
    entry = AuditEntry.objects.get(action="auth.locked_out")
    assert "MyPassw0rd2020" not in str(entry.payload())


@pytest.mark.django_db
def test_failures_by_username_and_by_mobile_number_count_together(demo_password):
    # Given three wrong passwords typed with the username and two with the same person's mobile number
    client = Client()
    for _ in range(3):
        post_login(client, "county_cmd", WRONG)
    for _ in range(2):
        post_login(client, "13800000001", WRONG)
    # When the right password follows, by either name
    by_username = post_login(client, "county_cmd", demo_password)
    by_mobile = post_login(client, "13800000001", demo_password)
    # Then the account is locked: five failures are five failures
    assert (by_username.status_code, by_mobile.status_code) == (429, 429)
    assert logged_in_as(client) is None


@pytest.mark.django_db
def test_logging_in_by_mobile_number_clears_failures_made_with_the_username(demo_password):
    client = Client()
    for _ in range(4):
        post_login(client, "county_cmd", WRONG)
    post_login(client, "13800000001", demo_password)
    client.post("/accounts/logout/")
    # A single new failure does not lock the account, because the earlier four were forgiven
    post_login(client, "county_cmd", WRONG)
    post_login(client, "county_cmd", demo_password)
    assert logged_in_as(client) == "county_cmd"


def test_a_username_of_eleven_digits_is_refused_because_it_would_read_as_a_mobile_number(db):
    from django.core.exceptions import ValidationError

    from fugong.accounts.models import User

    user = User(username="13912345678")
    with pytest.raises(ValidationError) as refused:
        user.clean()
    assert "手机号" in str(refused.value)
