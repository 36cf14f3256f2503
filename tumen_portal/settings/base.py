"""Settings shared by every environment; values come from the environment."""

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from .env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent.parent
VAR_DIR = BASE_DIR / "var"
VAR_DIR.mkdir(exist_ok=True)

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me")
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # modeltranslation must come before the admin so that it can patch it.
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework_api_key",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_celery_beat",
    "bootstrap",
    "fontawesome",
    "csp",
    "core",
    "reserves",
    "antipoaching",
    "monitoring",
    "policy",
    "outreach",
    "corridors",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "core.middleware.RequestIdMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    # Oversized bodies and NUL / non-UTF-8 query strings: a translated 400 before any view runs.
    "core.middleware.RequestLimitsMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.middleware.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # axes must be last: it inspects the outcome of authentication.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tumen_portal.urls"
CSRF_FAILURE_VIEW = "core.views_errors.csrf_failure"
WSGI_APPLICATION = "tumen_portal.wsgi.application"

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
                "core.context_processors.portal",
                "core.context_notifications.notifications",
            ],
        },
    },
]

# The embedded default is an SQLite file under var/; production sets DATABASE_URL.
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'portal.sqlite3'}"),
        conn_max_age=env_int("DB_CONN_MAX_AGE", 0),
    )
}
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # JIT compilation costs more than it saves on the portal's short aggregate queries (KPIs).
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "core:dashboard"
LOGOUT_REDIRECT_URL = "login"

# Brute-force lockout: five failures lock the username+IP pair for an hour. Never the username
# alone: an attacker elsewhere must not be able to lock the owner out.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 1
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client address comes from the trusted proxies' X-Forwarded-For (core.middleware.client_ip):
# behind the TLS proxy every REMOTE_ADDR is the proxy's.
AXES_CLIENT_IP_CALLABLE = "core.middleware.client_ip"
# How many reverse proxies in front of the portal append to X-Forwarded-For (0: none, trust
# REMOTE_ADDR; production defaults to 1, the TLS proxy the README describes).
PORTAL_TRUSTED_PROXY_COUNT = env_int("PORTAL_TRUSTED_PROXY_COUNT", 0)
# Rate limits counted in the cache by core.middleware.AttemptCounter: scope -> (limit, seconds).
PORTAL_RATE_LIMITS = {
    # Reset mails to one address, and reset requests from one client (any address, known or not).
    "password_reset_email": (3, 60 * 60),
    "password_reset_client": (10, 60 * 60),
    # Invalid API keys from one client; beyond it invalid keys get 429 (a valid key still works).
    "api_key_failures": (10, 10 * 60),
}
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

# The cache counts rate-limited attempts; production points it at Redis (CACHE_URL).
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "portal"}}

# --- Languages -------------------------------------------------------------
LANGUAGE_CODE = env_str("PORTAL_DEFAULT_LANGUAGE", "en")
LANGUAGES = [
    ("zh-hans", _("Chinese")),
    ("en", _("English")),
    ("ru", _("Russian")),
]
# Names shown in the language switcher, each in its own language.
LANGUAGE_SELF_NAMES = {"zh-hans": "中文", "en": "English", "ru": "Русский"}
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

MODELTRANSLATION_DEFAULT_LANGUAGE = "en"
MODELTRANSLATION_LANGUAGES = ("zh-hans", "en", "ru")
# No page or API answer shows an empty name when one language is missing.
MODELTRANSLATION_FALLBACK_LANGUAGES = {
    "default": ("en", "zh-hans", "ru"),
    "zh-hans": ("en", "ru"),
    "ru": ("en", "zh-hans"),
}
MODELTRANSLATION_AUTO_POPULATE = False
# The tabbed admin would load jQuery UI from a CDN; serve a local copy instead.
JQUERY_UI_URL = "core/vendor/jquery-ui/jquery-ui.min.js"

# --- Static and media ------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
# Leaflet's files come from the django-leaflet package; the app itself is not installed because
# its admin module needs GDAL, which this portal does without.
_LEAFLET_STATIC = Path(__import__("importlib.util").util.find_spec("leaflet").origin).parent / "static"
STATICFILES_DIRS = [BASE_DIR / "static", _LEAFLET_STATIC]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# --- Email -----------------------------------------------------------------
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "portal@tumen-cats.example")

# --- Celery ----------------------------------------------------------------
# With no broker configured, tasks run in process so the demo works without Redis.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL", None)
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Entries here are copied into django-celery-beat's tables, where admins can change them. The
# reminder and round schedules are created by policy's data migration.
CELERY_BEAT_SCHEDULE = {
    "monitoring-refresh-location-categories": {
        # A safety net: deployments are re-generalized when a species' sensitivity changes.
        "task": "monitoring.tasks.refresh_location_categories_task",
        "schedule": 24 * 60 * 60,
        "options": {"expires": 60 * 60},
    },
    "monitoring-run-queued-imports": {
        # A safety net: imports queued while the broker was down are picked up.
        "task": "monitoring.tasks.run_queued_imports_task",
        "schedule": 10 * 60,
        "options": {"expires": 10 * 60},
    },
}

# --- REST API --------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "core.api.authentication.AgencyAPIKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.PortalAccessPermission"],
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PAGINATION_CLASS": "core.api.pagination.PortalCursorPagination",
    "PAGE_SIZE": 50,
    # The API reads JSON (with a depth and NUL check); multipart/form-data only where a file is
    # uploaded (core.api.views.PrincipalMixin.get_parsers). Never form encoding: pages are Django views.
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.PortalJSONParser"],
    # The schema says what the API reads and answers (one body per write, exports as files).
    "DEFAULT_SCHEMA_CLASS": "core.api.schema.PortalAutoSchema",
    # Exports answer their file whatever Accept asks (no 406 for Accept: text/csv).
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.PortalContentNegotiation",
    "DEFAULT_VERSIONING_CLASS": None,
    "EXCEPTION_HANDLER": "core.api.exceptions.portal_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Tumen tiger and leopard cooperation portal API",
    "DESCRIPTION": "Shared data of the China–Russia cooperation on the Amur tiger and Amur leopard.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # The schema and Swagger UI need a signed-in user or an agency API key (not public).
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
}

# --- Reminders -----------------------------------------------------------
# Absolute links in emails (e.g. https://portal.example.org); empty gives site-relative paths.
PORTAL_BASE_URL = env_str("PORTAL_BASE_URL", "")
# Reminders go out at this hour, local time of the obliged agency.
PORTAL_REMINDER_HOUR = env_int("PORTAL_REMINDER_HOUR", 9)

# --- Maps ------------------------------------------------------------------
# Empty by default: the offline base layer shipped with the project is used.
PORTAL_TILE_URL = env_str("PORTAL_TILE_URL", "")
# Uploaded documents: the largest file accepted, in megabytes (core.documents).
PORTAL_MAX_UPLOAD_MB = env_int("PORTAL_MAX_UPLOAD_MB", 20)
# The largest request body accepted, in megabytes (uploads included; larger: a 400 with a message).
PORTAL_MAX_REQUEST_MB = env_int("PORTAL_MAX_REQUEST_MB", max(25, PORTAL_MAX_UPLOAD_MB + 5))
# Form data outside files may use the whole request; file parts beyond 2.5 MB spool to disk.
DATA_UPLOAD_MAX_MEMORY_SIZE = PORTAL_MAX_REQUEST_MB * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2621440
# JSON bodies nested deeper than this are refused (core.api.parsers.PortalJSONParser).
PORTAL_MAX_JSON_DEPTH = 64
# Daily notification digests go out at this local hour of the recipient's agency (core.notify).
PORTAL_DIGEST_HOUR = env_int("PORTAL_DIGEST_HOUR", 7)
PORTAL_TILE_ATTRIBUTION = env_str("PORTAL_TILE_ATTRIBUTION", "")

# --- Sensitive locations ---------------------------------------------------
# Another agency's camera-trap points and transects are given at one grid, whatever was recorded
# there (core.access.withheld_point_for): the Chapman category of that grid. It is never finer
# than the strictest category of any species in the shared list.
PORTAL_WITHHELD_LOCATION_CATEGORY = env_int("PORTAL_WITHHELD_LOCATION_CATEGORY", 2)

# --- Imports and device files ----------------------------------------------
# A GPX file larger than this (megabytes) is refused with a message.
PORTAL_MAX_GPX_MB = env_int("PORTAL_MAX_GPX_MB", 5)
# A Camtrap DP package larger than this (megabytes, unpacked) or with more rows is refused.
PORTAL_MAX_IMPORT_MB = env_int("PORTAL_MAX_IMPORT_MB", 500)
PORTAL_MAX_IMPORT_ROWS = env_int("PORTAL_MAX_IMPORT_ROWS", 2_000_000)
# Packages with more rows than this are imported by the task queue, not in the page request.
PORTAL_INLINE_IMPORT_ROWS = env_int("PORTAL_INLINE_IMPORT_ROWS", 20_000)
# The portal's region as west,south,east,north (degrees): the Tumen River basin and its
# surroundings (China, Russia, the DPRK side). An import with points outside it is refused
# unless the user confirms them (monitoring.camtrap.safeguards): a wrong sign or a package of
# another continent never lands in the shared data unnoticed.
PORTAL_REGION_BBOX = tuple(float(v) for v in env_str("PORTAL_REGION_BBOX", "128.0,41.5,134.5,45.5").split(","))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# --- Content-Security-Policy (django-csp) ----------------------------------------------------
# Enforced. Everything comes from the portal itself; no inline script or style. Inline <script>
# blocks that must stay carry the request's nonce ({{ request.csp_nonce }}); data for scripts goes
# through json_script (not executed). core/tests/test_csp.py walks the templates for regressions.
from csp.constants import NONCE, NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, NONCE],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [SELF],
    }
}
