"""Settings shared by every environment. Deployment values come from env.py."""
from __future__ import annotations

from pathlib import Path

import dj_database_url

from .env import env_bool, env_int, env_list, env_str

PACKAGE_DIR = Path(__file__).resolve().parent.parent
BASE_DIR = PACKAGE_DIR.parent

VAR_DIR = Path(env_str("TECHMARKET_VAR_DIR", str(BASE_DIR / "var"),
                       "Directory for the SQLite database, uploaded files, logs and e-mail files."))
# A fresh clone has no var/: create it so the first `techmarket migrate` can open SQLite.
VAR_DIR.mkdir(parents=True, exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY", "dev-insecure-change-me",
                     "Django secret key. Must be set to a long random value in production.")
DEBUG = env_bool("DEBUG", False, "Django debug mode. Never on in production.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost",
                         "Comma-separated host names this instance answers to.")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "",
                                "Comma-separated origins (https://host) trusted for CSRF behind a proxy.")

DATABASE_URL = env_str("DATABASE_URL", "",
                       "Database URL, e.g. postgres://user@host:5432/techmarket. Empty: SQLite in TECHMARKET_VAR_DIR.")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "techmarket.sqlite3"),
            # Kept open between requests like PostgreSQL's: a new SQLite connection re-reads the schema of
            # ~100 tables and re-runs the PRAGMAs, which cost a search page more than its SQL (bench_web).
            "CONN_MAX_AGE": 600,
            # WAL lets the web server, worker and scheduler read while one writes.
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }

CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    # The city- and section-dependent parts of every page's frame (base.html), per process; cleared with
    # core.process_cache when a city, region or field changes.
    "template_fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                           "LOCATION": "template-fragments"},
}

TECHMARKET_DEMO = env_bool("TECHMARKET_DEMO", False,
                           "1 enables `techmarket demo` and lets the demo accounts log in. `make run` sets it.")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "ninja",  # serves Swagger UI from its own static files (no CDN)
    "django_tasks",
    "django_tasks_db",
    "techmarket.core",
    "techmarket.regions",
    "techmarket.taxonomies",
    "techmarket.accounts",
    "techmarket.directory",
    "techmarket.notifications",
    "techmarket.feedback",
    "techmarket.disclosure",
    "techmarket.scheduling",
    "techmarket.portal",
    "techmarket.achievements",
    "techmarket.demands",
    "techmarket.contracts",
    "techmarket.contractstats",
    "techmarket.integrity",
    "techmarket.subsidies",
    "techmarket.targets",
    "techmarket.matching",
    "techmarket.listings",
    "techmarket.auctions",
    "techmarket.deals",
    "techmarket.events",
    "techmarket.challenges",
    "techmarket.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "techmarket.accounts.middleware.IdleTimeoutMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "techmarket.urls"
WSGI_APPLICATION = "techmarket.wsgi.application"
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["techmarket.accounts.backends.LockoutModelBackend"]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:home"
LOGOUT_REDIRECT_URL = "portal:home"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "techmarket.portal.context_processors.portal",
                "techmarket.notifications.context_processors.notifications",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文")]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
NODE_MODULES = BASE_DIR / "node_modules"
# Front-end packages come from the npm registry at install time (`make install`)
# and are served by the instance itself: government intranets have no CDN.
STATICFILES_DIRS = [
    ("vendor/bootstrap", NODE_MODULES / "bootstrap" / "dist"),
    ("vendor/bootstrap-icons", NODE_MODULES / "bootstrap-icons" / "font"),
    ("vendor/htmx", NODE_MODULES / "htmx.org" / "dist"),
    ("vendor/echarts", NODE_MODULES / "echarts" / "dist"),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
# Uploaded files live outside the web root and are served only through views
# that check permissions.
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media-not-served/"
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 30 * 1024 * 1024
TECHMARKET_UPLOAD_MAX_MB = env_int("TECHMARKET_UPLOAD_MAX_MB", 20, "Largest accepted upload (attachments, Excel files), in MB.")
TECHMARKET_IMPORT_SYNC_ROWS = env_int("TECHMARKET_IMPORT_SYNC_ROWS", 2000, "Excel imports with more data rows than this run as a background job.")
TECHMARKET_EXPORT_MAX_ROWS = env_int("TECHMARKET_EXPORT_MAX_ROWS", 100000, "Largest number of rows one Excel export may hold.")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Accounts (SPEC §3): sessions expire after 30 idle minutes, 5 failures lock 15 minutes.
SESSION_COOKIE_AGE = 30 * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
TECHMARKET_IDLE_TIMEOUT_SECONDS = env_int("TECHMARKET_IDLE_TIMEOUT_SECONDS", 30 * 60, "Idle minutes before a session ends, in seconds.")
TECHMARKET_LOCKOUT_FAILURES = env_int("TECHMARKET_LOCKOUT_FAILURES", 5, "Failed logins that lock an account.")
TECHMARKET_LOCKOUT_MINUTES = env_int("TECHMARKET_LOCKOUT_MINUTES", 15, "Minutes an account stays locked.")
TECHMARKET_API_TOKEN_DAYS = env_int("TECHMARKET_API_TOKEN_DAYS", 365, "Default lifetime of an API token, in days.")
TECHMARKET_AUDIT_RETENTION_DAYS = env_int("TECHMARKET_AUDIT_RETENTION_DAYS", 365, "Days audit and history records are kept (at least 180 by law).")

SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", False, "Send the session cookie over HTTPS only (set in production behind TLS).")
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE

# E-mail goes through Django's mail framework; by default into files under var/mail.
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend",
                        "Django e-mail backend (smtp: django.core.mail.backends.smtp.EmailBackend).")
EMAIL_FILE_PATH = str(VAR_DIR / "mail")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost", "SMTP host.")
EMAIL_PORT = env_int("EMAIL_PORT", 25, "SMTP port.")
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "", "SMTP user.")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "", "SMTP password.")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False, "Use STARTTLS for SMTP.")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "科技大市场 <noreply@techmarket.local>", "Sender of e-mails.")
TECHMARKET_SITE_URL = env_str("TECHMARKET_SITE_URL", "http://127.0.0.1:8000", "Public base URL used in e-mail links.")

TASKS = {
    "default": {
        "BACKEND": env_str("TECHMARKET_TASKS_BACKEND", "django_tasks_db.DatabaseBackend",
                           "django-tasks backend; the database backend is run by `techmarket db_worker`."),
        "QUEUES": ["default"],
    }
}

TECHMARKET_SEARCH_ENGINE = env_str("TECHMARKET_SEARCH_ENGINE", "auto",
                                    "Search engine: auto (PostgreSQL engine on PostgreSQL, embedded tantivy index "
                                    "otherwise), embedded or postgres.")
TECHMARKET_SEARCH_DIR = env_str("TECHMARKET_SEARCH_DIR", "",
                                "Directory of the embedded search index. Empty: TECHMARKET_VAR_DIR/search.")
TECHMARKET_PUSH_TOP_N = env_int("TECHMARKET_PUSH_TOP_N", 10,
                                "How many top-matched experts and institutions a published demand or challenge "
                                "is pushed to.")

TECHMARKET_PDF_FONT = env_str("TECHMARKET_PDF_FONT", "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
                              "TrueType/TTC CJK font used in PDFs and server-side charts.")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO", "Root log level.")},
    "loggers": {"jieba": {"level": "WARNING"}},
}
