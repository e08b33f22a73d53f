"""What the team dashboard keeps in the cache, each entry under a key from everything it shows.

Every entry's key is `figure_key` of the team (its figures token, replaced in the transaction
of every change to its name, its engineers, their evidence or its staffing targets), the
catalogue, the role, the date and the audience, and of whatever else the entry shows: for the
sections of HTML the page's template keeps (`{% cache %}`, Flask-Caching's fragment cache),
their order, page and open table, the path the application is served under (which their links
begin with). A change to anything shown changes the key, so nothing kept is ever stale; an entry
no longer asked for simply ages out of the cache. Another release (other code, other templates)
has other keys altogether (`tracker.release`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TypeVar, cast

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
