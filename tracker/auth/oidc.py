"""The OpenID Connect client (Authlib) and what the tracker takes from a signed ID token.

Authlib checks the state, the PKCE verifier, the nonce and the ID token's signature, issuer,
audience and expiry; this module turns what it returns, or what it refuses, into an `Identity`
or a `Refusal` in plain words.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from authlib.integrations.base_client import MismatchingStateError, OAuthError
from authlib.integrations.flask_client import OAuth
from flask import Flask, current_app
from joserfc import errors as jose

EXTENSION = "tracker.oidc"
SCOPE = "openid email profile"
PASSWORD_LOGIN_VALUES = ("on", "admins")
MAX_SUBJECT = 255  # users.sso_subject
TRY_AGAIN = "Signing in with your company account did not work. Please try again."


class Refusal(Exception):
    """A sign-on that logs nobody in: `message` for the person, `reason` for the audit trail."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(reason)
        self.message = message
        self.reason = reason


@dataclass(frozen=True)
class Identity:
    """Who the company's provider says signed in (from a verified ID token)."""

    subject: str
    email: str | None
    email_verified: bool
    name: str | None


def settings_error(config: Mapping[str, Any]) -> str | None:
    """Return a one-line reason the sign-in settings cannot work, or None when they can."""
    mode = config.get("PASSWORD_LOGIN")
    if mode not in PASSWORD_LOGIN_VALUES:
        return f"PASSWORD_LOGIN={mode!r} is not allowed: use 'on' or 'admins'"
    issuer = config.get("OIDC_ISSUER")
    if not issuer:
        if mode == "admins":
            return "PASSWORD_LOGIN=admins needs OIDC_ISSUER: people need another way to sign in"
        return None
    if not (config.get("OIDC_CLIENT_ID") and config.get("OIDC_CLIENT_SECRET")):
        return "OIDC_ISSUER is set: OIDC_CLIENT_ID and OIDC_CLIENT_SECRET are needed too"
    if not _secure_issuer(issuer):
        return f"OIDC_ISSUER={issuer!r} must be an https:// URL (http only on loopback)"
    return None


def _secure_issuer(issuer: str) -> bool:
    parts = urlsplit(issuer)
    if parts.scheme == "https" and parts.hostname:
        return True
    if parts.scheme != "http" or not parts.hostname:
        return False
    if parts.hostname == "localhost":
        return True
    try:
        return ipaddress.ip_address(parts.hostname).is_loopback
    except ValueError:
        return False


def init_app(app: Flask) -> None:
    """Register this app's OpenID Connect client when OIDC_ISSUER is set (discovery, PKCE)."""
    issuer = app.config.get("OIDC_ISSUER")
    if not issuer:
        return
    oauth = OAuth(app)  # one registry per app: tests run apps for several providers at once
    oauth.register(
        "company",
        client_id=app.config["OIDC_CLIENT_ID"],
        client_secret=app.config["OIDC_CLIENT_SECRET"],
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_kwargs={"scope": SCOPE, "code_challenge_method": "S256", "default_timeout": 10},
    )
    app.extensions[EXTENSION] = oauth


def enabled() -> bool:
    """Return True when single sign-on is configured for the current app."""
    return EXTENSION in current_app.extensions


def client() -> Any:
    """Return the current app's OpenID Connect client (Authlib's FlaskOAuth2App)."""
    return current_app.extensions[EXTENSION].create_client("company")


def password_login_for_admins_only() -> bool:
    """Return True when password sign-in is kept for admins (everyone else uses the company's)."""
    return bool(current_app.config.get("PASSWORD_LOGIN") == "admins")


def verified_identity() -> Identity:
    """Finish the code flow of this callback request; return the verified identity or refuse."""
    app_client = client()
    try:
        token = app_client.authorize_access_token(claims_options=_claims_options(app_client))
    except MismatchingStateError:
        raise Refusal(TRY_AGAIN, "state missing or not this browser's") from None
    except OAuthError as exc:
        raise Refusal(TRY_AGAIN, f"provider answered {exc.error}") from None
    except jose.JoseError as exc:
        raise Refusal(TRY_AGAIN, _token_problem(exc)) from None
    except (requests.RequestException, ValueError) as exc:
        raise Refusal(
            "The company sign-in could not be reached. Please try again in a moment.",
            f"provider unreachable or unreadable ({type(exc).__name__})",
        ) from None
    claims = token.get("userinfo")
    if not claims:  # no ID token, or no nonce kept: never fall back to unsigned claims
        raise Refusal(TRY_AGAIN, "no verified ID token")
    return _identity(claims)


def _claims_options(app_client: Any) -> dict[str, Any]:
    """Return the issuer and audience the ID token must name.

    Authlib alone checks the issuer, and accepts another audience when `azp` names this client;
    OpenID Connect Core (3.1.3.7) wants this client among the audiences, always. The issuer that
    discovery answers must be the configured one (OpenID Connect Discovery 4.3).
    """
    issuer = str(app_client.load_server_metadata().get("issuer", ""))
    if issuer.rstrip("/") != str(current_app.config["OIDC_ISSUER"]).rstrip("/"):
        raise Refusal(TRY_AGAIN, "discovery named another issuer than OIDC_ISSUER")
    return {
        "iss": {"essential": True, "values": [issuer]},
        "aud": {"essential": True, "values": [app_client.client_id]},
    }


def _token_problem(exc: jose.JoseError) -> str:
    if isinstance(exc, jose.ExpiredTokenError):
        return "ID token expired"
    if isinstance(exc, jose.BadSignatureError):
        return "ID token signature not valid"
    if isinstance(exc, jose.ClaimError):
        return f"ID token {exc.error.replace('_', ' ')} '{exc.claim}'"
    return f"ID token not valid ({exc.error or type(exc).__name__})"


def _identity(claims: Mapping[str, Any]) -> Identity:
    subject = _text(claims.get("sub"))
    if subject is None or len(subject) > MAX_SUBJECT:
        raise Refusal(TRY_AGAIN, "subject claim not usable")
    email = _text(claims.get("email"))
    verified = claims.get("email_verified")
    return Identity(
        subject=subject,
        email=email.lower() if email else None,
        email_verified=verified is True or verified == "true",
        name=_text(claims.get("name")),
    )


def _text(value: object) -> str | None:
    """Return a claim as trimmed text, or None when absent, empty or holding control characters."""
    if not isinstance(value, str) or any(ord(ch) < 32 or ord(ch) == 127 for ch in value):
        return None
    return value.strip() or None
