"""Settings, read from the environment.

SQLite and in-process jobs by default so that one command runs the product; PostgreSQL and a
Redis broker by setting DATABASE_URL and CELERY_BROKER_URL (see README.md).
"""

import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab

BASE_DIR = Path(__file__).resolve().parent.parent


def envbool(name: str, default: str) -> bool:
    return os.getenv(name, default).strip().lower() in ("1", "true", "yes", "on")


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.getenv(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "True")
SECRET_KEY = os.getenv("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "insecure-development-key-only-for-the-embedded-default"
ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost" if not DEBUG else "*")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "csp",
    "simple_history",
    "axes",
    "provinces",
    "targets",
    "tasks",
    "dashboards",
    "reporting",
    "onboarding",
    "assessments",
    "rounds",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "metrology_tracker.middleware.ChineseFirstLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "metrology_tracker.middleware.IdleSessionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "metrology_tracker.middleware.PermissionsPolicyMiddleware",
    # Records who made each change (history_user) for saves made while serving a request.
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into the bilingual lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "metrology_tracker.urls"
WSGI_APPLICATION = "metrology_tracker.wsgi.application"

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
                "django.template.context_processors.i18n",
                "dashboards.context_processors.dashboard",
                "rounds.context_processors.todo",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.getenv("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.getenv("DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default is one file shared by the web process and the jobs it runs
    # in-process. WAL lets pages read while a recompute writes; synchronous=NORMAL is WAL's
    # usual pairing (a commit no longer waits for a disk flush; a power cut can lose the last
    # commits, never corrupt the file). IMMEDIATE makes a transaction take the write lock when
    # it begins, so a second writer waits (up to the timeout) instead of failing at once with
    # "database is locked" when it first writes.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        timeout=20,
        transaction_mode="IMMEDIATE",
        init_command="PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

# django-axes first: a locked-out username + address is refused before the password is checked.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_ENABLED = envbool("AXES_ENABLED", "True")
AXES_FAILURE_LIMIT = int(os.getenv("AXES_FAILURE_LIMIT", "5"))
# A cool-off, never a permanent lockout: the account opens again by itself (hours).
AXES_COOLOFF_TIME = float(os.getenv("AXES_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_VERBOSE = False

# Sessions end after this many idle seconds: requests push the expiry forward (at most once a
# minute, metrology_tracker.middleware.IdleSessionMiddleware).
SESSION_IDLE_SECONDS = int(os.getenv("SESSION_IDLE_SECONDS", "1800"))
SESSION_COOKIE_AGE = SESSION_IDLE_SECONDS

# Evidence files (佐证材料): stored under MEDIA_ROOT, served only through reporting's view.
EVIDENCE_MAX_BYTES = int(os.getenv("EVIDENCE_MAX_BYTES", str(20 * 1024 * 1024)))
# Every change of reports, updates, targets, indicators and assignments stays on record: the
# admin's history pages show it, but never revert an approved report in place.
SIMPLE_HISTORY_REVERT_DISABLED = True
SIMPLE_HISTORY_HISTORY_CHANGE_REASON_USE_TEXT_FIELD = True

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.getenv("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
# plotly.js comes from the installed plotly package as vendor/plotly.min.js (no CDN, no git copy).
STATICFILES_FINDERS = [
    "django.contrib.staticfiles.finders.FileSystemFinder",
    "django.contrib.staticfiles.finders.AppDirectoriesFinder",
    "metrology_tracker.staticfinders.PlotlyJsFinder",
]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.getenv("MEDIA_ROOT", BASE_DIR / "media"))
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

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "login"

# Demo data (示例数据) is for the one-command local run only; production never loads it.
DEMO_DATA_ALLOWED = envbool("DEMO_DATA_ALLOWED", "True" if DEBUG else "False")

# Celery: without a broker, jobs run in-process at once (the embedded default).
CELERY_BROKER_URL = os.getenv("CELERY_BROKER_URL", "")
CELERY_TASK_ALWAYS_EAGER = not CELERY_BROKER_URL
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = os.getenv("CELERY_RESULT_BACKEND", "") or None
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE = {
    "recompute-progress-nightly": {
        "task": "targets.jobs.recompute_all_progress",
        "schedule": crontab(hour=2, minute=30),
    },
    "open-scheduled-rounds": {
        "task": "rounds.jobs.open_scheduled_rounds",
        "schedule": crontab(hour=0, minute=30),
    },
    "send-round-reminders": {
        "task": "rounds.jobs.send_round_reminders",
        "schedule": crontab(hour=8, minute=30),
    },
    "send-review-digest": {
        "task": "rounds.jobs.send_review_digest",
        "schedule": crontab(hour=8, minute=0),
    },
}

# Progress sheets: the largest file an import reads (the command and the admin alike).
IMPORT_MAX_BYTES = int(os.getenv("IMPORT_MAX_BYTES", str(10 * 1024 * 1024)))

# A recompute still STARTED after this long died with its process: it is marked failed.
PROGRESS_RUN_STALE_AFTER_SECONDS = int(os.getenv("PROGRESS_RUN_STALE_AFTER_SECONDS", "1800"))

# Content security: scripts only from this site (figures travel as JSON through json_script
# and are drawn by a static file); plotly.js writes inline styles, hence 'unsafe-inline' for
# styles only. No frames, no plugins, forms post here only.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
# Browser features this site never uses, refused for it and anything it embeds.
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)

# Mail: SMTP when EMAIL_HOST is set (production), else printed to the console (development).
# The password-reset pages exist only once a host is set (they would otherwise send nothing).
EMAIL_HOST = os.getenv("EMAIL_HOST", "")
EMAIL_CONFIGURED = bool(EMAIL_HOST)
EMAIL_BACKEND = os.getenv(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_CONFIGURED
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_PORT = int(os.getenv("EMAIL_PORT", "587" if EMAIL_CONFIGURED else "25"))
EMAIL_HOST_USER = os.getenv("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.getenv("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "True" if EMAIL_CONFIGURED else "False")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "False")
EMAIL_TIMEOUT = int(os.getenv("EMAIL_TIMEOUT", "30"))
DEFAULT_FROM_EMAIL = os.getenv("DEFAULT_FROM_EMAIL", "metrology-tracker@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Links in mails point here (the address people open the site at).
SITE_URL = os.getenv("SITE_URL", "http://127.0.0.1:8000")
# Reporters are reminded this many days before a round's deadline (and once when overdue).
ROUND_REMINDER_DAYS_BEFORE = int(os.getenv("ROUND_REMINDER_DAYS_BEFORE", "3"))

# django-import-export: only users with the model's own permission may import or export.
IMPORT_EXPORT_IMPORT_PERMISSION_CODE = "add"
IMPORT_EXPORT_EXPORT_PERMISSION_CODE = "view"
IMPORT_EXPORT_SKIP_ADMIN_LOG = False
IMPORT_EXPORT_TMP_STORAGE_CLASS = "import_export.tmp_storages.CacheStorage"

CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
if os.getenv("REDIS_URL"):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
    }

# Production hardening: on whenever DEBUG is off.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "True")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.getenv("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "False")
    if not SECURE_HSTS_PRELOAD:
        # Preload lists are for public domains; bureaus run this on closed networks, and
        # submitting a domain is an irreversible opt-in its owner must choose (SECURE_HSTS_PRELOAD).
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_CONTENT_TYPE_NOSNIFF = True
    SECURE_REFERRER_POLICY = "same-origin"
    X_FRAME_OPTIONS = "DENY"
    SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.getenv("LOG_LEVEL", "INFO")},
    # In-process jobs would otherwise print Celery's per-job INFO lines into command output.
    "loggers": {"celery": {"level": "WARNING"}, "kombu": {"level": "ERROR"}}
    if CELERY_TASK_ALWAYS_EAGER
    else {},
}
