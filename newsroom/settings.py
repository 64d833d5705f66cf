"""Newsroom settings, read from the environment (and an optional `.env` file).

Every setting that differs between a laptop and production is an environment variable; the
README lists them. Defaults are the safe choice wherever one exists: DEBUG is off unless set,
and with DEBUG off a SECRET_KEY must be given.
"""

from datetime import timedelta
from pathlib import Path

import environ
from csp.constants import NONE, SELF

from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)

SECRET_KEY = env.str("SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set it in the environment or in .env "
            "(or set DEBUG=true for local development only)."
        )
    SECRET_KEY = "django-insecure-local-development-only"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env.list(
    "ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]"] if DEBUG else []
)
if not ALLOWED_HOSTS and not DEBUG:
    # Django would answer every request 400 with an empty list: fail at start-up instead.
    raise ImproperlyConfigured(
        "ALLOWED_HOSTS is not set. Set it to the site's host names, comma-separated "
        "(or set DEBUG=true for local development only)."
    )
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

# Where the admin lives, e.g. "desk-7f3a/": a path that is not guessable keeps scanners off the
# login form (the login throttle below is what actually protects it).
ADMIN_URL = env.str("ADMIN_URL", default="admin/")
if ADMIN_URL.startswith("/") or not ADMIN_URL.endswith("/"):
    raise ImproperlyConfigured(
        f"ADMIN_URL must be a relative path ending in '/', not {ADMIN_URL!r}."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sitemaps",
    "django.contrib.postgres",
    "csp",
    "axes",
    "taggit",
    "newsroom",
    "providers",
    "articles",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "newsroom.middleware.PermissionsPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "newsroom.middleware.RejectNulMiddleware",
    "newsroom.middleware.RejectTraceMiddleware",
    # Inside the security headers (added to cached answers too), outside sessions and users
    # (a cached answer needs neither).
    "newsroom.page_cache.ReaderPageCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "newsroom.middleware.DatabaseUnavailableMiddleware",
    # django-axes wants to be last: it turns a locked-out login into its lockout response.
    "axes.middleware.AxesMiddleware",
]

# Readers' pages are kept whole in the cache (newsroom/page_cache.py) for at most this many
# seconds, and served only while no content has changed since (articles/cache.py: a content
# version bumped when any write to articles or providers commits, on any server). So the limit
# bounds only how old a "5 minutes ago" may get; 0 turns the page cache off (ETag and
# Last-Modified with 304 answers stay on).
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=60)
# The query parameters readers' pages read: a page number (listings), a search (`/search/`) and
# a sitemap section's page. The page cache keys a page by these alone, and the page sees no
# others: tracking parameters (`utm_*`, `fbclid`, ...) and made-up ones neither make a new
# cache entry nor reach the page. A reader's page that comes to read another parameter must
# have it added here.
PAGE_CACHE_KEPT_PARAMS = ["page", "p", "q"]
# The content version lives in the database (one row, moved by every committed change of
# content) and servers read a copy of it from the cache, which they check against the row at
# most this many seconds apart: a change the cache missed (Redis stalled or down when it was
# told) shows everywhere within this time, and a change it did not miss at once.
CONTENT_VERSION_CHECK_SECONDS = 1.0

AUTHENTICATION_BACKENDS = [
    # First, so a locked-out address is refused before its password is even checked.
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]

ROOT_URLCONF = "newsroom.urls"
WSGI_APPLICATION = "newsroom.wsgi.application"

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
                "newsroom.context_processors.site_urls",
            ],
            # The wings' template libraries, by the names templates `{% load %}`.
            "libraries": {
                "public_site": "articles.public.templatetags",
                "newsroom_admin": "articles.editing.templatetags",
            },
        },
    },
    {
        # The public site's hottest partials (the card grid, the cluster, the one `<img>`):
        # second, so `render()` and every page keep finding their Django templates first.
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "templates" / "jinja2"],
        "APP_DIRS": False,
        "OPTIONS": {"environment": "articles.public.jinja2.environment", "autoescape": True},
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=0)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and env.bool(
    "DATABASE_PREPARED_STATEMENTS", default=True
):
    # Parameters sent apart from the SQL, so that a statement run five times on a connection is
    # prepared: PostgreSQL then plans it once per connection, not on every run (planning the
    # joins of a story page cost more than running them). Off behind a pooler that cannot
    # keep prepared statements (PgBouncer in transaction mode before 1.21).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"server_side_binding": True, "prepare_threshold": 5}
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers and one writer work at once (runserver, gunicorn threads, the importer).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )

CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.redis.RedisCache":
    # A cache outage must not become a site outage: our subclass treats an unreachable Redis as
    # a miss, logs it once a minute, and does not wait on a dead server (short socket timeouts).
    CACHES["default"]["BACKEND"] = "newsroom.cache.ResilientRedisCache"
    CACHES["default"].setdefault("OPTIONS", {}).update(
        {"socket_connect_timeout": 0.5, "socket_timeout": 0.5}
    )

if CACHES["default"]["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache":
    # Local memory is per process: the content version, which tells every process that its
    # cached pages are out of date, is then kept in a file all of this machine's processes read.
    CACHES["content_version"] = {
        "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
        "LOCATION": env.path("CONTENT_VERSION_DIR", default=BASE_DIR / "var" / "content-version"),
    }

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True
# Our formats (newsroom/formats/<language>/formats.py) before Django's: one DATETIME_FORMAT
# across the admin.
FORMAT_MODULE_PATH = ["newsroom.formats"]

STATIC_URL = "static/"
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / "media")
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

# Security. Each is read from the environment; the defaults are safe for production where that
# does not break local HTTP development (README "Deploying" lists what production sets).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=False)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=False)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=False)
# Only behind a proxy that sets X-Forwarded-Proto itself (and strips it from clients): otherwise
# any client could claim to be on HTTPS.
if env.bool("SECURE_PROXY_SSL_HEADER", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front of the site append to X-Forwarded-For (0: none, use the socket
# address). The login throttle counts failures per client address.
TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=0)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

# Images (README "Images"). Cached images are served from MEDIA_URL as WebP renditions; an image
# not cached yet is hot-linked from its outlet when IMAGES_HOTLINK is on, else a neutral
# placeholder is shown (and the CSP below then allows no outside image but YouTube's thumbnails).
IMAGES_HOTLINK = env.bool("IMAGES_HOTLINK", default=True)
# Hosts `cache_images` may fetch from although they resolve to a non-public address (tests serve
# images on 127.0.0.1). Empty in production: private, loopback and link-local are refused.
IMAGES_FETCH_ALLOWED_HOSTS = env.list("IMAGES_FETCH_ALLOWED_HOSTS", default=[])
IMAGES_MAX_BYTES = env.int("IMAGES_MAX_BYTES", default=15 * 1024 * 1024)
IMAGES_MAX_PIXELS = env.int("IMAGES_MAX_PIXELS", default=40_000_000)
# Seconds: to connect and between two reads; and for a whole download, redirects included.
IMAGES_FETCH_TIMEOUT = env.float("IMAGES_FETCH_TIMEOUT", default=10.0)
IMAGES_FETCH_DEADLINE = env.float("IMAGES_FETCH_DEADLINE", default=60.0)

# Content-Security-Policy (django-csp 4): no inline script or style anywhere, ours or the admin's.
# The article page's JSON-LD is a data block (`type="application/ld+json"`), which browsers never
# execute, so script-src does not apply to it. Uncached images are hot-linked from the outlets (a
# few still over http:) unless IMAGES_HOTLINK is off; the only frame is YouTube's
# privacy-enhanced player, loaded on click.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "https://i.ytimg.com"]
        + (["https:", "http:"] if IMAGES_HOTLINK else []),
        "font-src": [SELF],
        "connect-src": [SELF],
        "frame-src": ["https://www.youtube-nocookie.com"],
        "object-src": [NONE],
        "base-uri": [NONE],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
        # With HTTPS on, an outlet's http: image is fetched over https: rather than blocked.
        "upgrade-insecure-requests": SECURE_SSL_REDIRECT,
    },
}

# Features no page of ours uses are switched off; YouTube's player may autoplay and go full screen.
PERMISSIONS_POLICY = (
    'accelerometer=(), autoplay=(self "https://www.youtube-nocookie.com"), camera=(), '
    'display-capture=(), encrypted-media=(self "https://www.youtube-nocookie.com"), '
    'fullscreen=(self "https://www.youtube-nocookie.com"), geolocation=(), gyroscope=(), '
    "magnetometer=(), microphone=(), midi=(), payment=(), "
    'picture-in-picture=(self "https://www.youtube-nocookie.com"), publickey-credentials-get=(), '
    "screen-wake-lock=(), usb=(), xr-spatial-tracking=()"
)

# Admin login throttling (django-axes, newsroom/login_throttle.py): after AXES_FAILURE_LIMIT
# wrong passwords for one account, from any address, that account is refused, even with the
# right password, for AXES_COOLOFF_TIME; after LOGIN_ADDRESS_FAILURE_LIMIT wrong passwords from
# one address, on any accounts, so is that address. Only the username is a lockout parameter:
# an address is shared by every editor behind one proxy, and a successful login clears the
# attempts matching the lockout parameters, so it clears only its own account's count. A login
# refused during a lockout checks no password and is not counted (nor extends the lockout), so
# a locked-out editor retrying cannot lock colleagues out by address. Attempts are kept in the
# database (admin: Axes).
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
LOGIN_ADDRESS_FAILURE_LIMIT = env.int("LOGIN_ADDRESS_FAILURE_LIMIT", default=20)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=15))
AXES_HANDLER = "newsroom.login_throttle.LoginThrottleHandler"
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
# Log lines name the username and address of a failure or lockout: they are what an operator
# acts on (axes masks both by default). Passwords are never logged.
AXES_SENSITIVE_PARAMETERS = []
# Axes warns when no lockout parameter names the address (W006: rotating user agents would
# dodge a limit on them); ours counts by address itself, in the handler, with its own limit.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_CLIENT_IP_CALLABLE = "newsroom.middleware.client_ip"

# Admin URL fields assume https when an editor leaves the scheme out (Django 6's default).
FORMS_URLFIELD_ASSUME_HTTPS = True

# Topics are case-insensitive: "AI" and "ai" are one topic.
TAGGIT_CASE_INSENSITIVE = True

# Seed files larger than this are rejected before they are parsed.
SEED_MAX_BYTES = env.int("SEED_MAX_BYTES", default=1024 * 1024)
# Files in one request. The admin's seed upload takes up to 2,000 (`MAX_FILES` of
# articles.seeds.uploads) and answers more with a form error; past this many, Django refuses
# the request with a bare 400 before any view sees it (its default, 100, did so at 101).
DATA_UPLOAD_MAX_NUMBER_FILES = 4000

# One line per event on stdout (newlines in messages and tracebacks escaped), with the status
# of every 4xx/5xx response after its path. SQL is never logged, even at DEBUG: its parameters
# carry seed data (`secured`) and session keys.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "()": "newsroom.logs.OneLineFormatter",
            "format": "%(asctime)s %(levelname)s %(name)s %(message)s",
        },
    },
    "handlers": {
        "stdout": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "line",
        }
    },
    "root": {"handlers": ["stdout"], "level": env.str("LOG_LEVEL", default="INFO")},
    "loggers": {
        "django.db.backends": {"level": "INFO"},
        # Lockouts are warnings; its per-attempt chatter and start-up banner are not needed.
        "axes": {"level": "WARNING"},
        # cache_images logs its own summary; a line per image request would drown it.
        "httpx": {"level": "WARNING"},
    },
}
