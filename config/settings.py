"""Django settings for Prospecting, read from the environment (12-factor).

Every value can be set by an environment variable; a `.env` file in the project directory (created by
`make run` / `make test`) is read first for local development, and real environment variables win.
"""

from __future__ import annotations

import json
import os
import secrets
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def _read_env_file(path: Path) -> None:
    """Load KEY=VALUE lines from `path` into os.environ without overriding what is already set."""
    if not path.is_file():
        return
    for raw_line in path.read_text(encoding="utf-8").splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, value = line.partition("=")
        os.environ.setdefault(key.strip(), value.strip().strip("'\""))


_read_env_file(Path(os.environ.get("ENV_FILE", BASE_DIR / ".env")))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY must be set when DEBUG is off. Run `make run` once to create a development .env, "
            "or export SECRET_KEY."
        )
    # Development only: a random key per process start is safe (sessions just expire on restart).
    SECRET_KEY = "dev-insecure-" + secrets.token_urlsafe(40)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "prospecting.workspace.admin_config.ProspectingAdminConfig",  # django.contrib.admin with our site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "import_export",
    "django_q",
    "prospecting.core",
    "prospecting.prospects",
    "prospecting.enrichment",
    "prospecting.scoring",
    "prospecting.interactions",
    "prospecting.outreach",
    "prospecting.discovery",
    "prospecting.workspace",
    "prospecting.privacy",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: SQLite file by default, PostgreSQL (psycopg 3) when DATABASE_URL says so.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A file, not memory, for the test database: tests start real worker processes against it.
    DATABASES["default"]["TEST"] = {"NAME": str(BASE_DIR / "var" / "test_db.sqlite3")}
    (BASE_DIR / "var").mkdir(exist_ok=True)
    # Workers and the web server share the file: wait for locks instead of failing, and use WAL so
    # readers never block the writer.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
FIXTURE_DIRS = [BASE_DIR / "fixtures"]  # reference and demo data (loaded by `manage.py seed_demo`)

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# The staff work in French and German as much as in English: the browser's language is used (LocaleMiddleware),
# a switcher in the admin's top bar changes it; dates follow each language's formats (English: British).
LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en-gb")
LANGUAGES = [("en-gb", "English"), ("fr", "Français"), ("de", "Deutsch")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Luxembourg")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
# In development the web server serves static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))
MEDIA_URL = "media/"

LOGIN_URL = "admin:login"
FORMS_URLFIELD_ASSUME_HTTPS = True  # Django 6 behaviour: a URL typed without scheme means https

# --- Security: production-safe defaults whenever DEBUG is off -------------------------------------------
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0)  # opt-in: HSTS is hard to undo
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=False)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", default=False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if env_bool("USE_X_FORWARDED_PROTO", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- E-mail -------------------------------------------------------------------------------------------
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend" if DEBUG else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Prospecting <prospecting@localhost>")

# --- Outreach (README "Outreach") ------------------------------------------------------------------------
# Links in messages (unsubscribe, open pixel, click redirect) are built from SITE_URL: use the public https URL.
SITE_URL = env_str("SITE_URL", "http://localhost:8000")
OUTREACH_SENDER_NAME = env_str("OUTREACH_SENDER_NAME")  # {sender_name} without a sender account
OUTREACH_MESSAGE_ID_DOMAIN = env_str("OUTREACH_MESSAGE_ID_DOMAIN")  # empty: SITE_URL's host
OUTREACH_TRACK_OPENS = env_bool("OUTREACH_TRACK_OPENS", default=True)
OUTREACH_TRACK_CLICKS = env_bool("OUTREACH_TRACK_CLICKS", default=True)
OUTREACH_SEND_CONNECTIONS = env_int("OUTREACH_SEND_CONNECTIONS", 4)  # SMTP connections per account per job
OUTREACH_CHUNK_SIZE = env_int("OUTREACH_CHUNK_SIZE", 200)  # messages claimed and recorded per round trip
OUTREACH_INLINE_PLAN_MAX = env_int("OUTREACH_INLINE_PLAN_MAX", 5000)  # more recipients: the job writes the rows
OUTREACH_RETRY_MINUTES = env_int("OUTREACH_RETRY_MINUTES", 15)  # wait when every account failed
# Letters: the sender block at the top of each page ("|" separates lines) and the city before the date.
OUTREACH_LETTER_SENDER = env_str("OUTREACH_LETTER_SENDER", "Agence Web|1, rue de la Gare|L-1611 Luxembourg")
OUTREACH_LETTER_CITY = env_str("OUTREACH_LETTER_CITY", "Luxembourg")

# --- API ----------------------------------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["prospecting.core.api_policy.StaffModelPermissions"],
    "DEFAULT_PARSER_CLASSES": [
        "prospecting.core.api_policy.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "rest_framework.parsers.MultiPartParser",
    ],
    "DEFAULT_PAGINATION_CLASS": "prospecting.core.api.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "prospecting.core.api.NullsLastOrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Prospecting API",
    "DESCRIPTION": "Find, enrich, score and win business leads. Staff authentication required.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAdminUser"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "ENUM_NAME_OVERRIDES": {
        "ProspectStatusEnum": "prospecting.prospects.models.ProspectStatus",
        "JobStatusEnum": "prospecting.core.models.ScanJob.Status",
        "ImportBatchStatusEnum": "prospecting.prospects.models.ImportBatch.Status",
        "CampaignChannelEnum": "prospecting.outreach.models.CampaignTemplate.Channel",
        "ProspectChannelEnum": "prospecting.prospects.models.ProspectChannel",
        "CampaignSendStatusEnum": "prospecting.outreach.models.CampaignSend.Status",
    },
    # Every operation may answer 400 (bad input) and, on a path with an id, 404: say so in the schema.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "prospecting.core.api_schema.document_error_responses",
    ],
}

# --- Background workers (django-q2) ---------------------------------------------------------------------
Q_CLUSTER = {
    "name": "prospecting",
    "workers": env_int("Q_WORKERS", 2),
    "timeout": env_int("Q_TIMEOUT", 3600),
    "retry": env_int("Q_RETRY", 3700),  # must exceed timeout, or a long job is handed out twice
    "max_attempts": env_int("Q_MAX_ATTEMPTS", 3),
    "queue_limit": env_int("Q_QUEUE_LIMIT", 50),
    "bulk": 1,
    "catch_up": False,
    "label": "Background tasks",
    # Big score recomputes run a process per CPU: a daemonic worker process may not start children.
    "daemonize_workers": False,
}
if env_str("REDIS_URL"):
    Q_CLUSTER["redis"] = env_str("REDIS_URL")
else:
    Q_CLUSTER["orm"] = "default"

# Every background job heartbeats while it runs; a running job silent for JOB_STALLED_AFTER_SECONDS has lost
# its worker (killed, machine gone) and is marked interrupted. Interrupted worker jobs are resumed
# automatically, up to JOB_MAX_ATTEMPTS runs in all (a job that kills its worker every time stops there).
JOB_HEARTBEAT_SECONDS = float(env_str("JOB_HEARTBEAT_SECONDS", "10"))
JOB_STALLED_AFTER_SECONDS = float(env_str("JOB_STALLED_AFTER_SECONDS", "45"))
JOB_MAX_ATTEMPTS = env_int("JOB_MAX_ATTEMPTS", 3)

# --- import-export ---------------------------------------------------------------------------------------
IMPORT_EXPORT_USE_TRANSACTIONS = True
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
# The admin's Import needs the "add" permission of the model, Export its "view" permission.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"

# --- Logging ----------------------------------------------------------------------------------------------
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain"},
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        "django": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "WARNING"), "propagate": False},
        "django.request": {"handlers": ["console"], "level": "ERROR", "propagate": False},
        "django-q": {"handlers": ["console"], "level": env_str("Q_LOG_LEVEL", "INFO"), "propagate": False},
        "prospecting": {"handlers": ["console"], "level": LOG_LEVEL, "propagate": False},
    },
}

# --- Product settings ---------------------------------------------------------------------------------------
PROSPECTING_DEFAULT_COUNTRY = env_str("PROSPECTING_DEFAULT_COUNTRY", "LU")
# --- Enrichment (the web fetcher) ---------------------------------------------------------------------------
ENRICHMENT_USER_AGENT = env_str(
    "ENRICHMENT_USER_AGENT", "Mozilla/5.0 (compatible; ProspectingBot/1.0; +https://github.com/prospecting)"
)
ENRICHMENT_CONNECT_TIMEOUT = float(env_str("ENRICHMENT_CONNECT_TIMEOUT", "5"))
ENRICHMENT_READ_TIMEOUT = float(env_str("ENRICHMENT_READ_TIMEOUT", "10"))
ENRICHMENT_MAX_BYTES = env_int("ENRICHMENT_MAX_BYTES", 3 * 1024 * 1024)
ENRICHMENT_MAX_REDIRECTS = env_int("ENRICHMENT_MAX_REDIRECTS", 10)
ENRICHMENT_ALLOW_PRIVATE_NETWORKS = env_bool("ENRICHMENT_ALLOW_PRIVATE_NETWORKS", default=False)
# Tests and benchmarks only: a few non-public "ip:port" the fetcher may reach while the rest stay forbidden.
ENRICHMENT_ALLOWED_PRIVATE_ADDRESSES = env_list("ENRICHMENT_ALLOWED_PRIVATE_ADDRESSES")
ENRICHMENT_CA_BUNDLE = env_str("ENRICHMENT_CA_BUNDLE")  # empty: certifi's bundle
# Tests and benchmarks only: {"*:443": "127.0.0.1:8443", "name:80": null}. Production never sets it.
ENRICHMENT_RESOLVER_OVERRIDES: dict[str, str | None] = json.loads(env_str("ENRICHMENT_RESOLVER_OVERRIDES_JSON", "{}"))
ENRICHMENT_WORKERS = env_int("ENRICHMENT_WORKERS", 48)  # fetches in flight per job (one per host at a time)
ENRICHMENT_PROCESSES = env_int("ENRICHMENT_PROCESSES", 0)  # processes a big job parses pages in; 0: one per CPU
ENRICHMENT_DNS_LOOKUPS = env_bool("ENRICHMENT_DNS_LOOKUPS", default=False)  # NS/SOA/MX/TXT for the tech scan
ENRICHMENT_DNS_NAMESERVERS = env_list("ENRICHMENT_DNS_NAMESERVERS")  # default: the system's resolvers
ENRICHMENT_DNS_TIMEOUT = float(env_str("ENRICHMENT_DNS_TIMEOUT", "3"))
ENRICHMENT_FRESHNESS_DAYS = env_int("ENRICHMENT_FRESHNESS_DAYS", 30)  # full enrichment skips fresher steps
ENRICHMENT_CONTACT_PAGES = env_int("ENRICHMENT_CONTACT_PAGES", 5)  # pages beyond the home page per contact scrape
# A check that could not be made (timeout, refused, resolver failing) is retried after this many hours.
ENRICHMENT_RETRY_AFTER_HOURS = float(env_str("ENRICHMENT_RETRY_AFTER_HOURS", "6"))
# Resolver outage: when at least this share of a batch chunk (of at least MIN names) fails DNS, these names,
# which must resolve, are looked up; if none does, the job pauses and leaves the chunk untouched.
ENRICHMENT_RESOLVER_OUTAGE_SHARE = float(env_str("ENRICHMENT_RESOLVER_OUTAGE_SHARE", "0.9"))
ENRICHMENT_RESOLVER_OUTAGE_MIN = env_int("ENRICHMENT_RESOLVER_OUTAGE_MIN", 10)
ENRICHMENT_RESOLVER_CANARIES = env_list("ENRICHMENT_RESOLVER_CANARIES", "gouvernement.lu,google.com,wikipedia.org")
ENRICHMENT_MX_CHECK = env_bool("ENRICHMENT_MX_CHECK", default=False)  # mark e-mail domains that cannot receive mail
# Performance audits: builtin (default, no third party), pagespeed (Google PSI API v5) or lighthouse (local CLI).
PERFORMANCE_PROVIDER = env_str("PERFORMANCE_PROVIDER", "builtin")
PAGESPEED_API_URL = env_str("PAGESPEED_API_URL", "https://www.googleapis.com/pagespeedonline/v5/runPagespeed")
PAGESPEED_API_KEY = env_str("PAGESPEED_API_KEY")
LIGHTHOUSE_BINARY = env_str("LIGHTHOUSE_BINARY", "lighthouse")
CHROME_PATH = env_str("CHROME_PATH", "/usr/bin/chromium")
LIGHTHOUSE_CHROME_FLAGS = env_str("LIGHTHOUSE_CHROME_FLAGS", "")
LIGHTHOUSE_CONCURRENCY = env_int("LIGHTHOUSE_CONCURRENCY", 1)  # Chromium instances at once per process
# Tech scan mode: `static` (default: the fetched HTML and inline scripts, ~5 ms CPU a page) or `browser`
# (Chromium at CHROME_PATH renders the page; every request it makes goes through the safe fetcher; seconds a
# page). A run can ask for either (`enrich tech-scan --scan-mode browser`, the batch API's `scan_mode`).
TECH_SCAN_MODE = env_str("TECH_SCAN_MODE", "static")
TECH_SCAN_BROWSER_CONCURRENCY = env_int("TECH_SCAN_BROWSER_CONCURRENCY", 2)  # pages rendered at once per job
TECH_SCAN_BROWSER_PAGE_SECONDS = float(env_str("TECH_SCAN_BROWSER_PAGE_SECONDS", "20"))  # time box of one page
TECH_SCAN_BROWSER_SETTLE_SECONDS = float(env_str("TECH_SCAN_BROWSER_SETTLE_SECONDS", "1.5"))  # after `load`
TECH_SCAN_BROWSER_MAX_REQUESTS = env_int("TECH_SCAN_BROWSER_MAX_REQUESTS", 150)  # fetched for one page
# `manage.py update_fingerprints` downloads a newer technology snapshot from here into FINGERPRINTS_DIR.
FINGERPRINTS_UPDATE_URL = env_str(
    "FINGERPRINTS_UPDATE_URL", "https://raw.githubusercontent.com/enthec/webappanalyzer/main/src"
)
FINGERPRINTS_DIR = env_str("FINGERPRINTS_DIR", str(BASE_DIR / "var" / "fingerprints"))

# Lead discovery (docs: README "Lead discovery"). Provider URLs are settings so that a self-hosted Overpass or a
# test server can stand in for the public services.
DISCOVERY_OVERPASS_URL = env_str("DISCOVERY_OVERPASS_URL", "https://overpass-api.de/api/interpreter")
DISCOVERY_OVERPASS_TIMEOUT = env_int("DISCOVERY_OVERPASS_TIMEOUT", 90)
DISCOVERY_PLACES_URL = env_str("DISCOVERY_PLACES_URL", "https://places.googleapis.com")
DISCOVERY_EMAIL_FINDER_URL = env_str("DISCOVERY_EMAIL_FINDER_URL", "https://api.hunter.io")
DISCOVERY_DIRECTORY_DELAY_SECONDS = float(env_str("DISCOVERY_DIRECTORY_DELAY_SECONDS", "2"))

# Privacy (docs/privacy.md). The suppression list keys values by an HMAC with this key; empty: derived from
# SECRET_KEY (then keep SECRET_KEY forever, or erased people's hashes no longer match). Set it in production.
PRIVACY_HASH_KEY = env_str("PRIVACY_HASH_KEY")
# Never-contacted, unconverted prospects older than this many months are purged with their personal data by the
# daily `privacy-retention` schedule (0: off). It only reports (dry run) until PRIVACY_RETENTION_PURGE is on.
PRIVACY_RETENTION_MONTHS = env_int("PRIVACY_RETENTION_MONTHS", 24)
PRIVACY_RETENTION_PURGE = env_bool("PRIVACY_RETENTION_PURGE", default=False)
# The privacy notice (GDPR Art. 14) added to the first e-mail a prospect receives; sending it records the date
# the prospect was informed. Empty: no notice. PRIVACY_NOTICE_FR / _DE / _EN / _LB override it per language.
PRIVACY_NOTICE = env_str("PRIVACY_NOTICE")
PRIVACY_NOTICE_BY_LANGUAGE = {
    code: text for code in ("fr", "de", "en", "lb") if (text := env_str(f"PRIVACY_NOTICE_{code.upper()}"))
}

# Opportunity-score overrides: {"points": {"rule_key": n}, "tiers": {"top_priority": 70, ...}} (docs/scoring.md).
SCORING = json.loads(env_str("SCORING_JSON", "{}"))
SCORING_WORKERS = env_int("SCORING_WORKERS", 0)  # processes for big recomputes on PostgreSQL; 0: one per CPU
SCORING_CHUNK_SIZE = env_int("SCORING_CHUNK_SIZE", 5000)  # prospects read and written per round trip
# Uploaded import files up to this size are imported inside the request; bigger ones go to the workers.
IMPORT_INLINE_MAX_BYTES = env_int("IMPORT_INLINE_MAX_BYTES", 2 * 1024 * 1024)
# The morning digest of follow-ups e-mailed to each owner, daily at this local time ("HH:MM"; empty: none).
FOLLOW_UP_DIGEST_TIME = env_str("FOLLOW_UP_DIGEST_TIME", "07:30")
# The dashboard's and the conversions report's aggregates are shared by all users for this long (0: always live).
STATS_CACHE_SECONDS = env_int("STATS_CACHE_SECONDS", 60)
# Deal new imported prospects in turn to the active staff members of the Sales group (else: no owner).
IMPORT_ROUND_ROBIN = env_bool("IMPORT_ROUND_ROBIN", default=False)
# Uploads (admin and API) larger than this are refused with a message; bigger files: `manage.py import_prospects`.
IMPORT_MAX_UPLOAD_BYTES = env_int("IMPORT_MAX_UPLOAD_BYTES", 200 * 1024 * 1024)
# An import previewed in the admin but never confirmed (nor cancelled) is discarded, with its file, after this.
IMPORT_PREVIEW_KEEP_HOURS = env_int("IMPORT_PREVIEW_KEEP_HOURS", 24)
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
