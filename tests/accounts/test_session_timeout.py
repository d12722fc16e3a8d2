"""Sessions end after 30 idle minutes, and 12 hours after login whatever happens."""

from __future__ import annotations

import time

import pytest
from django.test import Client

from fugong.accounts.middleware import LOGIN_AT, SEEN_AT

MINUTE = 60
HOUR = 60 * MINUTE


def signed_in(client_for, username: str = "county_cmd") -> Client:
    client = client_for(username)
    assert client.get("/").status_code == 200
    return client


def pretend(client: Client, *, login_ago: float | None = None, seen_ago: float | None = None) -> None:
    """Move the session's clocks back, as if that much time had passed."""
    session = client.session
    now = time.time()
    if login_ago is not None:
        session[LOGIN_AT] = now - login_ago
    if seen_ago is not None:
        session[SEEN_AT] = now - seen_ago
    session.save()


def is_sent_to_login(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith("/accounts/login/")


@pytest.mark.django_db
def test_login_starts_both_session_clocks(client_for):
    # Given a user who just signed in
    client = signed_in(client_for)
    # Then the session knows when that happened
    session = client.session
    assert abs(session[LOGIN_AT] - time.time()) < 60
    assert abs(session[SEEN_AT] - time.time()) < 60


@pytest.mark.django_db
def test_29_idle_minutes_keep_the_session(client_for):
    # Given a user idle for 29 minutes
    client = signed_in(client_for)
    pretend(client, seen_ago=29 * MINUTE)
    # When they click again
    response = client.get("/")
    # Then they are still signed in
    assert response.status_code == 200


@pytest.mark.django_db
def test_31_idle_minutes_end_the_session(client_for):
    # Given a user idle for 31 minutes
    client = signed_in(client_for)
    pretend(client, seen_ago=31 * MINUTE)
    # When they click again
    response = client.get("/")
    # Then they are sent to the login page, and stay signed out
    assert is_sent_to_login(response)
    assert is_sent_to_login(client.get("/"))


@pytest.mark.django_db
def test_timed_out_user_is_told_why_on_the_login_page(client_for):
    # Given a session that has idled out
    client = signed_in(client_for)
    pretend(client, seen_ago=31 * MINUTE)
    # When the user follows the redirect
    response = client.get("/", follow=True)
    # Then the login page says why they have to sign in again
    assert "长时间未操作，已自动退出" in response.content.decode()


@pytest.mark.django_db
def test_activity_keeps_an_idle_clock_fresh(client_for):
    # Given a user last seen 20 minutes ago who clicks now
    client = signed_in(client_for)
    pretend(client, seen_ago=20 * MINUTE)
    client.get("/")
    # When a further 20 minutes pass (40 since the first click)
    session = client.session
    session[SEEN_AT] -= 20 * MINUTE
    session[LOGIN_AT] -= 20 * MINUTE
    session.save()
    # Then they are still signed in, because the click counted
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_12_hours_after_login_the_session_ends_even_when_active(client_for):
    # Given a user who signed in 12 hours and a minute ago but clicked a moment ago
    client = signed_in(client_for)
    pretend(client, login_ago=12 * HOUR + MINUTE, seen_ago=MINUTE)
    # When they click again
    response = client.get("/")
    # Then they must sign in again
    assert is_sent_to_login(response)


@pytest.mark.django_db
def test_11_hours_after_login_an_active_session_continues(client_for):
    client = signed_in(client_for)
    pretend(client, login_ago=11 * HOUR, seen_ago=MINUTE)
    assert client.get("/").status_code == 200


@pytest.mark.django_db
def test_timed_out_session_on_a_form_post_does_not_save_anything(client_for):
    # Given an officer whose session idled out on the policy page
    client = signed_in(client_for, "admin")
    pretend(client, seen_ago=31 * MINUTE)
    # When the stale form is posted
    response = client.post("/policy/", {"note": "stale", "effective_from": "2030-01-01T00:00"})
    # Then it is answered with the login page, not a publication
    assert is_sent_to_login(response)
