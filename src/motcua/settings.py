"""Settings for Một Cửa, read from environment variables.

Defaults are the embedded mode: SQLite under ``var/``, local media folder, debug off unless
``MOTCUA_DEBUG`` says otherwise. Production (``MOTCUA_MODE=production``) refuses to start without
a real ``MOTCUA_SECRET_KEY`` or with debug on.
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
from pathlib import Path

from csp.constants import NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from motcua.common.storage import s3_storage_from_env

from .settings_database import database_from_env, database_replicas_from_env
from .settings_env import (
    DATA_DIR,
    PACKAGE_DIR,
    VAR_DIR,
    env_bool,
    env_list,
    origins,
    proxy_ssl_header,
)
from .settings_env import PROJECT_DIR as PROJECT_DIR  # a setting too (settings.PROJECT_DIR)

DEVELOPMENT_SECRET_KEY = "motcua-development-only-secret-key-do-not-use-in-production"


def embedded_secret_key() -> str:
    """A per-installation random key kept in var/, so no two embedded installs share one."""
    key_file = VAR_DIR / "secret_key"
    try:
        return key_file.read_text().strip() or DEVELOPMENT_SECRET_KEY
    except FileNotFoundError:
        pass
    try:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        key = secrets.token_urlsafe(50)
        key_file.write_text(key)
        key_file.chmod(0o600)
        return key
    except OSError:
        return DEVELOPMENT_SECRET_KEY


DEBUG = env_bool("MOTCUA_DEBUG", False)
# "embedded" (default: one machine, SQLite, demo data allowed) or "production".
MODE = os.environ.get("MOTCUA_MODE", "embedded").strip().lower()
if MODE not in {"embedded", "production"}:
    raise ImproperlyConfigured(f"MOTCUA_MODE must be 'embedded' or 'production', got {MODE!r}")
EMBEDDED = MODE == "embedded"
SECRET_KEY = os.environ.get("MOTCUA_SECRET_KEY") or (
    embedded_secret_key() if EMBEDDED else DEVELOPMENT_SECRET_KEY
)
if not EMBEDDED:
    if SECRET_KEY == DEVELOPMENT_SECRET_KEY or len(SECRET_KEY) < 32:
        raise ImproperlyConfigured(
            "Production mode refuses to start without MOTCUA_SECRET_KEY (at least 32 characters)."
        )
    if DEBUG:
        raise ImproperlyConfigured("Production mode refuses to start with MOTCUA_DEBUG on.")

ALLOWED_HOSTS = env_list("MOTCUA_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("MOTCUA_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # First, so that our registration/ templates replace the admin's look-alikes.
    "motcua.web",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "csp",
    "django_htmx",
    # Its OpenAPI page with Swagger UI from our static files (no CDN, no inline script).
    "ninja",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "motcua.common",
    "motcua.organizations",
    "motcua.accounts",
    "motcua.worktime",
    "motcua.catalog",
    "motcua.authority",
    "motcua.dossiers",
    "motcua.bundles",
    "motcua.backup",
    "motcua.vault",
    "motcua.integrations",
    "motcua.portal",
    "motcua.notifications",
    "motcua.ratings",
    "motcua.feedback",
    "motcua.supervision",
    "motcua.sync",
    "motcua.signing",
    "motcua.payments",
    "motcua.api",
    "motcua.signin",
]

MIDDLEWARE = [
    # Outermost: every other middleware sees the body that GET would have.
    "motcua.web.middleware.HeadWithoutBodyMiddleware",
    # First, so that it sees every write of a request (decision 0018); unused without replicas.
    "motcua.common.replicas.ReplicaMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "motcua.web.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "motcua.web.middleware.VietnameseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "motcua.web.middleware.NulRefusingMiddleware",
    "motcua.web.middleware.MethodNotAllowedPageMiddleware",
    "motcua.web.middleware.ObjectStoreDownMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Officer sign-in (decision 0012): session limits, then the two-factor gate.
    "motcua.signin.middleware.SessionLifetimeMiddleware",
    "motcua.signin.middleware.TwoFactorMiddleware",
    "motcua.signin.middleware.SensitiveAdminMiddleware",
    # Axes must come last: it turns a locked-out login into our lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "motcua.urls"
WSGI_APPLICATION = "motcua.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.web.context_processors.site",
            ],
            # After Django's own: its ``date`` filter, faster for numeric formats (the module says).
            "builtins": [
                "motcua.web.templatetags.fast_dates",
                "motcua.web.templatetags.fast_extends",
            ],
        },
    },
    {
        # The page layout and the hot public pages, ``*.jinja`` (decision 0044).
        "BACKEND": "motcua.web.jinja.Jinja2",  # compiled per language (the module says)
        "NAME": "jinja2",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "environment": "motcua.web.jinja.environment",  # escaping always on, there
            "auto_reload": DEBUG,
            "context_processors": [
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "motcua.web.context_processors.site",
            ],
        },
    },
]


DATABASES = {"default": database_from_env()}
DATABASES.update(database_replicas_from_env(DATABASES["default"]))
MOTCUA_DATABASE_REPLICAS = [alias for alias in DATABASES if alias != "default"]
DATABASE_ROUTERS = ["motcua.common.replicas.ReplicaRouter"] if MOTCUA_DATABASE_REPLICAS else []
# A client that wrote reads the primary until a replica has replayed its write, at most this long
# after it (longer than MOTCUA_DATABASE_REPLICA_MAX_LAG_SECONDS); a replica further behind than
# that serves nobody (0: no limit).
MOTCUA_DATABASE_REPLICA_PIN_SECONDS = int(
    os.environ.get("MOTCUA_DATABASE_REPLICA_PIN_SECONDS", "120")
)
MOTCUA_DATABASE_REPLICA_MAX_LAG_SECONDS = float(
    os.environ.get("MOTCUA_DATABASE_REPLICA_MAX_LAG_SECONDS", "30")
)
# The catalog's public answers (the API's procedure detail and search) trust the catalog's token
# read this long ago: a change committed elsewhere is served within this many seconds, one made
# by this process at once (decision 0045; 0: read the token on every request).
MOTCUA_CATALOG_FRESH_SECONDS = float(os.environ.get("MOTCUA_CATALOG_FRESH_SECONDS", "1"))
# The worklist's counts are kept between requests while the marks of the officer's units stay
# the same (decision 0020, session 46); off: counted on every request.
MOTCUA_WORKLIST_COUNTS_KEPT = env_bool("MOTCUA_WORKLIST_COUNTS_KEPT", True)
# A web process sets what it loaded at start-up aside from the garbage collector (common.heap).
MOTCUA_GC_FREEZE = env_bool("MOTCUA_GC_FREEZE", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "motcua.accounts.backends.IdentifierBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "web:after-login"
LOGOUT_REDIRECT_URL = "web:home"

# Brute-force throttling (django-axes): lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = int(os.environ.get("MOTCUA_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = float(os.environ.get("MOTCUA_LOGIN_COOLOFF_HOURS", "0.25"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "motcua.accounts.backends.axes_username"
AXES_VERBOSE = False
# The client's address (motcua.common.client): behind reverse proxies, the addresses the
# application accepts X-Forwarded-For from and how many proxies append to it; none by default.
MOTCUA_TRUSTED_PROXIES = env_list("MOTCUA_TRUSTED_PROXIES", [])
MOTCUA_PROXY_COUNT = int(os.environ.get("MOTCUA_PROXY_COUNT", "1"))
AXES_CLIENT_IP_CALLABLE = "motcua.common.client.client_address"
AXES_LOCKOUT_CALLABLE = "motcua.signin.lockout.lockout_response"

# Rate limits (motcua.common.throttle), "COUNT/MINUTES", each overridable by MOTCUA_RATE_<SCOPE>
# (scope upper-cased, "-" as "_"); a count of 0 turns one off (docs/production.md).
RATE_LIMIT_DEFAULTS = {
    "signup": "10/60",  # sign-up forms sent, per address
    "password-reset": "10/60",  # reset requests, per address
    "password-reset-email": "5/60",  # reset requests, per e-mail address asked for
    "password-change": "10/15",  # password changes tried, per account
    "otp": "10/15",  # second-factor codes typed, per account and address
    "lookup-address": "20/15",  # failed public lookups, per address
    "lookup-address-dossier": "5/15",  # failed lookups of one dossier, per address
    "lookup-dossier": "50/15",  # failed lookups of one dossier from anywhere: then backoff
    "lookup-dossier-backoff": "1/15",  # past that, failures allowed per address and dossier
    "signin-account": "30/15",  # failed sign-ins of one account from anywhere: then backoff
    "signin-account-backoff": "1/15",  # past that, failures allowed per address and account
    "api": "300/1",  # API requests, per address
    "feedback": "10/60",  # feedback sent online, per account: each one starts the unit's
    "feedback-day": "30/1440",  # deadlines and counts in its 766 score (5.1–5.3), so a flood
    "feedback-address": "30/60",  # would lower it; per day per account, per hour per address
}
MOTCUA_RATE_LIMITS = {
    scope: os.environ.get(f"MOTCUA_RATE_{scope.upper().replace('-', '_')}", default)
    for scope, default in RATE_LIMIT_DEFAULTS.items()
}
for _scope, _rate in MOTCUA_RATE_LIMITS.items():
    if not re.fullmatch(r"[0-9]+/[1-9][0-9]*", _rate.strip()):
        raise ImproperlyConfigured(
            f"MOTCUA_RATE_{_scope.upper().replace('-', '_')}: COUNT/MINUTES, got {_rate!r}"
        )

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_NAME = "motcua_language"

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("MOTCUA_STATIC_ROOT", VAR_DIR / "static")).resolve()
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MOTCUA_MEDIA_ROOT", VAR_DIR / "media")).resolve()
# Files: the local media folder, or an S3-compatible object store when MOTCUA_S3_BUCKET is set
# (several servers; docs/decisions/0017-object-storage-and-one-scheduler.md, docs/production.md).
STORAGES = {
    "default": s3_storage_from_env(os.environ)
    or {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("MOTCUA_MANIFEST_STATIC", not DEBUG)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
# Tests and `runserver` serve static files from the apps directly.
WHITENOISE_USE_FINDERS = DEBUG
# WhiteNoise warns at start-up when the folder is missing (before the first collectstatic).
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

TASKS = {
    "default": {
        "BACKEND": os.environ.get(
            "MOTCUA_TASK_BACKEND", "motcua.common.task_backend.FastDatabaseBackend"
        ),
        # "outbound": messages to providers (SMS, e-mail), served by a worker of its own so that
        # a slow provider never holds up dossier work (decision 0037).
        "QUEUES": ["default", "outbound"],
    }
}
# Task leases (decision 0037): a running task whose worker has not beaten for this long is put
# back in the queue; after MOTCUA_TASK_MAX_RUNS runs cut short it is marked failed instead.
MOTCUA_TASK_LEASE_SECONDS = float(os.environ.get("MOTCUA_TASK_LEASE_SECONDS", "300"))
MOTCUA_TASK_MAX_RUNS = int(os.environ.get("MOTCUA_TASK_MAX_RUNS", "3"))
MOTCUA_WORKER_HEARTBEAT_SECONDS = float(os.environ.get("MOTCUA_WORKER_HEARTBEAT_SECONDS", "15"))
# Probe thresholds (0 turns a check off): the freshest worker heartbeat of each queue and the age
# of the oldest task waiting (/statusz), the free space under the var and media folders (/readyz
# and /statusz).
MOTCUA_READY_WORKER_STALE_SECONDS = float(
    os.environ.get("MOTCUA_READY_WORKER_STALE_SECONDS", "120")
)
MOTCUA_READY_QUEUE_LAG_SECONDS = float(os.environ.get("MOTCUA_READY_QUEUE_LAG_SECONDS", "600"))
MOTCUA_READY_MIN_FREE_MB = float(os.environ.get("MOTCUA_READY_MIN_FREE_MB", "1024"))

EMAIL_BACKEND = os.environ.get(
    "MOTCUA_EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend"
)
EMAIL_FILE_PATH = Path(os.environ.get("MOTCUA_EMAIL_FILE_PATH", VAR_DIR / "mail")).resolve()
DEFAULT_FROM_EMAIL = os.environ.get(
    "MOTCUA_DEFAULT_FROM_EMAIL", "Một Cửa Hà Nội <motcua@localhost>"
)
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# Seconds an SMTP server may take to answer (Django's default is to wait forever).
EMAIL_TIMEOUT = float(os.environ.get("MOTCUA_EMAIL_TIMEOUT", "10"))

# SMS to applicants: "file" (embedded default: one JSON file per message under var/sms) or
# "http" (a provider speaking our protocol, e.g. `motcua sms-sandbox`).
MOTCUA_SMS_BACKEND = os.environ.get("MOTCUA_SMS_BACKEND", "file").strip().lower()
MOTCUA_SMS_URL = os.environ.get("MOTCUA_SMS_URL", "")
MOTCUA_SMS_TOKEN = os.environ.get("MOTCUA_SMS_TOKEN", "")
MOTCUA_SMS_TIMEOUT = float(os.environ.get("MOTCUA_SMS_TIMEOUT", "5"))
MOTCUA_SMS_DIR = Path(os.environ.get("MOTCUA_SMS_DIR", VAR_DIR / "sms")).resolve()
# Built search indexes, one file per catalog state, shared by this machine's processes
# (catalog.search_store); an empty value keeps each index in its process only.
MOTCUA_SEARCH_INDEX_DIR = os.environ.get("MOTCUA_SEARCH_INDEX_DIR", str(VAR_DIR / "search-index"))
# A change of the catalog has the worker build the new index into that folder, so that no web
# process makes a citizen wait for it (catalog.search_tasks; decision 0023).
MOTCUA_SEARCH_INDEX_AFTER_CHANGE = env_bool("MOTCUA_SEARCH_INDEX_AFTER_CHANGE", True)
# The statutory holidays, computed once by the holidays package and kept as a small file
# (worktime/sources.py); empty: computed in every process.
MOTCUA_CALENDAR_CACHE_DIR = os.environ.get("MOTCUA_CALENDAR_CACHE_DIR", str(VAR_DIR / "calendar"))
MOTCUA_NOTIFY_MAX_ATTEMPTS = int(os.environ.get("MOTCUA_NOTIFY_MAX_ATTEMPTS", "5"))
# A worker killed mid-send leaves its claim on the row: sent again once the claim runs out (longer
# than any provider timeout). The retry sweep takes a fresh row only after the grace period.
MOTCUA_NOTIFY_LEASE_SECONDS = float(os.environ.get("MOTCUA_NOTIFY_LEASE_SECONDS", "300"))
MOTCUA_NOTIFY_SWEEP_GRACE_SECONDS = float(os.environ.get("MOTCUA_NOTIFY_SWEEP_GRACE_SECONDS", "60"))
# Who is mailed (through the outbox) when a message becomes a dead letter; the alert is also an
# AdminAlert row in the admin, whatever this says (decision 0037).
MOTCUA_ALERT_EMAILS = [
    address.strip()
    for address in os.environ.get("MOTCUA_ALERT_EMAILS", "").split(",")
    if address.strip()
]
# National registries a linked bundle writes to (civil status, population, social insurance):
# empty = an in-process stand-in; `motcua registry-sandbox` runs them as an HTTP server (0025).
MOTCUA_REGISTRY_URL = os.environ.get("MOTCUA_REGISTRY_URL", "")
MOTCUA_REGISTRY_TOKEN = os.environ.get("MOTCUA_REGISTRY_TOKEN", "")
MOTCUA_REGISTRY_TIMEOUT = float(os.environ.get("MOTCUA_REGISTRY_TIMEOUT", "5"))
MOTCUA_REGISTRY_MAX_ATTEMPTS = int(os.environ.get("MOTCUA_REGISTRY_MAX_ATTEMPTS", "8"))
# Citizens' sign-in through VNeID, an OpenID Connect provider (decision 0032): empty issuer = the
# button is not shown; `motcua oidc-sandbox` runs a provider whose defaults match the ones below.
MOTCUA_VNEID_ISSUER = os.environ.get("MOTCUA_VNEID_ISSUER", "")
MOTCUA_VNEID_CLIENT_ID = os.environ.get("MOTCUA_VNEID_CLIENT_ID", "motcua-demo")
MOTCUA_VNEID_CLIENT_SECRET = os.environ.get("MOTCUA_VNEID_CLIENT_SECRET", "motcua-demo-secret")
MOTCUA_VNEID_TIMEOUT = float(os.environ.get("MOTCUA_VNEID_TIMEOUT", "10"))
if (
    MODE == "production"
    and MOTCUA_VNEID_ISSUER
    and MOTCUA_VNEID_CLIENT_SECRET == "motcua-demo-secret"
):
    raise ImproperlyConfigured("Production mode needs a real MOTCUA_VNEID_CLIENT_SECRET.")
# National Public Service Portal (Cổng DVCQG) sync (decision 0027): empty URL = sync off, nothing
# is enqueued; `motcua dvcqg-sandbox` runs a portal to try it with.
MOTCUA_DVCQG_URL = os.environ.get("MOTCUA_DVCQG_URL", "")
MOTCUA_DVCQG_TOKEN = os.environ.get("MOTCUA_DVCQG_TOKEN", "")
MOTCUA_DVCQG_TIMEOUT = float(os.environ.get("MOTCUA_DVCQG_TIMEOUT", "10"))
# A run that died mid-call holds its dossier this long (at least three timeouts), then another
# run takes over, unsure of what the portal holds, and asks it first.
MOTCUA_DVCQG_LEASE_SECONDS = float(os.environ.get("MOTCUA_DVCQG_LEASE_SECONDS", "60"))
# Tries of one dossier's pending change before it is set aside (dead letter) for an officer.
MOTCUA_DVCQG_MAX_ATTEMPTS = int(os.environ.get("MOTCUA_DVCQG_MAX_ATTEMPTS", "10"))
# The wait after the n-th failure: base × 2^(n−1) seconds, at most the cap.
MOTCUA_DVCQG_BACKOFF_SECONDS = float(os.environ.get("MOTCUA_DVCQG_BACKOFF_SECONDS", "30"))
MOTCUA_DVCQG_BACKOFF_MAX_SECONDS = float(
    os.environ.get("MOTCUA_DVCQG_BACKOFF_MAX_SECONDS", "21600")
)
# Online payment (decision 0028): the gateway's URL (empty = online payment off), the merchant
# token, the callback's HMAC-SHA256 secret, the 766 flag it counts under (1 national platform,
# 2 local gateway), the public base URL the gateway calls back and returns the payer to.
MOTCUA_PAYMENT_URL = os.environ.get("MOTCUA_PAYMENT_URL", "")
MOTCUA_PAYMENT_TOKEN = os.environ.get("MOTCUA_PAYMENT_TOKEN", "")
MOTCUA_PAYMENT_SECRET = os.environ.get("MOTCUA_PAYMENT_SECRET", "")
MOTCUA_PAYMENT_FLAG = int(os.environ.get("MOTCUA_PAYMENT_FLAG", "2"))
MOTCUA_PAYMENT_TIMEOUT = float(os.environ.get("MOTCUA_PAYMENT_TIMEOUT", "5"))
MOTCUA_PAYMENT_ATTEMPTS = int(os.environ.get("MOTCUA_PAYMENT_ATTEMPTS", "3"))
MOTCUA_PAYMENT_BASE_URL = os.environ.get("MOTCUA_PAYMENT_BASE_URL", "")
# Events older than this when recorded (legacy imports) notify nobody; 0 turns the check off.
MOTCUA_NOTIFY_MAX_AGE_HOURS = float(os.environ.get("MOTCUA_NOTIFY_MAX_AGE_HOURS", "72"))

# Officer sign-in (decision 0012). Two-factor (TOTP + recovery codes, django-otp) for officers and
# administrators: on by default in production, off in the embedded demo.
MOTCUA_REQUIRE_OFFICER_2FA = env_bool("MOTCUA_REQUIRE_OFFICER_2FA", not EMBEDDED)
# Sessions end after this many minutes without a request (officers and administrators, others)…
MOTCUA_IDLE_MINUTES_OFFICER = int(os.environ.get("MOTCUA_IDLE_MINUTES_OFFICER", "30"))
MOTCUA_IDLE_MINUTES_CITIZEN = int(os.environ.get("MOTCUA_IDLE_MINUTES_CITIZEN", "120"))
# …and at the latest this many hours after signing in, however active (a working day and a bit).
MOTCUA_SESSION_MAX_HOURS = float(os.environ.get("MOTCUA_SESSION_MAX_HOURS", "12"))
# A sensitive change (contact details, roles, two-factor) needs the password typed this recently.
MOTCUA_REAUTH_MINUTES = int(os.environ.get("MOTCUA_REAUTH_MINUTES", "5"))
SESSION_COOKIE_AGE = int(MOTCUA_SESSION_MAX_HOURS * 3600)
OTP_TOTP_ISSUER = "Một Cửa Hà Nội"
# django-otp's throttle: after n wrong codes in a row, wait factor × 2^(n-1) seconds.
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
# Administrators may delete an officer's devices (a lost phone) but never read their secrets.
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("MOTCUA_SECURE_COOKIES", not EMBEDDED)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
# HTTPS in production (decision 0036): HSTS for a year on this host and its subdomains, never
# "preload" unless asked (the preload list is the whole registered domain's owner's decision);
# plain HTTP redirected, except the load balancer's probes; the proxy's scheme header trusted.
SECURE_HSTS_SECONDS = int(os.environ.get("MOTCUA_HSTS_SECONDS", "0" if EMBEDDED else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("MOTCUA_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("MOTCUA_HSTS_PRELOAD", False)
SILENCED_SYSTEM_CHECKS = ["security.W021"]  # preload off on purpose (above)
SECURE_SSL_REDIRECT = env_bool("MOTCUA_SSL_REDIRECT", not EMBEDDED)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$", r"^statusz$"]
SECURE_PROXY_SSL_HEADER = proxy_ssl_header(
    "MOTCUA_PROXY_SSL_HEADER", "" if EMBEDDED else "X-Forwarded-Proto: https"
)
# A strict Content-Security-Policy in every mode: scripts and styles from our static files only
# (no inline script, handler or style attribute), no plugins, never framed. Forms post here, and
# to the payment gateway (a "pay" form is redirected to it, and browsers check form-action on
# redirects), and to MOTCUA_CSP_FORM_ACTION's origins (comma-separated).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "object-src": [NONE],
        "base-uri": [SELF],
        "frame-ancestors": [NONE],
        "form-action": [
            SELF,
            *origins([MOTCUA_PAYMENT_URL, *env_list("MOTCUA_CSP_FORM_ACTION", [])]),
        ],
    }
}

MOTCUA_UNITS_FILE = Path(os.environ.get("MOTCUA_UNITS_FILE", DATA_DIR / "hanoi_units.yaml"))
MOTCUA_PROCEDURES_DIR = Path(
    os.environ.get("MOTCUA_PROCEDURES_DIR", DATA_DIR / "national_procedures")
)
MOTCUA_CALENDAR_FILE = Path(os.environ.get("MOTCUA_CALENDAR_FILE", DATA_DIR / "vn_calendar.yaml"))
# Linked bundles (Decree 63/2024): members, order, limits; docs/decisions/0025.
MOTCUA_BUNDLES_FILE = Path(os.environ.get("MOTCUA_BUNDLES_FILE", DATA_DIR / "bundles.yaml"))
# Executing-body text → Hà Nội units (decision 0024), seeded into the CompetenceRule table.
MOTCUA_COMPETENCE_RULES_FILE = Path(
    os.environ.get("MOTCUA_COMPETENCE_RULES_FILE", DATA_DIR / "competence_rules.yaml")
)
# Decree 61/2018 art. 19(1): a supplement request within 3 working days of reception [U].
MOTCUA_SUPPLEMENT_WINDOW_WORKING_DAYS = int(
    os.environ.get("MOTCUA_SUPPLEMENT_WINDOW_WORKING_DAYS", "3")
)
MOTCUA_MAX_UPLOAD_MB = int(os.environ.get("MOTCUA_MAX_UPLOAD_MB", "10"))
DATA_UPLOAD_MAX_MEMORY_SIZE = (MOTCUA_MAX_UPLOAD_MB + 1) * 1024 * 1024
# Uploads parsed whole (decision 0033): the size cut while streaming, PDFs opened with pypdf,
# images decoded with Pillow within these bounds, then an optional virus scanner: a dotted path to
# a callable (bytes, file name) -> None when clean, or what it found.
FILE_UPLOAD_HANDLERS = [
    "motcua.common.uploads.LimitedUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
MOTCUA_UPLOAD_MAX_PDF_PAGES = int(os.environ.get("MOTCUA_UPLOAD_MAX_PDF_PAGES", "300"))
MOTCUA_UPLOAD_MAX_IMAGE_PIXELS = int(os.environ.get("MOTCUA_UPLOAD_MAX_IMAGE_PIXELS", "60000000"))
MOTCUA_UPLOAD_SCANNER = os.environ.get("MOTCUA_UPLOAD_SCANNER", "")
# Where the public site is reached: printed in the receipt's QR code.
MOTCUA_PUBLIC_URL = os.environ.get("MOTCUA_PUBLIC_URL", "http://localhost:8000").rstrip("/")
MOTCUA_DEMO_PASSWORD = os.environ.get("MOTCUA_DEMO_PASSWORD", "MotCua@2026")
# The audit (decision 0009): the chain and signing keys, and the published roots, live outside
# the database. Several servers must share the chain key (MOTCUA_AUDIT_KEY or one key folder).
MOTCUA_AUDIT_KEY_DIR = Path(
    os.environ.get("MOTCUA_AUDIT_KEY_DIR", VAR_DIR / "audit-keys")
).resolve()
MOTCUA_AUDIT_ROOTS_DIR = Path(
    os.environ.get("MOTCUA_AUDIT_ROOTS_DIR", VAR_DIR / "audit-roots")
).resolve()
MOTCUA_AUDIT_PUBLISH_HOURS = float(os.environ.get("MOTCUA_AUDIT_PUBLISH_HOURS", "24"))
# PostgreSQL: dossiers and their events in one partition per year or month (decision 0022).
MOTCUA_PARTITION_PERIOD = os.environ.get("MOTCUA_PARTITION_PERIOD", "year")
if MOTCUA_PARTITION_PERIOD not in ("year", "month"):
    raise ImproperlyConfigured(
        f"MOTCUA_PARTITION_PERIOD must be 'year' or 'month', got {MOTCUA_PARTITION_PERIOD!r}"
    )
# API tokens: lifetime when none is asked for, and the longest one may ask for (days).
MOTCUA_API_TOKEN_MAX_DAYS = int(os.environ.get("MOTCUA_API_TOKEN_MAX_DAYS", "365"))
MOTCUA_API_TOKEN_DAYS = min(
    int(os.environ.get("MOTCUA_API_TOKEN_DAYS", "90")), MOTCUA_API_TOKEN_MAX_DAYS
)
# Digital signatures on issued forms (docs/decisions/0010-signed-documents.md): "test-ca" (a local
# test CA, embedded only), "pkcs12" (one PKCS#12 per unit in MOTCUA_SIGNING_DIR/units/) or a
# dotted path to another backend; trusted roots for verification in MOTCUA_SIGNING_DIR/trust/.
MOTCUA_SIGNING_BACKEND = os.environ.get("MOTCUA_SIGNING_BACKEND") or (
    "test-ca" if EMBEDDED else "pkcs12"
)
MOTCUA_SIGNING_DIR = Path(os.environ.get("MOTCUA_SIGNING_DIR", VAR_DIR / "signing")).resolve()
MOTCUA_SIGNING_PASSPHRASE = os.environ.get("MOTCUA_SIGNING_PASSPHRASE", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("MOTCUA_LOG_LEVEL", "INFO")},
    # pyHanko logs a traceback at WARNING for every signature by an unknown CA; the public
    # verification page would let anyone fill the logs with them.
    "loggers": {"axes": {"level": "WARNING"}, "pyhanko": {"level": "ERROR"}},
}
