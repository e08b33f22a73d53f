"""The catalogue home for L&D, the file upload and download, and a role's coverage."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import Response, redirect, render_template, request, url_for
from sqlalchemy import func

from tracker import audit, import_report, policy
from tracker.authoring import bp
from tracker.authoring.editing import MODELS, row_or_404
from tracker.authoring.forms import UploadForm
from tracker.catalogue.exporter import export_text
from tracker.catalogue.service import import_text
from tracker.catalogue.validate import CatalogueError
from tracker.extensions import db
from tracker.form_fields import ApplyForm
from tracker.limits import CATALOGUE_MAX_BYTES, size_problem
from tracker.models import (
    Competency,
    LearningPath,
    Module,
    ModuleOutcome,
    PathModule,
    RoleRequirement,
)
from tracker.policy import allowed_by
from tracker.reads.statements import waiting_count


def _counts() -> dict[str, int]:
    return {
        kind: db.session.scalar(
            db.select(func.count()).select_from(model).where(model.archived_at.is_(None))
        )
        or 0
        for kind, model in MODELS.items()
    }


@bp.route("/", methods=["GET", "POST"])
@allowed_by(policy.may_edit_catalogue)
def index() -> Response | tuple[str, int]:
    """Counts, links to each kind, and the catalogue file: upload (with a dry run) and download."""
    form = UploadForm()
    if form.validate_on_submit():
        data = form.file.data.read(CATALOGUE_MAX_BYTES + 1)
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return _page(form, {"errors": ["the file is not UTF-8 text"]}, 422)
        return _upload(form, text, form.file.data.filename or "", form.dry_run.data)
    return _page(form, import_report.take(), 400 if form.errors else 200)


@bp.post("/apply")
@allowed_by(policy.may_edit_catalogue)
def apply() -> Response | tuple[str, int]:
    """Apply a file a dry run checked (sent back as text; it is checked again)."""
    sent = ApplyForm()
    if not sent.validate_on_submit():
        return _page(UploadForm(), {"errors": ["There was no checked file to apply."]}, 400)
    return _upload(UploadForm(), sent.content.data, sent.filename.data or "", dry_run=False)


def _upload(
    form: UploadForm, text: str, filename: str, dry_run: bool
) -> Response | tuple[str, int]:
    """Import `text` whole or not at all; a dry run shows what it would change and offers Apply."""
    try:
        if problem := size_problem(len(text.encode()), CATALOGUE_MAX_BYTES):
            raise CatalogueError([problem])
        report = import_text(text, filename, source="upload")
    except CatalogueError as error:
        db.session.rollback()
        return _page(form, {"errors": error.errors}, 422)
    if not dry_run:  # a redirect, so a reload imports nothing again
        db.session.commit()
        import_report.keep(report.lines())
        return redirect(url_for("authoring.index"), 303)
    db.session.rollback()
    apply = {"url": url_for("authoring.apply"), "content": text, "filename": filename}
    return _page(form, {"report_lines": report.lines(), "dry_run": True, "apply": apply}, 200)


def _page(form: UploadForm, shown: dict[str, object], status: int) -> tuple[str, int]:
    page = render_template(
        "authoring/index.html", form=form, counts=_counts(), waiting=waiting_count(), **shown
    )
    return page, status


@bp.get("/export")
@allowed_by(policy.may_edit_catalogue)
def download() -> Response:
    """Download the live catalogue as YAML, or JSON with ?format=json."""
    fmt = "json" if request.args.get("format") == "json" else "yaml"
    body = export_text(fmt)
    audit.record("catalog.exported", f"download.{fmt}")
    db.session.commit()
    mimetype = "application/json" if fmt == "json" else "application/yaml"
    return Response(
        body,
        mimetype=mimetype,
        headers={
            "Content-Disposition": f'attachment; filename="catalogue.{fmt}"',
            "Cache-Control": "no-store",
        },
    )


@dataclass
class CoverageRow:
    """One requirement of a role, and what in the catalogue develops it far enough."""

    competency: str
    required: int
    weight: int
    modules: list[tuple[str, str, int]] = field(default_factory=list)  # key, title, level
    paths: list[str] = field(default_factory=list)


@bp.get("/roles/<key>/coverage")
@allowed_by(policy.may_edit_catalogue)
def coverage(key: str) -> str:
    """For each requirement: the modules developing it to the required level, and their paths."""
    role = row_or_404("roles", key)
    rows = {}
    for comp_id, name, level, weight in db.session.execute(
        db.select(
            RoleRequirement.competency_id,
            Competency.name,
            RoleRequirement.level,
            RoleRequirement.weight,
        )
        .join(Competency)
        .where(RoleRequirement.role_id == role.id)
        .order_by(Competency.name)
    ):
        rows[comp_id] = CoverageRow(name, level, weight)
    modules = db.session.execute(
        db.select(
            ModuleOutcome.competency_id, Module.id, Module.key, Module.title, ModuleOutcome.level
        )
        .join(Module)
        .where(ModuleOutcome.competency_id.in_(rows), Module.archived_at.is_(None))
        .order_by(Module.title)
    ).all()
    paths: dict[int, list[str]] = {}
    for module_id, name in db.session.execute(
        db.select(PathModule.module_id, LearningPath.name)
        .join(LearningPath)
        .where(LearningPath.archived_at.is_(None))
        .order_by(LearningPath.name)
    ):
        paths.setdefault(module_id, []).append(name)
    for comp_id, module_id, mkey, title, level in modules:
        row = rows[comp_id]
        if level >= row.required:
            row.modules.append((mkey, title, level))
            row.paths += [p for p in paths.get(module_id, []) if p not in row.paths]
    return render_template("authoring/coverage.html", role=role, rows=list(rows.values()))
