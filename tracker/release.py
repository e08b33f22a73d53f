"""What tells one release of the code from another: a digest of its sources and templates.

The cache outlives a release when it is shared (Redis): entries are pickles of this code's
dataclasses and fragments of its templates, so a new release must not read the last one's.
Every cache key begins with this digest (`CACHE_KEY_PREFIX`); entries of an old release are
never asked for again and age out.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = (("tracker", "*.py"), ("templates", "*.html"))


@lru_cache(maxsize=4)
def code_digest(root: Path = ROOT) -> str:
    """Return a short digest of the application's Python sources and templates under `root`."""
    digest = hashlib.sha256()
    for folder, pattern in SOURCES:
        for path in sorted((root / folder).rglob(pattern)):
            digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]
