"""The reference the issue measures the check-in API against: a plain Django view doing a raw-SQL
upsert of the posted check-in — no authentication, no validation, no scope, no answer per item.

A project of its own (``settings.configure``: the database, this module as the URL conf, the
same two middleware the devices' handler of ``fugong.wsgi`` keeps), served by the same granian
as the API in bench/checkins.py, so the two are measured side by side with the same clients.
The posted ``person`` goes into the row as it is; the enterprise and the recorder come from the
environment (``PLAIN_ENTERPRISE_ID``, ``PLAIN_USER_ID``).
"""

from __future__ import annotations

import json
import os
from datetime import datetime
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

import environ
from django.conf import settings

settings.configure(
    DEBUG=False,
    ALLOWED_HOSTS=["*"],
    ROOT_URLCONF=__name__,
    MIDDLEWARE=["django.middleware.security.SecurityMiddleware", "django.middleware.common.CommonMiddleware"],
    DATABASES={"default": {**environ.Env().db("DATABASE_URL"), "CONN_MAX_AGE": 600}},
    USE_TZ=True,
)

from django.core.wsgi import get_wsgi_application  # noqa: E402 - after settings.configure
from django.db import connection  # noqa: E402
from django.http import HttpRequest, JsonResponse  # noqa: E402
from django.urls import path  # noqa: E402
from django.views.decorators.csrf import csrf_exempt  # noqa: E402

SHANGHAI = ZoneInfo("Asia/Shanghai")
ENTERPRISE_ID = int(os.environ.get("PLAIN_ENTERPRISE_ID", "1"))
USER_ID = int(os.environ.get("PLAIN_USER_ID", "1"))
UPSERT = ("INSERT INTO health_checkin (person_id, enterprise_id, date, slot, temperature, cough, symptoms, source, recorded_at, "
          "recorded_by_id) VALUES (%s, %s, %s, %s, %s, false, '', 'api', %s, %s) ON CONFLICT (person_id, date, slot) DO UPDATE SET "
          "temperature = EXCLUDED.temperature, recorded_at = EXCLUDED.recorded_at RETURNING id")


@csrf_exempt
def checkin(request: HttpRequest) -> JsonResponse:
    data = json.loads(request.body)
    now = datetime.now(SHANGHAI)
    with connection.cursor() as cursor:
        cursor.execute(UPSERT, [data["person"], ENTERPRISE_ID, now.date(), 1 if now.hour < 12 else 2, Decimal(data["temperature"]), now,
                                USER_ID])
        (checkin_id,) = cursor.fetchone()
    return JsonResponse({"ok": True, "id": checkin_id})


urlpatterns: list[Any] = [path("api/v1/checkins", checkin)]
application = get_wsgi_application()
