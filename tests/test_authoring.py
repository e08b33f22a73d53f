"""L&D author the catalogue in the browser: the same rules as the file, archive keeps history."""

import io
import re
from datetime import date

import pytest

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import (
    AuditEvent,
    Competency,
    Evidence,
    EvidenceKind,
    EvidenceStatus,
    LearningPath,
    Module,
    ModuleOutcome,
    PathPrerequisite,
    Role,
    RoleRequirement,
    TargetRole,
)


@pytest.fixture
def author(client, make_user, login_as):
    login_as(make_user(roles=[Role.LD]))
    return client


@pytest.fixture
def small(app):
    import_text(SMALL, "small.yaml")
    db.session.commit()


def by_key(model, key):
    return db.session.scalar(db.select(model).where(model.key == key))


def test_create_a_competency(author):
    response = author.post(
        "/catalogue/competencies/new",
        data={
            "key": "feature-engineering",
            "name": "Feature engineering",
            "family": "data",
            "description": "Turning raw data into model inputs.",
        },
    )
    assert response.status_code == 302
    assert by_key(Competency, "feature-engineering").name == "Feature engineering"


def test_a_bad_key_is_refused_with_the_field_named(author):
    response = author.post(
        "/catalogue/competencies/new",
        data={"key": "Feature Engineering", "name": "FE", "family": "data"},
    )
    assert response.status_code == 422
    assert "is not a key" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(Competency)) is None


def test_a_duplicate_key_is_refused(author, small):
    response = author.post(
        "/catalogue/competencies/new",
        data={"key": "model-evaluation", "name": "Again", "family": "data"},
    )
    assert response.status_code == 422
    assert "already has the key" in response.get_data(as_text=True)
    assert by_key(Competency, "model-evaluation").name == "Model evaluation"


def test_edit_a_role_requirements_table(author, small):
    response = author.post(
        "/catalogue/roles/ml-engineer",
        data={
            "key": "ml-engineer",
            "name": "ML Engineer",
            "family": "data",
            "description": "",
            "requires-0-competency": "model-evaluation",
            "requires-0-level": "4",
            "requires-0-weight": "3",
            "requires-1-competency": "",
            "requires-1-level": "",
            "requires-1-weight": "1",
        },
    )
    assert response.status_code == 302
    role = by_key(TargetRole, "ml-engineer")
    requirements = db.session.scalars(
        db.select(RoleRequirement).where(RoleRequirement.role_id == role.id)
    ).all()
    assert [(r.level, r.weight) for r in requirements] == [(4, 3)]


def test_a_level_outside_one_to_four_names_the_row_in_words(author, small):
    response = author.post(
        "/catalogue/modules/capstone",
        data={
            "key": "capstone",
            "title": "Capstone",
            "url": "https://example.org/capstone",
            "hours": "20",
            "assessment_kind": "project",
            "pass_mark": "60",
            "develops-0-competency": "model-evaluation",
            "develops-0-level": "",
        },
    )
    assert response.status_code == 422
    assert "Row 1: choose a level, 1 (Aware) to 4 (Expert)." in response.get_data(as_text=True)
    outcomes = db.session.scalars(
        db.select(ModuleOutcome).where(ModuleOutcome.module_id == by_key(Module, "capstone").id)
    ).all()
    assert len(outcomes) == 2  # unchanged


def test_a_pass_mark_over_100_is_refused(author, small):
    response = author.post(
        "/catalogue/modules/capstone",
        data={
            "key": "capstone",
            "title": "Capstone",
            "hours": "20",
            "assessment_kind": "quiz",
            "pass_mark": "101",
        },
    )
    assert response.status_code == 422
    assert "must be 0 to 100" in response.get_data(as_text=True)
    assert by_key(Module, "capstone").pass_mark == 60


def test_a_prerequisite_cycle_is_refused_naming_the_modules(author, small):
    response = author.post(
        "/catalogue/paths/swe-to-mle",
        data={
            "key": "swe-to-mle",
            "name": "SWE to MLE",
            "role": "ml-engineer",
            "steps-0-module": "mlcc-classification",
            "steps-0-requires": ["capstone"],
            "steps-1-module": "capstone",
            "steps-1-requires": ["mlcc-classification"],
        },
    )
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "cycle: capstone -&gt; mlcc-classification -&gt; capstone" in page
    assert len(db.session.scalars(db.select(PathPrerequisite)).all()) == 2  # unchanged


def test_archiving_a_module_keeps_its_evidence_and_removes_it_from_choices(
    author, small, make_user
):
    engineer = make_user()
    capstone = by_key(Module, "capstone")
    db.session.add(
        Evidence(
            user_id=engineer.id,
            module_id=capstone.id,
            kind=EvidenceKind.COMPLETION,
            date=date(2026, 1, 5),
            status=EvidenceStatus.VALID,
        )
    )
    db.session.commit()
    assert author.post("/catalogue/modules/capstone/archive").status_code == 302
    db.session.refresh(capstone)
    assert capstone.archived_at is not None
    assert db.session.scalar(db.select(Evidence).where(Evidence.module_id == capstone.id))
    new_path = author.get("/catalogue/paths/new").get_data(as_text=True)
    assert 'value="capstone"' not in new_path
    assert "capstone" not in author.get("/catalogue/modules/").get_data(as_text=True)
    assert "capstone" in author.get("/catalogue/modules/?archived=1").get_data(as_text=True)
    assert author.post("/catalogue/modules/capstone/restore").status_code == 302
    db.session.refresh(capstone)
    assert capstone.archived_at is None


def test_coverage_shows_uncovered_requirements(author, small):
    import_text(
        "version: 1\ncompetencies:\n  - {key: product-sense, name: Product sense, "
        "family: product}\nroles:\n  - key: ml-engineer\n    name: ML Engineer\n"
        "    family: data\n    requires:\n      - {competency: product-sense, level: 2}\n"
        "      - {competency: model-evaluation, level: 3}\n",
        "more.yaml",
    )
    db.session.commit()
    page = author.get("/catalogue/roles/ml-engineer/coverage").get_data(as_text=True)
    assert "Not covered: no module develops this to level 2" in page
    assert "Capstone" in page and "Software engineer to ML engineer" in page


def test_upload_and_download_the_catalogue_file(author):
    dry = author.post(
        "/catalogue/",
        data={"file": (io.BytesIO(SMALL.encode()), "c.yaml"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    assert dry.status_code == 200 and "would make" in dry.get_data(as_text=True)
    assert db.session.scalar(db.select(LearningPath)) is None
    done = author.post(
        "/catalogue/",
        data={"file": (io.BytesIO(SMALL.encode()), "c.yaml")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303  # a reload of the next page imports nothing again
    assert "Imported." in author.get(done.headers["Location"]).get_data(as_text=True)
    download = author.get("/catalogue/export")
    assert download.headers["Content-Disposition"] == 'attachment; filename="catalogue.yaml"'
    assert "swe-to-mle" in download.get_data(as_text=True)


def test_a_module_titled_with_a_script_tag_renders_as_text(author, small):
    author.post(
        "/catalogue/modules/new",
        data={
            "key": "xss",
            "title": "<script>alert(1)</script>",
            "hours": "1",
            "assessment_kind": "",
        },
    )
    page = author.get("/catalogue/modules/").get_data(as_text=True)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)</script>" not in page


def test_catalogue_search_matches_wildcards_as_text(author, small):
    everything = author.get("/catalogue/modules/", query_string={"q": "%"}).get_data(as_text=True)
    assert "Pipelines" not in everything and "Capstone" not in everything
    found = author.get("/catalogue/modules/", query_string={"q": "pipe"}).get_data(as_text=True)
    assert "Pipelines" in found and "Capstone" not in found


def test_catalogue_changes_on_the_pages_are_audited_with_who_made_them(author, small):
    author.post(
        "/catalogue/competencies/new",
        data={"key": "feature-engineering", "name": "Feature engineering", "family": "data"},
    )
    assert author.post("/catalogue/modules/capstone/archive").status_code == 302
    events = db.session.execute(
        db.select(AuditEvent.action, AuditEvent.target, AuditEvent.actor_email)
        .where(AuditEvent.actor_email.is_not(None))
        .order_by(AuditEvent.id)
    ).all()
    assert [(action, target) for action, target, _ in events] == [
        ("catalog.imported", "page:competencies/feature-engineering"),
        ("catalog.archived", "modules/capstone"),
    ]
    assert len({email for _, _, email in events}) == 1


def _options(page: str, name: str) -> set[str]:
    """Return the values offered by the select named `name` in `page`."""
    select = re.search(rf'<select[^>]*name="{re.escape(name)}"[^>]*>(.*?)</select>', page, re.S)
    assert select, name
    return set(re.findall(r'<option[^>]*value="([^"]*)"', select.group(1)))


def test_a_step_needs_first_only_other_modules_of_its_path(author):
    """The path editor offers as prerequisites the path's own modules, never the step itself."""
    extra = """\
  - key: statistics-101
    title: Statistics
    url: https://example.org/statistics
    hours: 2
    develops:
      - {competency: model-evaluation, level: 1}
paths:
"""
    import_text(SMALL.replace("paths:\n", extra, 1), "small.yaml")
    db.session.commit()
    page = author.get("/catalogue/paths/swe-to-mle").get_data(as_text=True)
    on_path = {"mlcc-classification", "pipelines-101", "capstone"}
    assert _options(page, "steps-0-module") == on_path | {"", "statistics-101"}
    assert _options(page, "steps-0-requires") == on_path - {"mlcc-classification"}
    assert _options(page, "steps-2-requires") == on_path - {"capstone"}
    assert _options(page, "steps-3-requires") == on_path  # a blank row: the path's modules


def test_a_missing_pass_mark_is_named_in_words(author):
    response = author.post(
        "/catalogue/modules/new",
        data={
            "key": "quiz-101",
            "title": "Quiz",
            "url": "https://example.org/quiz",
            "hours": "2",
            "assessment_kind": "quiz",
            "pass_mark": "",
        },
    )
    assert response.status_code == 422
    words = re.sub(r"<[^>]+>", " ", response.get_data(as_text=True))  # what a reader sees
    assert "Pass mark is required." in words
    assert "pass_mark" not in words
