"""A page of a long list, named as Flask-SQLAlchemy's pages are, for lists it does not page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of rows: `page` of `pages`, out of `total` rows."""

    items: list[T]
    page: int
    pages: int
    total: int

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


def clamp(page: int, total: int, size: int) -> tuple[int, int]:
    """Return (page, pages): a page past the end is the last page; an empty list has one."""
    pages = max(1, -(-total // size))
    return min(max(page, 1), pages), pages


def page_of(rows: list[T], page: int, size: int) -> Page[T]:
    """Return page `page` of rows already in order."""
    page, pages = clamp(page, len(rows), size)
    return Page(rows[(page - 1) * size : page * size], page, pages, len(rows))
