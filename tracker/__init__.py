"""The tracker application factory: reads like a table of contents."""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from config import INSTANCE_DIR, Config, config_for


def create_app(config_class: type[Config] | None = None, **overrides: Any) -> Flask:
    """Build the app from a config class (TRACKER_ENV picks it when None) and overrides."""
    from tracker import routing

    app = Flask(
        __name__,
        instance_path=str(INSTANCE_DIR),
        template_folder="../templates",
        static_folder="static",
    )
    app.config.from_object(config_class or config_for())
    app.config.update(overrides)
    check_config(app)
    routing.init_app(app)  # before any route: ids beyond the integer range match none
    register_extensions(app)
    register_blueprints(app)
    register_handlers(app)
    register_commands(app)
    if app.config["PROXY_FIX_X_FOR"]:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=app.config["PROXY_FIX_X_FOR"])  # type: ignore[method-assign]
    return app


def check_config(app: Flask) -> None:
    """Refuse to start with a configuration that would be unsafe."""
    from tracker.auth import oidc

    if not app.config.get("SECRET_KEY"):
        raise RuntimeError("SECRET_KEY is not set: production needs SECRET_KEY in the environment")
    if app.config["ENV_NAME"] == "production" and app.debug:
        raise RuntimeError("debug mode must be off in production")
    sign_in_error = oidc.settings_error(app.config)
    if sign_in_error:
        raise RuntimeError(sign_in_error)


def register_extensions(app: Flask) -> None:
    """Bind every extension to the app."""
    from tracker import database, release, sessions
    from tracker.auth import oidc
    from tracker.extensions import cache, csrf, db, limiter, login_manager, mail, migrate
    from tracker.operations import (  # noqa: F401  (keep derived tables in step with writes)
        catalogue_version,
        firsts,
        module_stats,
        steps,
    )

    db.init_app(app)
    database.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    sessions.init_app(app)
    csrf.init_app(app)
    mail.init_app(app)
    limiter.init_app(app)
    # a shared cache outlives a release: each release keeps its entries apart (`release`)
    app.config.setdefault("CACHE_KEY_PREFIX", f"tracker-{release.code_digest()}:")
    cache.init_app(app)
    oidc.init_app(app)


def register_blueprints(app: Flask) -> None:
    """Mount each surface of the app."""
    from tracker import (
        admin,
        api,
        auth,
        authoring,
        engineer,
        health,
        main,
        notify,
        scim,
        team,
        xapi,
    )

    app.register_blueprint(main.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(admin.bp)
    app.register_blueprint(authoring.bp)
    app.register_blueprint(engineer.bp)
    app.register_blueprint(team.bp)
    app.register_blueprint(notify.bp)
    app.register_blueprint(health.bp)
    api.init_app(app)
    xapi.init_app(app)
    scim.init_app(app)


def register_handlers(app: Flask) -> None:
    """Error pages, security headers, bounded request bodies, text checks, template helpers."""
    from tracker import errors, headers, limits, templating, text_guard

    errors.init_app(app)
    headers.init_app(app)
    limits.init_app(app)
    text_guard.init_app(app)
    templating.init_app(app)


def register_commands(app: Flask) -> None:
    """The `flask …` commands."""
    from tracker import cli

    cli.init_app(app)
