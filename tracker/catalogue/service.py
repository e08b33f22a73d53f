"""One entry point for every way a catalogue arrives: the CLI, the API and the upload page."""

from __future__ import annotations

from importlib import resources

from tracker import audit
from tracker.catalogue.document import Document, DocumentError, parse
from tracker.catalogue.importer import ImportReport, import_catalogue
from tracker.catalogue.validate import CatalogueError, KnownKeys, validate
from tracker.extensions import db
from tracker.models import Competency, Module, TargetRole

DEFAULT_CATALOGUE = "default_catalogue.yaml"


def known_keys() -> KnownKeys:
    """Return the keys the database already has."""

    def keys(model: type) -> frozenset[str]:
        return frozenset(db.session.scalars(db.select(model.key)))

    return KnownKeys(keys(Competency), keys(TargetRole), keys(Module))


def import_text(text: str, filename: str = "", source: str = "file") -> ImportReport:
    """Validate and import a catalogue file; raise CatalogueError (nothing changed) on problems.

    Adds and flushes only: the caller commits, or rolls back for a dry run.
    """
    try:
        document = parse(text, filename)
    except DocumentError as error:
        raise CatalogueError([str(error)]) from None
    return import_document(document, source)


def import_document(document: Document, source: str) -> ImportReport:
    """Validate a parsed document against the database and import it."""
    report = import_catalogue(validate(document, known_keys()))
    summary = "; ".join(line for line in report.lines() if not line.startswith(" "))
    audit.record("catalog.imported", source, summary)
    return report


def default_catalogue_text() -> str:
    """Return the shipped default catalogue file."""
    return resources.files("tracker.data").joinpath(DEFAULT_CATALOGUE).read_text("utf-8")


def load_default_catalogue() -> ImportReport:
    """Import the shipped default catalogue (add + flush; the caller commits)."""
    return import_text(default_catalogue_text(), DEFAULT_CATALOGUE, source="default catalogue")
