"""A process keeps the catalogue it read only while the catalogue has not changed anywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine
from sqlalchemy.orm import Session

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import CatalogueVersion, Module, PathPrerequisite, RoleRequirement
from tracker.reads.catalogue import load_catalogue
from tracker.reads.versions import team_state


def token() -> str | None:
    return db.session.scalar(db.select(CatalogueVersion.token))


@pytest.fixture
def catalogue(app):
    import_text(SMALL, "small.yaml")
    db.session.commit()
    return load_catalogue()


def test_an_unchanged_catalogue_costs_one_statement_and_is_the_same_object(
    catalogue, count_statements
):
    with count_statements() as sent:
        again = load_catalogue()
    assert again is catalogue
    assert sent.count == 1


def test_a_team_page_reads_the_catalogue_version_in_the_teams_statement(
    catalogue, make_team, count_statements
):
    team_id = make_team(name="Payments").id
    with count_statements() as sent:
        state = team_state(team_id)
        again = load_catalogue(state.catalogue)
    assert state.catalogue == (token(), catalogue.steps_rules)
    assert again is catalogue
    assert sent.count == 1


def test_the_kept_catalogue_cannot_be_changed_by_a_caller(catalogue):
    with pytest.raises(TypeError):
        catalogue.names["capstone"] = "Something else"  # type: ignore[index]
    with pytest.raises(TypeError):
        del catalogue.modules["capstone"]  # type: ignore[attr-defined]
    assert load_catalogue().names["capstone"].startswith("Capstone")


EDITS = {
    "a module's title": ("title: Pipelines\n", "title: Pipelines for production\n"),
    "a requirement's level": (
        "{competency: ml-pipelines, level: 2}\nmodules:",
        "{competency: ml-pipelines, level: 3}\nmodules:",
    ),
    "a module's outcome": (
        "      - {competency: model-evaluation, level: 2}\n    assessment:\n      kind: quiz",
        "      - {competency: model-evaluation, level: 1}\n    assessment:\n      kind: quiz",
    ),
    "a path's steps": (
        "modules: [mlcc-classification, pipelines-101, capstone]",
        "modules: [pipelines-101, mlcc-classification, capstone]",
    ),
    "a path's prerequisites": (
        "prerequisites: {capstone: [mlcc-classification, pipelines-101]}",
        "prerequisites: {capstone: [mlcc-classification]}",
    ),
    "an assessment's kind": ("kind: quiz", "kind: project"),
}


@pytest.mark.parametrize("edit", sorted(EDITS))
def test_every_kind_of_catalogue_change_is_seen_at_once(catalogue, edit):
    before_token = token()
    old, new = EDITS[edit]
    assert old in SMALL
    import_text(SMALL.replace(old, new), "small.yaml")
    db.session.commit()
    assert token() != before_token
    after = load_catalogue()
    assert after is not catalogue and after != catalogue


@pytest.mark.parametrize("read", ["on its own", "with a team"])
def test_a_change_made_by_another_process_is_seen_by_this_one(
    app, catalogue, database_url, make_team, read
):
    team_id = make_team(name="Payments").id
    # Another worker: its own engine and session, the same database.
    other = create_engine(database_url)
    with Session(other) as session:
        module = session.scalar(db.select(Module).where(Module.key == "pipelines-101"))
        module.title = "Pipelines, renamed elsewhere"
        session.commit()
    other.dispose()
    db.session.rollback()  # this request starts afresh
    state = team_state(team_id)
    assert state is not None
    seen = load_catalogue() if read == "on its own" else load_catalogue(state.catalogue)
    assert seen.names["pipelines-101"] == "Pipelines, renamed elsewhere"


def test_a_change_rolled_back_leaves_the_catalogue_as_committed(catalogue):
    db.session.execute(db.delete(PathPrerequisite))
    requirement = db.session.scalars(db.select(RoleRequirement)).first()
    requirement.level = 1
    db.session.flush()
    assert load_catalogue().paths["swe-to-mle"].prerequisites == {}  # this transaction's view
    db.session.rollback()
    restored = load_catalogue()
    assert restored.paths["swe-to-mle"].prerequisites == catalogue.paths["swe-to-mle"].prerequisites
    assert restored.roles == catalogue.roles
