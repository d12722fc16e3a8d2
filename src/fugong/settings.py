"""Fugong settings: one file, everything from the environment.

The embedded default (no variable set) is the demo: SQLite under ``var/``, Celery eager, local
memory cache, a secret key generated once and kept under ``var/``. ``FUGONG_ENV=production``
refuses to start without the secrets and turns on every transport-security setting, so that
``fugong check --deploy --fail-level WARNING`` reports nothing.
"""

from __future__ import annotations

import base64
import os
import secrets
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import environ
from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
ROOT_DIR = PACKAGE_DIR.parent.parent

env = environ.Env()

FUGONG_ENV = env.str("FUGONG_ENV", default="development")
if FUGONG_ENV not in {"development", "test", "production"}:
    raise ImproperlyConfigured(f"FUGONG_ENV must be development, test or production, not {FUGONG_ENV!r}")
PRODUCTION = FUGONG_ENV == "production"

VAR_DIR = Path(env.str("FUGONG_VAR_DIR", default=str(ROOT_DIR / "var")))
VAR_DIR.mkdir(parents=True, exist_ok=True)


def secret(name: str, *, generate_bytes: int | None = None) -> str:
    """A secret from ``NAME`` or the file named by ``NAME_FILE``.

    Outside production a missing secret is generated once and kept under ``var/`` so the demo
    keeps working across restarts; in production a missing secret stops the start.
    """
    if value := os.environ.get(name):
        return value
    if path := os.environ.get(f"{name}_FILE"):
        return Path(path).read_text(encoding="utf-8").strip()
    if PRODUCTION or generate_bytes is None:
        raise ImproperlyConfigured(f"{name} (or {name}_FILE) must be set when FUGONG_ENV=production")
    kept = VAR_DIR / f"{name.lower()}.txt"
    if not kept.exists():
        # Written aside, then linked into place: of processes starting together (server workers,
        # parallel test processes) the first one's secret is the one everybody reads, never half a file.
        aside = kept.with_name(f".{kept.name}.{os.getpid()}")
        aside.write_text(base64.urlsafe_b64encode(secrets.token_bytes(generate_bytes)).decode(), encoding="utf-8")
        aside.chmod(0o600)
        try:
            os.link(aside, kept)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    return kept.read_text(encoding="utf-8").strip()


SECRET_KEY = secret("SECRET_KEY", generate_bytes=50)

# Field encryption (AES-256-GCM) keys as "kid:base64key[,kid:base64key...]"; the first one encrypts,
# all of them decrypt, so keys rotate by prepending a new one. The blind index key is separate.
FIELD_ENCRYPTION_KEYS = secret("FIELD_ENCRYPTION_KEYS", generate_bytes=None) if PRODUCTION else (
    os.environ.get("FIELD_ENCRYPTION_KEYS") or "k1:" + secret("FIELD_ENCRYPTION_KEY_K1", generate_bytes=32)
)
BLIND_INDEX_KEY = secret("BLIND_INDEX_KEY", generate_bytes=32)
PASS_SIGNING_KEY = secret("PASS_SIGNING_KEY", generate_bytes=32)

DEBUG = env.bool("DEBUG", default=not PRODUCTION)
if PRODUCTION and DEBUG:
    raise ImproperlyConfigured("DEBUG must be off when FUGONG_ENV=production")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=[] if PRODUCTION else ["127.0.0.1", "localhost", "[::1]", "testserver"])
if PRODUCTION and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("ALLOWED_HOSTS must be set when FUGONG_ENV=production")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "rules.apps.AutodiscoverRulesConfig",
    "axes",
    "csp",
    "pgtrigger",
    "pghistory",
    "django_celery_beat",
    "fugong.core",
    "fugong.regions",
    "fugong.accounts",
    "fugong.audit",
    "fugong.policy",
    "fugong.enterprises",
    "fugong.resumption",
    "fugong.inspections",
    "fugong.workforce",
    "fugong.health",
    "fugong.gates",
    "fugong.quarantine",
    "fugong.subsidies",
    "fugong.assistance",
    "fugong.materials",
    "fugong.exports",
    "fugong.command",
    "fugong.api",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "fugong.accounts.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After MessageMiddleware: a timed-out session is told why on the login page.
    "fugong.accounts.middleware.SessionTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "fugong.core.middleware.CSPMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "fugong.urls"
WSGI_APPLICATION = "fugong.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "fugong.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'fugong.sqlite3'}")}
DATABASES["default"].setdefault("ATOMIC_REQUESTS", False)
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the demo's server read while a job writes.
    DATABASES["default"].setdefault("OPTIONS", {})["init_command"] = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
    DATABASES["default"]["OPTIONS"]["transaction_mode"] = "IMMEDIATE"
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
POSTGRES = DATABASES["default"]["ENGINE"].startswith("django.db.backends.postgresql")
if POSTGRES:
    # Row history records who made each change; its context injection is PostgreSQL-only.
    MIDDLEWARE.insert(MIDDLEWARE.index("axes.middleware.AxesMiddleware"), "fugong.core.middleware.HistoryMiddleware")
# Paths that write no table with row history: no pghistory context there (core.middleware).
UNTRACKED_PATHS = ["/api/v1/checkins"]
# A streaming replica (optional): dashboards and export jobs read from it inside
# fugong.core.routers.reading_from_replica(); everything else, every write and every read that must
# see a recent write stay on the primary. Without it everything uses "default".
DATABASE_ROUTERS = ["fugong.core.routers.PrimaryReplicaRouter"]
DATABASE_REPLICA_PIN_SECONDS = env.int("DATABASE_REPLICA_PIN_SECONDS", default=10)
if env.str("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = env.db("DATABASE_REPLICA_URL")
    DATABASES["replica"]["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}  # the test suite has one database
    MIDDLEWARE.insert(MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware") + 1,
                      "fugong.core.routers.ReplicaRoutingMiddleware")

REDIS_URL = env.str("REDIS_URL", default="")
if REDIS_URL and FUGONG_ENV == "test" and os.environ.get("PYTEST_XDIST_WORKER", "").startswith("gw"):
    # Parallel test processes (pytest-xdist's gw0, gw1, …) each take a Redis database of their
    # own (1–15), so that one's cache.clear() or queued job never reaches another's.
    REDIS_URL = urlsplit(REDIS_URL)._replace(path=f"/{1 + int(os.environ['PYTEST_XDIST_WORKER'][2:]) % 15}").geturl()
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}}
    CELERY_BROKER_URL = REDIS_URL
    CELERY_RESULT_BACKEND = REDIS_URL
    CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    CELERY_BROKER_URL = "memory://"
    CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TIMEZONE = "Asia/Shanghai"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ACKS_LATE = True
# Periodic jobs (django-celery-beat copies these into its database schedule at start).
CELERY_BEAT_SCHEDULE: dict[str, dict[str, object]] = {
    "health-purge-idempotent-requests": {"task": "fugong.health.purge_idempotent_requests", "schedule": timedelta(hours=1)},
    # Every quarter of an hour; the job decides per county whether its daily_report_deadline_hour has
    # passed (鹤山市 9:00, elsewhere 10:00) and raises one missing-report alert per enterprise and day.
    "health-missing-daily-reports": {"task": "fugong.health.tasks.check_missing_reports", "schedule": timedelta(minutes=15)},
    # PostgreSQL: the check-ins' monthly partitions, created three months ahead (and months past
    # FUGONG_CHECKIN_RETENTION_DAYS dropped, when set): fugong.health.partitions.
    "health-checkin-partitions": {"task": "fugong.health.ensure_checkin_partitions", "schedule": timedelta(hours=6)},
    # Export files (fugong.exports) older than the policy's export_keep_hours are deleted.
    "exports-purge-expired-files": {"task": "fugong.exports.purge_expired_exports", "schedule": timedelta(hours=1)},
    # The command centre (fugong.command): flags touched by events every 5 minutes, every flag and
    # today's rollups hourly, and the daily summaries of the counties whose daily_summary_hour is now.
    "command-refresh-dirty": {"task": "fugong.command.refresh_dirty", "schedule": timedelta(minutes=5)},
    "command-refresh-all": {"task": "fugong.command.refresh_all", "schedule": timedelta(hours=1)},
    "command-daily-summaries": {"task": "fugong.command.daily_summaries", "schedule": timedelta(hours=1)},
}
# Check-ins older than this many days are dropped a whole month partition at a time (PostgreSQL
# only, fugong.health.partitions); 0 keeps every check-in.
FUGONG_CHECKIN_RETENTION_DAYS = env.int("FUGONG_CHECKIN_RETENTION_DAYS", default=0)
# How long a process keeps a county's policy for the check-ins (health.services.cached_policy).
# Off in the test suite: a test's rolled-back policy must not outlive it in the process.
FUGONG_POLICY_CACHE_SECONDS = env.int("FUGONG_POLICY_CACHE_SECONDS", default=0 if FUGONG_ENV == "test" else 60)
# How long a process remembers a check-in device's token and scope (health.authentication): a
# revoked token still records check-ins in other processes for at most these seconds.
FUGONG_API_AUTH_CACHE_SECONDS = env.int("FUGONG_API_AUTH_CACHE_SECONDS", default=0 if FUGONG_ENV == "test" else 10)

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "fugong.accounts.backends.UsernameOrMobileBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "fugong.accounts.validators.LettersAndDigitsValidator"},
]

# django-axes: 5 failures of one username from one address lock it for 30 minutes. Username and
# address together, because a town office shares one address behind NAT.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Count failures per account, whether its username or its mobile number was typed.
AXES_USERNAME_CALLABLE = "fugong.accounts.backends.lockout_username"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_META_PRECEDENCE_ORDER = ["REMOTE_ADDR"]

# Sessions end after 30 idle minutes and 12 hours after login in any case.
SESSION_IDLE_TIMEOUT = timedelta(minutes=env.int("SESSION_IDLE_MINUTES", default=30))
SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=env.int("SESSION_ABSOLUTE_HOURS", default=12))
SESSION_COOKIE_AGE = int(SESSION_ABSOLUTE_TIMEOUT.total_seconds())
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = env.str("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
MEDIA_ROOT = Path(env.str("MEDIA_ROOT", default=str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Outside production WhiteNoise serves straight from the app folders, so the web server needs no collectstatic.
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = DEBUG
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "fugong.accounts.authentication.HashedTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "fugong.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_VERSIONING_CLASS": None,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Fugong 复工 API",
    "DESCRIPTION": "Scoped API for enterprises, regions and resumption applications; later check-ins and passes. "
    "Authenticate with a session or `Authorization: Token <key>`.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The schema maps every endpoint and field; like everything else here it is for signed-in users and tokens.
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Enterprises, applications and review steps each have a "status" with its own choices.
    "ENUM_NAME_OVERRIDES": {
        "EnterpriseStatusEnum": "fugong.enterprises.choices.Status",
        "ApplicationStatusEnum": "fugong.resumption.choices.Status",
        "StepStatusEnum": "fugong.resumption.choices.StepStatus",
        "QuarantineKindEnum": "fugong.quarantine.choices.QuarantineKind",
        "PlacementStatusEnum": "fugong.quarantine.choices.PlacementStatus",
    },
}

# Content Security Policy: our own origin only; no inline script, no eval (Alpine's CSP build).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "media-src": [SELF, "blob:"],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    CSRF_COOKIE_HTTPONLY = True

EMAIL_BACKEND = env.str(
    "EMAIL_BACKEND",
    default="django.core.mail.backends.smtp.EmailBackend" if PRODUCTION else "django.core.mail.backends.console.EmailBackend",
)
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="fugong@localhost")

if FUGONG_ENV == "test":
    # Hashing strength is not under test; the suite logs in hundreds of times.
    PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

# Row history (pghistory) records who did it through the middleware context.
PGHISTORY_DEFAULT_TRACKERS = None

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}

FUGONG_SITE_NAME = _("复工复产防控平台")

# The CJK font WeasyPrint embeds (as a subset) in notices and letters. Empty: found at run time with
# ``fc-match 'Noto Sans CJK SC'`` (Debian: fonts-noto-cjk); a path that does not exist stops the PDF
# with a clear error instead of printing boxes.
FUGONG_PDF_FONT = env.str("FUGONG_PDF_FONT", default="")
