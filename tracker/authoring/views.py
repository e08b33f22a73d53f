"""L&D pages: list, create, edit, archive and restore catalogue items; the role coverage view."""

from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from tracker import audit, policy
from tracker.authoring import bp
from tracker.authoring.editing import (
    LABELS,
    MODELS,
    fill_rows,
    kind_or_404,
    row_or_404,
    save,
    set_choices,
)
from tracker.authoring.forms import FORMS
from tracker.catalogue.exporter import export_data
from tracker.extensions import db
from tracker.models import utcnow
from tracker.policy import allowed_by

TITLE = {"competencies": "name", "roles": "name", "modules": "title", "paths": "name"}


@bp.get("/<kind>/")
@allowed_by(policy.may_edit_catalogue)
def items(kind: str) -> str:
    """List one kind of catalogue item, with search and the archived ones on request."""
    model = kind_or_404(kind)
    q = request.args.get("q", "").strip().lower()
    archived = request.args.get("archived") == "1"
    title = getattr(model, TITLE[kind])
    query = db.select(model).order_by(title)
    if q:
        query = query.where(  # matched as text: % and _ are not wildcards
            db.or_(
                db.func.lower(title).contains(q, autoescape=True),
                model.key.contains(q, autoescape=True),
            )
        )
    if not archived:
        query = query.where(model.archived_at.is_(None))
    rows = db.session.scalars(query).all()
    return render_template(
        "authoring/items.html",
        kind=kind,
        label=LABELS[kind],
        rows=rows,
        title_field=TITLE[kind],
        q=q,
        archived=archived,
    )


def _edit(kind: str, row: Any | None) -> Response | str | tuple[str, int]:
    form_class = FORMS[kind]
    current: dict[str, Any] = {}
    if row is not None:
        current = next((i for i in export_data()[kind] if i["key"] == row.key), {})
    if request.method == "POST":
        form = form_class()
    else:
        form = form_class(
            data={k: v for k, v in current.items() if k not in ("requires", "develops", "modules")}
        )
        if kind == "modules" and current.get("assessment"):
            form.assessment_kind.data = current["assessment"]["kind"]
            form.pass_mark.data = current["assessment"]["pass_mark"]
        fill_rows(kind, form, current)
    if row is not None:
        form.key.data = row.key  # keys are fixed once created
    set_choices(kind, form, current or (form.item() if request.method == "POST" else {}))
    if form.validate_on_submit():
        item = form.item()
        taken = (
            row is None
            and db.session.scalar(db.select(MODELS[kind].id).where(MODELS[kind].key == item["key"]))
            is not None
        )
        report, errors = save(kind, item, taken)
        if report is not None:
            db.session.commit()
            flash(f"Saved the {LABELS[kind]} {item['key']}.", "success")
            return redirect(url_for("authoring.edit", kind=kind, key=item["key"]))
        for name, messages in errors.items():
            target = getattr(form, name, None)
            (
                target.errors
                if target is not None and isinstance(target.errors, list)
                else form.form_errors
            ).extend(messages)
        return render_template(
            "authoring/edit.html", form=form, kind=kind, row=row, label=LABELS[kind]
        ), 422
    status = 422 if request.method == "POST" else 200  # the form names what is wrong
    page = render_template("authoring/edit.html", form=form, kind=kind, row=row, label=LABELS[kind])
    return page, status


@bp.route("/<kind>/new", methods=["GET", "POST"])
@allowed_by(policy.may_edit_catalogue)
def new(kind: str) -> Response | str | tuple[str, int]:
    """Create a catalogue item."""
    kind_or_404(kind)
    return _edit(kind, None)


@bp.route("/<kind>/<key>", methods=["GET", "POST"])
@allowed_by(policy.may_edit_catalogue)
def edit(kind: str, key: str) -> Response | str | tuple[str, int]:
    """Change a live catalogue item; an archived one is shown with a way to restore it."""
    row = row_or_404(kind, key)
    if row.archived_at is not None:
        return render_template("authoring/archived.html", kind=kind, row=row, label=LABELS[kind])
    return _edit(kind, row)


def _set_archived(kind: str, key: str, archived: bool) -> Response:
    row = row_or_404(kind, key)
    row.archived_at = utcnow() if archived else None
    audit.record("catalog.archived" if archived else "catalog.restored", f"{kind}/{key}")
    db.session.commit()
    flash(
        f"{'Archived' if archived else 'Restored'} the {LABELS[kind]} {key}. Its history stays.",
        "success",
    )
    return redirect(url_for("authoring.items", kind=kind))


@bp.post("/<kind>/<key>/archive")
@allowed_by(policy.may_edit_catalogue)
def archive(kind: str, key: str) -> Response:
    """Archive an item: it leaves every choice, and keeps its history and old evidence."""
    return _set_archived(kind, key, True)


@bp.post("/<kind>/<key>/restore")
@allowed_by(policy.may_edit_catalogue)
def restore(kind: str, key: str) -> Response:
    """Bring an archived item back."""
    return _set_archived(kind, key, False)
