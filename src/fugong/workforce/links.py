"""Personal signed links (个人链接/二维码): how an employee without a password reaches their own
health declaration, check-in and pass on a phone.

A link carries the person's record id signed with the project's secret (Django's signing, a salt
of its own) and the time it was made; it expires after the policy's ``personal_link_days``. It is
not a session: every page it opens acts for that one person only, and a forged or altered token is
simply "not found". Links are not revocable one by one: they expire within days, and a
person who leaves the enterprise loses access because the pages look the person up again.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from django.core import signing

SALT = "fugong.workforce.personal-link.v1"


def make_token(person: Any) -> str:
    """The token of a personal link for ``person`` (a URL-safe string)."""
    return signing.dumps({"p": str(person.pk)}, salt=SALT, compress=False)


def person_id_from_token(token: str, *, max_age: timedelta) -> uuid.UUID | None:
    """The person id a token names, or None when it is forged, altered, malformed or older than
    ``max_age``."""
    try:
        payload = signing.loads(token, salt=SALT, max_age=max_age)
        return uuid.UUID(str(payload["p"]))
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        return None
