"""A shared cache outlives a release: a new release never reads what the last one kept."""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

import pytest
import redis

from config import TestingConfig
from tracker import create_app, release
from tracker.extensions import cache


def test_the_digest_changes_with_any_source_or_template(tmp_path: Path) -> None:
    for folder, name in (("tracker", "reads.py"), ("templates", "page.html")):
        (tmp_path / folder).mkdir()
        (tmp_path / folder / name).write_text("first\n")
    first = release.code_digest.__wrapped__(tmp_path)
    assert release.code_digest.__wrapped__(tmp_path) == first  # the same code, the same digest
    for changed in ("tracker/reads.py", "templates/page.html"):
        copy = tmp_path.parent / f"{tmp_path.name}-{Path(changed).stem}"
        shutil.copytree(tmp_path, copy)
        (copy / changed).write_text("second\n")
        assert release.code_digest.__wrapped__(copy) != first, changed
    (tmp_path / "notes.txt").write_text("not code")
    assert release.code_digest.__wrapped__(tmp_path) == first


REDIS = "redis://127.0.0.1:6379/15"


def _redis_app(**settings: str):  # type: ignore[no-untyped-def]
    return create_app(TestingConfig, CACHE_TYPE="RedisCache", CACHE_REDIS_URL=REDIS, **settings)


def test_every_cache_key_begins_with_this_releases_digest() -> None:
    app = _redis_app()  # no connection is made until the cache is used
    assert app.config["CACHE_KEY_PREFIX"] == f"tracker-{release.code_digest()}:"
    with app.app_context():
        assert cache.cache.key_prefix == app.config["CACHE_KEY_PREFIX"]


def test_a_shared_cache_keeps_each_releases_entries_apart() -> None:
    run = uuid.uuid4().hex[:8]
    this_release = _redis_app(CACHE_KEY_PREFIX=f"tracker-{run}-one:")
    with this_release.app_context():
        try:
            cache.set("figures", "kept by this release")
        except redis.ConnectionError:
            pytest.skip("no Redis server on 127.0.0.1:6379")
    try:
        with _redis_app(CACHE_KEY_PREFIX=f"tracker-{run}-one:").app_context():  # another worker
            assert cache.get("figures") == "kept by this release"
        with _redis_app(CACHE_KEY_PREFIX=f"tracker-{run}-two:").app_context():  # the next release
            assert cache.get("figures") is None
    finally:
        with this_release.app_context():
            cache.delete("figures")
