"""Django settings, read from the environment (GOVSITE_*); development defaults are safe
and refuse to run with DEBUG off."""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = Path(os.environ.get("GOVSITE_VAR_DIR", BASE_DIR / "var"))


def _env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _env_bool("GOVSITE_DEBUG", True)

_DEV_SECRET = "govsite-development-only-not-secret"
SECRET_KEY = os.environ.get("GOVSITE_SECRET_KEY", _DEV_SECRET)
if not DEBUG and SECRET_KEY == _DEV_SECRET:
    raise ImproperlyConfigured("GOVSITE_SECRET_KEY must be set when GOVSITE_DEBUG is off")

ALLOWED_HOSTS = [h for h in os.environ.get("GOVSITE_ALLOWED_HOSTS", "").split(",") if h] or (
    ["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else []
)
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("GOVSITE_ALLOWED_HOSTS must be set when GOVSITE_DEBUG is off")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "govsite.accounts",
    "govsite.registry",
    "govsite.inspections",
    "govsite.feedback",
    "govsite.reports",
    "govsite.console",
    "ninja",
    "axes",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",  # console CSS/JS under any WSGI server
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "govsite.console.security.ContentSecurityPolicyMiddleware",
    "govsite.console.security.NulGuardMiddleware",
    "axes.middleware.AxesMiddleware",  # last: turns a lockout into a 429 page
]
if _env_bool("GOVSITE_SERVER_TIMING", False):  # measurements only: bench/web.py
    MIDDLEWARE.insert(0, "govsite.console.timing.ServerTimingMiddleware")

ROOT_URLCONF = "govsite.project.urls"
WSGI_APPLICATION = "govsite.project.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "govsite.console.context.console_urls",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("GOVSITE_DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'govsite.sqlite3'}"
    # Persistent connections matter for the web server (GOVSITE_DB_CONN_MAX_AGE seconds, 0 = per request).
    config = dj_database_url.parse(url, conn_max_age=int(os.environ.get("GOVSITE_DB_CONN_MAX_AGE", "0")))
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL lets the console read while a campaign writes; IMMEDIATE avoids lock upgrades.
        config["OPTIONS"] = {
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
            "transaction_mode": "IMMEDIATE",
        }
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# Console login: django-axes locks a username+address pair after repeated failures.
# ScopedModelBackend is ModelBackend reading the user with its Membership in one query.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "govsite.accounts.backends.ScopedModelBackend"]
AXES_FAILURE_LIMIT = int(os.environ.get("GOVSITE_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 1  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HTTP_RESPONSE_CODE = 429
AXES_LOCKOUT_TEMPLATE = "429.html"
LOGIN_URL = "console:login"
LOGIN_REDIRECT_URL = "console:dashboard"
SESSION_COOKIE_AGE = 8 * 3600  # one working day
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024  # larger bodies answer 400 (screenshots are files, limited apart)
NINJA_PAGINATION_MAX_LIMIT = 500
WHITENOISE_USE_FINDERS = True  # serve app static files without a collectstatic step

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "media/"

CACHES = {
    "default": (
        {"BACKEND": "govsite.project.cache.RedisCache", "LOCATION": os.environ["GOVSITE_REDIS_URL"]}
        if os.environ.get("GOVSITE_REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

# Sessions read through the cache when it is shared (Redis): one database query less on every
# console request. With the per-process local-memory cache a logout in one worker would leave the
# session cached in the others, so sessions then stay in the database only. Either way Django's
# database sessions, the row read by plain SQL (govsite.accounts.sessions).
SESSION_ENGINE = "govsite.accounts.sessions"
SESSION_READ_THROUGH_CACHE = bool(os.environ.get("GOVSITE_REDIS_URL"))

EMAIL_BACKEND = os.environ.get("GOVSITE_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
# `govsite monitor --serve`: alert a site's operators after this many failed probes in a row;
# keep raw probes this many days (per-day totals are kept for good).
MONITOR_ALERT_AFTER = int(os.environ.get("GOVSITE_MONITOR_ALERT_AFTER", "3"))
MONITOR_RAW_DAYS = int(os.environ.get("GOVSITE_MONITOR_RAW_DAYS", "8"))

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = _env_bool("GOVSITE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("GOVSITE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("GOVSITE_LOG_LEVEL", "WARNING")},
}
