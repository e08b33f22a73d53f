"""Configuration classes; the environment overrides each default (see README, "Configuration")."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent
INSTANCE_DIR = Path(os.environ.get("TRACKER_INSTANCE_PATH", BASE_DIR / "instance"))


def _flag(name: str, default: bool) -> bool:
    """Read a boolean environment variable (1/true/yes/on)."""
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _development_secret_key() -> str:
    """Return the development secret key, generating it once into the instance folder."""
    path = INSTANCE_DIR / "secret_key"
    if not path.exists():
        INSTANCE_DIR.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(48))
        path.chmod(0o600)
    return path.read_text().strip()


class Config:
    """Defaults shared by every environment."""

    ENV_NAME = "base"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "DATABASE_URL", f"sqlite:///{INSTANCE_DIR / 'tracker.db'}"
    )
    SQLALCHEMY_ENGINE_OPTIONS: dict = {"pool_pre_ping": True}
    RATELIMIT_STORAGE_URI = os.environ.get("RATELIMIT_STORAGE_URI", "memory://")
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "10 per minute"
    REQUIRE_MFA = _flag("REQUIRE_MFA", False)
    WTF_CSRF_ENABLED = True
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    SESSION_IDLE_TIMEOUT = timedelta(minutes=int(os.environ.get("SESSION_IDLE_MINUTES", "30")))
    SESSION_ABSOLUTE_TIMEOUT = timedelta(hours=int(os.environ.get("SESSION_ABSOLUTE_HOURS", "12")))
    PERMANENT_SESSION_LIFETIME = SESSION_ABSOLUTE_TIMEOUT
    # Account lock-out: after this many consecutive failures, back off exponentially.
    LOGIN_MAX_FAILURES = 5
    LOGIN_LOCK_BASE = timedelta(minutes=1)
    LOGIN_LOCK_MAX = timedelta(hours=1)
    INVITATION_TTL = timedelta(days=7)
    RESET_TTL = timedelta(hours=1)
    # argon2id at OWASP's minimum: 19 MiB, 2 iterations, 1 lane.
    ARGON2_TIME_COST = 2
    ARGON2_MEMORY_COST = 19456
    ARGON2_PARALLELISM = 1
    # Trust X-Forwarded-For from this many proxies (0: trust nothing the client sends).
    PROXY_FIX_X_FOR = int(os.environ.get("PROXY_FIX_X_FOR", "0"))
    # The largest request body any route reads (bytes); more answers 413 unread. Uploads and the
    # xAPI intake have lower limits of their own (tracker/limits.py, tracker/xapi/auth.py).
    MAX_CONTENT_LENGTH = int(os.environ.get("MAX_CONTENT_LENGTH", str(16 * 1024 * 1024)))
    # Where people reach the app; used for links in mail sent outside a request (cron).
    PUBLIC_URL = os.environ.get("PUBLIC_URL", "http://127.0.0.1:5000")
    MAIL_SERVER = os.environ.get("MAIL_SERVER")
    MAIL_PORT = int(os.environ.get("MAIL_PORT", "25"))
    MAIL_USE_TLS = _flag("MAIL_USE_TLS", False)
    MAIL_USERNAME = os.environ.get("MAIL_USERNAME")
    MAIL_PASSWORD = os.environ.get("MAIL_PASSWORD")
    MAIL_DEFAULT_SENDER = os.environ.get("MAIL_DEFAULT_SENDER", "tracker@localhost")
    # Rendered charts, keyed by what they show: SimpleCache on one host, RedisCache beyond.
    CACHE_TYPE = os.environ.get("CACHE_TYPE", "SimpleCache")
    CACHE_REDIS_URL = os.environ.get("CACHE_REDIS_URL")
    CACHE_DEFAULT_TIMEOUT = 3600
    API_TITLE = "Tracker API"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = None  # the document is served by the api blueprint itself
    SECURITY_HSTS = False
    SECRET_KEY: str | None = os.environ.get("SECRET_KEY")
    # Single sign-on with the company's OpenID Connect provider (docs/identity-provider.md).
    OIDC_ISSUER = os.environ.get("OIDC_ISSUER", "").strip()
    OIDC_CLIENT_ID = os.environ.get("OIDC_CLIENT_ID", "").strip()
    OIDC_CLIENT_SECRET = os.environ.get("OIDC_CLIENT_SECRET", "")
    OIDC_CREATE_USERS = _flag("OIDC_CREATE_USERS", False)
    # "on": everyone may log in with a password; "admins": admins only (needs OIDC_ISSUER).
    PASSWORD_LOGIN = os.environ.get("PASSWORD_LOGIN", "on").strip().lower()


class DevelopmentConfig(Config):
    """Local development: embedded SQLite, a generated secret key, printed links."""

    ENV_NAME = "development"
    SECRET_KEY = os.environ.get("SECRET_KEY") or _development_secret_key()


class TestingConfig(Config):
    """The test suite: cheap hashes, CSRF and rate limits off unless a test turns them on."""

    ENV_NAME = "testing"
    TESTING = True
    SECRET_KEY = "testing-secret-key-not-for-production"  # noqa: S105
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL", "sqlite://")
    WTF_CSRF_ENABLED = False
    RATELIMIT_ENABLED = False
    REQUIRE_MFA = _flag("REQUIRE_MFA", False)
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 1024
    MAIL_SUPPRESS_SEND = True


class ProductionConfig(Config):
    """Production: secrets from the environment, secure cookies, MFA for privileged accounts."""

    ENV_NAME = "production"
    REQUIRE_MFA = _flag("REQUIRE_MFA", True)
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_NAME = "__Host-session"
    REMEMBER_COOKIE_SECURE = True
    SECURITY_HSTS = True
    PREFERRED_URL_SCHEME = "https"


CONFIGS: dict[str, type[Config]] = {
    "development": DevelopmentConfig,
    "testing": TestingConfig,
    "production": ProductionConfig,
}


def config_for(env_name: str | None = None) -> type[Config]:
    """Return the config class for TRACKER_ENV (development when unset)."""
    name = (env_name or os.environ.get("TRACKER_ENV") or "development").strip().lower()
    try:
        return CONFIGS[name]
    except KeyError:
        raise RuntimeError(f"TRACKER_ENV={name!r} is not one of: {', '.join(CONFIGS)}") from None
