"""L&D authoring pages: competencies, target roles, modules and learning paths.

Every save goes through the catalogue file's validator and importer, so a page and a file
accept exactly the same things and report problems the same way.
"""

from flask import Blueprint

bp = Blueprint("authoring", __name__, url_prefix="/catalogue")

from tracker.authoring import overview, statements, views  # noqa: E402,F401  (routes register)
