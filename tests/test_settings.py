"""Settings come from the environment and refuse unsafe production setups."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _settings_probe(env_overrides: dict[str, str], expression: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "DEBUG", "DATABASE_URL"}}
    env.update({"ENV_FILE": "/nonexistent", "DJANGO_SETTINGS_MODULE": "config.settings", **env_overrides})
    code = f"import django; django.setup(); from django.conf import settings; print({expression})"
    return subprocess.run(  # noqa: S603 - fixed interpreter and code
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=60
    )


def test_missing_secret_key_is_refused_when_debug_is_off():
    result = _settings_probe({"DEBUG": "0"}, "settings.SECRET_KEY")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_debug_generates_a_development_secret_key():
    result = _settings_probe({"DEBUG": "1"}, "settings.SECRET_KEY")
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.strip()) > 40


def test_production_defaults_are_safe():
    expression = (
        "settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.ALLOWED_HOSTS, settings.EMAIL_BACKEND"
    )
    result = _settings_probe({"DEBUG": "0", "SECRET_KEY": "x" * 50}, expression)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "True True [] django.core.mail.backends.smtp.EmailBackend"


def test_database_url_selects_postgresql():
    result = _settings_probe(
        {"DEBUG": "1", "DATABASE_URL": "postgres://u:p@db.example:5433/crm"},
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['HOST']",
    )
    assert result.stdout.strip() == "django.db.backends.postgresql db.example"


def test_default_database_is_sqlite_file_in_project():
    result = _settings_probe({"DEBUG": "1"}, "settings.DATABASES['default']['NAME']")
    assert result.stdout.strip() == str(ROOT / "db.sqlite3")


def test_scoring_overrides_come_from_the_environment():
    result = _settings_probe(
        {"DEBUG": "1", "SCORING_JSON": '{"points": {"no_https": 15}}'}, "settings.SCORING['points']['no_https']"
    )
    assert result.stdout.strip() == "15"
