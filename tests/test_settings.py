"""Settings come from the environment: the embedded demo needs no variable at all, production
refuses to start without its secrets and passes Django's deployment checks."""

from __future__ import annotations

import base64
import json
import os
import secrets
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

PYTHON = sys.executable
FUGONG = Path(sys.executable).with_name("fugong")
# Variables a developer's shell or CI may have set; every run here starts without them.
OURS = {"DATABASE_URL", "REDIS_URL", "SECRET_KEY", "SECRET_KEY_FILE", "ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY",
        "PASS_SIGNING_KEY", "DEBUG", "FUGONG_ENV", "FUGONG_VAR_DIR", "CELERY_TASK_ALWAYS_EAGER", "TIME_ZONE", "SECURE_SSL_REDIRECT",
        "PYTEST_XDIST_WORKER"}
SHOWN = ["VAR_DIR", "DEBUG", "SECRET_KEY", "DATABASES", "CACHES", "CELERY_TASK_ALWAYS_EAGER", "CELERY_BROKER_URL", "TIME_ZONE",
         "LANGUAGE_CODE", "LANGUAGES", "USE_TZ", "SESSION_COOKIE_SECURE", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS"]


def environment(**variables: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in OURS}
    env["DJANGO_SETTINGS_MODULE"] = "fugong.settings"
    env.update(variables)
    return env


def load_settings(**variables: str) -> subprocess.CompletedProcess[str]:
    """Import the settings in a fresh interpreter with exactly these variables."""
    code = (
        "import json\nfrom django.conf import settings\n"
        f"print(json.dumps({{name: getattr(settings, name, None) for name in {SHOWN!r}}}, default=str))"
    )
    return subprocess.run([PYTHON, "-c", code], env=environment(**variables), capture_output=True, text=True, timeout=60, check=False)


def settings_with(**variables: str) -> dict:
    result = load_settings(**variables)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def production(var_dir: Path, **overrides: str) -> dict[str, str]:
    values = {
        "FUGONG_ENV": "production",
        "FUGONG_VAR_DIR": str(var_dir),
        "SECRET_KEY": secrets.token_urlsafe(64),
        "ALLOWED_HOSTS": "fugong.heyuan.gov.cn",
        "FIELD_ENCRYPTION_KEYS": "k1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "BLIND_INDEX_KEY": secrets.token_urlsafe(32),
        "PASS_SIGNING_KEY": secrets.token_urlsafe(32),
    }
    values.update(overrides)
    return {k: v for k, v in values.items() if v is not None}


def test_with_no_variables_the_demo_uses_sqlite_under_var_eager_celery_and_local_memory_cache():
    # Given no variable at all
    # When the settings load
    loaded = settings_with()
    # Then the demo runs on a SQLite file under var/, with no broker and no Redis
    var = Path(settings.ROOT_DIR) / "var"
    assert Path(loaded["VAR_DIR"]) == var
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.sqlite3"
    assert Path(database["NAME"]) == var / "fugong.sqlite3"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is True
    assert loaded["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    assert loaded["DEBUG"] is True


def test_the_demo_secret_key_is_generated_once_and_kept_private(tmp_path):
    # Given an empty var/ folder
    # When the settings load twice
    first = settings_with(FUGONG_VAR_DIR=str(tmp_path))
    second = settings_with(FUGONG_VAR_DIR=str(tmp_path))
    # Then the same long key is used both times, kept in a file only its owner can read
    kept = tmp_path / "secret_key.txt"
    assert first["SECRET_KEY"] == second["SECRET_KEY"] == kept.read_text().strip()
    assert len(first["SECRET_KEY"]) >= 50
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600


def test_processes_starting_together_on_an_empty_var_folder_agree_on_one_secret_key(tmp_path):
    # Given six processes (server workers, parallel test processes) loading the settings at once
    code = "from django.conf import settings; print(settings.SECRET_KEY)"
    env = environment(FUGONG_VAR_DIR=str(tmp_path))
    started = [subprocess.Popen([PYTHON, "-c", code], env=env, stdout=subprocess.PIPE, text=True) for _ in range(6)]
    keys = {process.communicate(timeout=60)[0].strip() for process in started}
    # Then they all use the one key that was kept, none an empty or half-written one
    assert keys == {(tmp_path / "secret_key.txt").read_text().strip()}
    assert len(keys.pop()) >= 50
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def test_parallel_test_processes_each_take_a_redis_database_of_their_own(tmp_path):
    url = "redis://127.0.0.1:6379/0"
    first = settings_with(FUGONG_VAR_DIR=str(tmp_path), FUGONG_ENV="test", REDIS_URL=url, PYTEST_XDIST_WORKER="gw0")
    second = settings_with(FUGONG_VAR_DIR=str(tmp_path), FUGONG_ENV="test", REDIS_URL=url, PYTEST_XDIST_WORKER="gw1")
    alone = settings_with(FUGONG_VAR_DIR=str(tmp_path), FUGONG_ENV="test", REDIS_URL=url)
    assert (first["CELERY_BROKER_URL"], second["CELERY_BROKER_URL"]) == ("redis://127.0.0.1:6379/1", "redis://127.0.0.1:6379/2")
    assert first["CACHES"]["default"]["LOCATION"] == "redis://127.0.0.1:6379/1"
    assert alone["CELERY_BROKER_URL"] == url
    # Outside the test environment the variable means nothing
    assert settings_with(FUGONG_VAR_DIR=str(tmp_path), REDIS_URL=url, PYTEST_XDIST_WORKER="gw1")["CELERY_BROKER_URL"] == url


def test_another_var_folder_gets_another_secret_key(tmp_path):
    one = settings_with(FUGONG_VAR_DIR=str(tmp_path / "one"))
    two = settings_with(FUGONG_VAR_DIR=str(tmp_path / "two"))
    assert one["SECRET_KEY"] != two["SECRET_KEY"]


def test_database_url_and_redis_url_switch_to_the_real_stack(tmp_path):
    # Given PostgreSQL and Redis addresses
    loaded = settings_with(FUGONG_VAR_DIR=str(tmp_path), DATABASE_URL="postgres://fugong:pw@db.internal:5432/fugong",
                           REDIS_URL="redis://cache.internal:6379/0")
    # Then they are used, and Celery sends jobs to the broker instead of running them inline
    database = loaded["DATABASES"]["default"]
    assert database["ENGINE"] == "django.db.backends.postgresql"
    assert (database["HOST"], database["NAME"]) == ("db.internal", "fugong")
    assert loaded["CACHES"]["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert loaded["CELERY_BROKER_URL"] == "redis://cache.internal:6379/0"
    assert loaded["CELERY_TASK_ALWAYS_EAGER"] is False


def test_time_zone_is_shanghai_and_language_chinese_with_english_available():
    assert settings.TIME_ZONE == "Asia/Shanghai"
    assert settings.USE_TZ is True
    assert settings.LANGUAGE_CODE == "zh-hans"
    assert [code for code, _ in settings.LANGUAGES] == ["zh-hans", "en"]


def test_production_with_its_secrets_passes_the_deployment_checks_with_nothing_to_report(tmp_path):
    # Given production with every secret set
    env = environment(**production(tmp_path))
    # When Django's deployment checks run, failing on any warning
    result = subprocess.run([str(FUGONG), "check", "--deploy", "--fail-level", "WARNING"], env=env, capture_output=True, text=True,
                            timeout=120, check=False)
    # Then they pass and report nothing
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNING" not in result.stdout + result.stderr


def test_production_turns_on_transport_security_and_debug_off(tmp_path):
    loaded = settings_with(**production(tmp_path))
    assert loaded["DEBUG"] is False
    assert loaded["SESSION_COOKIE_SECURE"] is True
    assert loaded["SECURE_SSL_REDIRECT"] is True
    assert loaded["SECURE_HSTS_SECONDS"] >= 31536000


def test_production_never_generates_a_secret_key(tmp_path):
    # Given production without SECRET_KEY
    result = load_settings(**production(tmp_path, SECRET_KEY=None))
    # Then it refuses to start, naming the missing variable
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert "SECRET_KEY" in result.stderr
    # And no key was quietly made up
    assert not (tmp_path / "secret_key.txt").exists()


def test_production_without_a_secret_key_cannot_run_any_command(tmp_path):
    result = subprocess.run([str(FUGONG), "check"], env=environment(**production(tmp_path, SECRET_KEY=None)), capture_output=True,
                            text=True, timeout=60, check=False)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr


def test_production_reads_a_secret_from_a_file(tmp_path):
    # Given the secret key in a file, as container secrets are mounted
    key_file = tmp_path / "secret_key"
    key_file.write_text(secrets.token_urlsafe(64) + "\n")
    # When production starts with SECRET_KEY_FILE
    loaded = settings_with(**production(tmp_path, SECRET_KEY=None, SECRET_KEY_FILE=str(key_file)))
    # Then the key is read from it, without the trailing newline
    assert loaded["SECRET_KEY"] == key_file.read_text().strip()


@pytest.mark.parametrize("missing", ["ALLOWED_HOSTS", "FIELD_ENCRYPTION_KEYS", "BLIND_INDEX_KEY", "PASS_SIGNING_KEY"])
def test_production_refuses_to_start_without_each_required_setting(tmp_path, missing):
    result = load_settings(**production(tmp_path, **{missing: None}))
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert missing in result.stderr


def test_production_refuses_debug(tmp_path):
    result = load_settings(**production(tmp_path, DEBUG="true"))
    assert result.returncode != 0
    assert "DEBUG" in result.stderr


def test_an_unknown_environment_name_is_refused(tmp_path):
    result = load_settings(FUGONG_ENV="prod", FUGONG_VAR_DIR=str(tmp_path))
    assert result.returncode != 0
    assert "FUGONG_ENV" in result.stderr
