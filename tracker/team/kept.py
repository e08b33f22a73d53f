"""What the team dashboard keeps in the cache, each entry under a key from everything it shows.

Every entry's key is `figure_key` of the team (its figures token, replaced in the transaction
of every change to its name, its engineers, their evidence or its staffing targets), the
catalogue, the role, the date and the audience, and of whatever else the entry shows: for the
sections of HTML the page's template keeps (`{% cache %}`, Flask-Caching's fragment cache),
their order, page and open table, the path the application is served under (which their links
begin with) and the templates they are made from (a shared cache outlives a release). A change
to anything shown changes the key, so nothing kept is ever stale; an entry no longer asked for
simply ages out of the cache.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from datetime import date
from functools import lru_cache
from typing import TypeVar, cast

from flask import current_app
from flask_caching import Cache

from tracker.reads.catalogue import Catalogue
from tracker.reads.versions import TeamState, figure_key

T = TypeVar("T")


class Kept:
    """The cache entries of a team's figures for a role as of a date, for one audience.

    Each entry is read from the cache at most once per request (a page built from several
    entries computes a missing one once, and reads back none it has just kept).
    """

    def __init__(
        self,
        cache: Cache,
        team: TeamState,
        catalogue: Catalogue,
        role: str,
        as_of: date,
        audience: str,
    ) -> None:
        self.cache, self.team, self.catalogue = cache, team, catalogue
        self.role, self.as_of, self.audience = role, as_of, audience
        self._got: dict[str, object] = {}

    def key(self, name: str, *shown: object) -> str:
        """Return the key of the entry `name`, which shows `shown` besides the figures."""
        figure = repr((name, *shown)) if shown else name
        return f"{name}:" + figure_key(
            figure, self.catalogue, self.role, self.as_of, self.audience, team=self.team
        )

    def get(self, name: str, compute: Callable[[], T]) -> T:
        """Return the entry `name`: from the cache, or computed and kept there."""
        key = self.key(name)
        if key not in self._got:
            value = self.cache.get(key)
            if value is None:
                value = compute()
                self.cache.set(key, value)
            self._got[key] = value
        return cast(T, self._got[key])


@lru_cache(maxsize=16)
def template_digest(*names: str) -> str:
    """Return a digest of the sources of the templates `names` (read once per process)."""
    env = current_app.jinja_env
    assert env.loader is not None  # Flask always sets one
    sources = [env.loader.get_source(env, name)[0] for name in names]
    return hashlib.sha256(repr(sources).encode()).hexdigest()
