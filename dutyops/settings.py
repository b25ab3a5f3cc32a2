"""DutyOps settings: one module, driven by the environment (see CONTRACT.md).

Embedded default: SQLite under var/ and the in-memory channel layer.
Production: DATABASE_URL (PostgreSQL) and REDIS_URL (Redis channel layer).
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"


def env_bool(name, default=False):
    return os.environ.get(name, "1" if default else "0").strip().lower() in ("1", "true", "yes", "on")


DEBUG = env_bool("DJANGO_DEBUG")
SECRET_KEY = os.environ.get("DUTYOPS_SECRET_KEY") or ("dev-only-insecure-key-do-not-use-in-production" if DEBUG else "")
if not SECRET_KEY:
    raise ImproperlyConfigured("DUTYOPS_SECRET_KEY is required when DJANGO_DEBUG is not 1.")

ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("DUTYOPS_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h.strip()
]

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "channels",
    "axes",
    "dutyops",
    "realtime",
    "duty",
    "incidents",
    "accountability",
    "plans",
    "alerts",
    "chain",
    "inbound",
    "board",
]

MIDDLEWARE = [
    "dutyops.middleware.ClientAddressMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "dutyops.middleware.SecurityHeadersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    # Idempotency-Key on API POSTs: after authentication, before the 503 handler (dutyops/idempotency.py).
    "dutyops.idempotency.IdempotencyMiddleware",
    "dutyops.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "dutyops.urls"
ASGI_APPLICATION = "dutyops.asgi.application"
WSGI_APPLICATION = None

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
            ],
        },
    },
]

# --- Database ---------------------------------------------------------------
VAR_DIR.mkdir(exist_ok=True)
# CONN_MAX_AGE stays 0 (dj-database-url's default): a connection per request on
# SQLite; on PostgreSQL the backend's pool keeps connections between requests.
DATABASES = {"default": dj_database_url.config(default=f"sqlite:///{VAR_DIR / 'dutyops.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at
    # BEGIN so concurrent writers queue on the busy timeout instead of failing
    # with "database is locked" when a read transaction tries to upgrade.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    if os.environ.get("DUTYOPS_TEST_SQLITE_NAME"):
        DATABASES["default"]["TEST"] = {"NAME": os.environ["DUTYOPS_TEST_SQLITE_NAME"]}
else:
    DATABASES["default"].setdefault("OPTIONS", {})["connect_timeout"] = 5
    if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
        # Django's PostgreSQL backend plus a per-process connection pool (see dutyops/db/postgresql).
        DATABASES["default"]["ENGINE"] = "dutyops.db.postgresql"

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "dutyops.Person"

# --- Channels ---------------------------------------------------------------
REDIS_URL = os.environ.get("REDIS_URL", "").strip()


def redis_host(url):
    """channels-redis host entry for REDIS_URL; `sentinel://h1:26379,h2:26379/<master>/<db>` selects Sentinel."""
    if url.startswith("sentinel://"):
        hosts, _, rest = url.removeprefix("sentinel://").partition("/")
        master, _, db = rest.partition("/")
        sentinels = [(h.rsplit(":", 1)[0], int(h.rsplit(":", 1)[1]) if ":" in h else 26379) for h in hosts.split(",")]
        return {
            "sentinels": sentinels,
            "master_name": master or "mymaster",
            "db": int(db or 0),
            "socket_connect_timeout": 2,
        }
    return {"address": url, "socket_connect_timeout": 2}


if REDIS_URL:
    # Redis pub/sub: a broadcast is one PUBLISH, received once per process by its
    # event hub. Nothing is queued in Redis: the event table is what is durable.
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.pubsub.RedisPubSubChannelLayer",
            "CONFIG": {"hosts": [redis_host(REDIS_URL)]},
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer", "CONFIG": {"capacity": 10_000}}}

# How long a process may keep API tokens, report-clock policies and the plan
# registry token it read (dutyops.cache): an edit applies at once where it was
# made, elsewhere within this.
DUTYOPS_CACHE_SECONDS = float(os.environ.get("DUTYOPS_CACHE_SECONDS", "5"))
# Revocation (dutyops.credentials): the longest a revoked API token is still
# accepted by another process, and how often each process re-checks the people
# behind its open sockets (the safety net under the channel-layer notice).
DUTYOPS_REVOCATION_SECONDS = float(os.environ.get("DUTYOPS_REVOCATION_SECONDS", "2"))
# HTTP requests one process lets into Django at once (dutyops.asgi); 0: no bound.
# Up the chain (chain/, docs/chain-protocol.md): this installation's name on its
# reports (default: the sending room's), and the outbox's retry cap and timeout.
DUTYOPS_INSTALLATION_NAME = os.environ.get("DUTYOPS_INSTALLATION_NAME", "")
DUTYOPS_CHAIN_RETRY_MAX_SECONDS = float(os.environ.get("DUTYOPS_CHAIN_RETRY_MAX_SECONDS", "60"))
DUTYOPS_CHAIN_TIMEOUT_SECONDS = float(os.environ.get("DUTYOPS_CHAIN_TIMEOUT_SECONDS", "10"))
DUTYOPS_HTTP_CONCURRENCY = int(os.environ.get("DUTYOPS_HTTP_CONCURRENCY", "2"))
# How often each process's event hub re-reads the event table even without a
# notification: the safety net for a lost or delayed broadcast (Redis down,
# another process on the in-memory layer).
DUTYOPS_HUB_POLL_SECONDS = float(os.environ.get("DUTYOPS_HUB_POLL_SECONDS", "1.0" if REDIS_URL else "0.5"))
# A file to write where each live event's milliseconds went (realtime/trace.py,
# `bench_fanout.py --trace`); empty: off, and the live path does none of it.
DUTYOPS_LIVE_TRACE = os.environ.get("DUTYOPS_LIVE_TRACE", "")
if DUTYOPS_LIVE_TRACE:
    MIDDLEWARE.insert(0, "realtime.trace.middleware")
# Outbound notifications: each channel sends in a lane of its own (alerts/notify.py),
# this many requests at once and this many waiting, never on the timer loop.
DUTYOPS_NOTIFY_THREADS = int(os.environ.get("DUTYOPS_NOTIFY_THREADS", "2"))
DUTYOPS_NOTIFY_QUEUE = int(os.environ.get("DUTYOPS_NOTIFY_QUEUE", "200"))
# Open event-stream sockets one person may hold in one daphne process; one more is
# closed with code 4429 (realtime/auth.py). 0: no limit.
DUTYOPS_MAX_SOCKETS_PER_PERSON = int(os.environ.get("DUTYOPS_MAX_SOCKETS_PER_PERSON", "20"))
# Page origins besides the site's own (scheme://host[:port], comma-separated) whose
# forms and WebSocket connections are accepted: scheme, host and port must match.
CSRF_TRUSTED_ORIGINS = [o.strip() for o in os.environ.get("DUTYOPS_ALLOWED_ORIGINS", "").split(",") if o.strip()]

# --- Auth -------------------------------------------------------------------
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 8}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",  # refuses logins after repeated failures
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes): 5 failures for one username from one address
# lock that pair for 15 minutes; the token endpoint and the login page alike.
AXES_FAILURE_LIMIT = int(os.environ.get("DUTYOPS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = 0.25  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "dutyops.views_pages.locked_out"
AXES_CLIENT_IP_CALLABLE = "dutyops.middleware.request_client_address"  # the real client behind a trusted proxy
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# --- i18n -------------------------------------------------------------------
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = os.environ.get("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True

# --- Static -----------------------------------------------------------------
STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = VAR_DIR / "staticfiles"
STATIC_ROOT.mkdir(exist_ok=True)
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# --- API --------------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "dutyops.authentication.TokenAuthentication",
        "dutyops.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "dutyops.api.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "dutyops.schema.AutoSchema",
    "EXCEPTION_HANDLER": "dutyops.api.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # The API takes JSON bodies only (forms are the pages' business, posted to page views):
    # one content type per body in the schema, so generated clients work (issue 20).
    "DEFAULT_PARSER_CLASSES": ["dutyops.parsers.ObjectJSONParser"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "DutyOps API",
    "DESCRIPTION": "Emergency duty and incident-response coordination (应急值守与指挥协同).",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Operations are named and tagged by resource ("reports_create", tag "reports"),
    # not all under "v1": generated clients get one module per resource.
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    # Stable names for choice sets that several fields share (generated clients
    # turn them into classes; hash-suffixed names would change with the schema).
    "ENUM_NAME_OVERRIDES": {
        "GradeEnum": "incidents.models.Grade",
        "LevelEnum": "plans.models.Level",
        "IncidentStatusEnum": "incidents.models.Status",
        "ReportKindEnum": "incidents.models.ReportKind",
        # The same kinds as codes without labels: an upward report's and the chain's wire.
        "UpwardKindEnum": "incidents.models.ReportKind.values",
        "AlertStateEnum": "alerts.models.Alert.State",
        "AlertSourceEnum": "alerts.models.Alert.Source",
        "EscalationActionEnum": "alerts.models.EscalationStep.Action",
        "SupervisionStateEnum": "alerts.models.SupervisionCase.State",
        "PlanStatusEnum": "plans.models.Plan.Status",
        # drf-spectacular names the enum of ActivationRequest.state as if it were the request
        # variant of Activation (the "Request" suffix) and mixes the two up without this.
        "ActivationRequestStateEnum": "plans.models.ActivationRequest.State",
        "ActivationStateEnum": "plans.models.Activation.State",
        "LevelCodeEnum": ["I", "II", "III", "IV"],  # plan criteria and requests: codes without labels
        "SwapKindEnum": "duty.models.SwapRequest.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "dutyops.schema.plain_times",
        "dutyops.schema.error_components",
        "dutyops.schema.integer_ids",
    ],
    # Swagger UI served from the app (drf-spectacular-sidecar): no CDN on an intranet.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

# --- Security ---------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the pages' fetch() reads it to send X-CSRFToken
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
# Proxies whose X-Forwarded-For / X-Forwarded-Proto are believed (addresses or
# CIDR networks, comma-separated); from anyone else those headers are dropped
# (dutyops.middleware.ClientAddressMiddleware). The compose topology sets nginx's.
DUTYOPS_TRUSTED_PROXIES = os.environ.get("DUTYOPS_TRUSTED_PROXIES", "")
# Behind TLS (nginx), set DUTYOPS_HTTPS=1: secure cookies and HSTS. The compose
# topology sets it; `check --deploy` warns when it is off in production.
if env_bool("DUTYOPS_HTTPS"):
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = False  # the intranet's other hosts are not ours to pin
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DUTYOPS_SSL_REDIRECT", default=False)  # nginx redirects port 80 itself
DATA_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
        "json": {"()": "dutyops.logging.JSONFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": os.environ.get("DUTYOPS_LOG_FORMAT", "plain")}
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DUTYOPS_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.channels.server": {"level": "WARNING"},
        "daphne": {"level": "WARNING"},
        "weasyprint": {"level": "WARNING"},  # it logs every rendering step at INFO
        "fontTools": {"level": "WARNING"},
    },
}
