"""The catalogue file: upsert by key, all or nothing, every problem with its line and field."""

import json

import pytest
import yaml

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.exporter import export_text
from tracker.catalogue.service import import_text
from tracker.catalogue.validate import CatalogueError
from tracker.extensions import db
from tracker.models import (
    AssessmentKind,
    AuditEvent,
    Competency,
    LearningPath,
    Module,
    ModuleOutcome,
    PathModule,
    PathPrerequisite,
    RoleRequirement,
    TargetRole,
)

TABLES = (
    Competency,
    TargetRole,
    RoleRequirement,
    Module,
    ModuleOutcome,
    LearningPath,
    PathModule,
    PathPrerequisite,
)


def row_counts():
    return [db.session.scalar(db.select(db.func.count()).select_from(t)) for t in TABLES]


def load(text=SMALL, name="catalogue.yaml"):
    report = import_text(text, name)
    db.session.commit()
    return report


def test_import_creates_every_item_with_its_details(app):
    report = load()
    assert report.sections["modules"].added == ["mlcc-classification", "pipelines-101", "capstone"]
    capstone = db.session.scalar(db.select(Module).where(Module.key == "capstone"))
    assert capstone.assessment_kind is AssessmentKind.PROJECT and capstone.pass_mark == 60
    pipelines = db.session.scalar(db.select(Module).where(Module.key == "pipelines-101"))
    assert pipelines.requires_verification and float(pipelines.hours) == 4.5
    assert row_counts() == [2, 1, 2, 3, 4, 1, 3, 2]
    assert "catalog.imported" in db.session.scalars(db.select(AuditEvent.action)).all()


def test_importing_twice_changes_nothing_the_second_time(app):
    load()
    again = load()
    assert not again.has_changes
    assert again.sections["modules"].unchanged == 3


def test_export_then_import_is_the_identity(app):
    load()
    exported = export_text()
    assert not load(exported).has_changes
    assert export_text() == exported
    assert yaml.safe_load(exported)["paths"][0]["prerequisites"] == {
        "capstone": ["mlcc-classification", "pipelines-101"]
    }


def test_json_with_the_same_shape_is_accepted(app):
    load(json.dumps(yaml.safe_load(SMALL)), "catalogue.json")
    assert row_counts()[0] == 2
    assert json.loads(export_text("json")) == yaml.safe_load(export_text())


def test_an_update_changes_only_what_the_file_says_and_leaves_the_rest(app):
    load()
    update = """\
version: 1
modules:
  - key: capstone
    title: "Capstone: a model trained and evaluated against a baseline"
    url: https://example.org/capstone-v2
    hours: 20
    develops:
      - {competency: model-evaluation, level: 3}
    assessment: {kind: project, pass_mark: 65}
"""
    report = load(update)
    assert report.sections["modules"].changed == {"capstone": ["url", "pass_mark", "develops"]}
    assert row_counts() == [2, 1, 2, 3, 3, 1, 3, 2]  # nothing else touched, nothing deleted
    assert db.session.scalar(db.select(Competency).where(Competency.key == "ml-pipelines"))


def test_a_dry_run_reports_and_changes_nothing(runner, tmp_path):
    path = tmp_path / "catalogue.yaml"
    path.write_text(SMALL)
    result = runner.invoke(args=["catalog", "import", "--dry-run", str(path)])
    assert result.exit_code == 0, result.output
    assert "Dry run" in result.output and "+ capstone" in result.output
    assert row_counts() == [0] * 8


def mutate(old, new, text=SMALL):
    assert old in text
    return text.replace(old, new, 1)


BAD_FILES = [
    (
        mutate("level: 3, weight: 2", "level: 5, weight: 2"),
        "line 16: roles[0].requires[0].level: must be 1 to 4",
    ),
    (
        mutate("pass_mark: 70", "pass_mark: 101"),
        "line 27: modules[0].assessment.pass_mark: must be 0 to 100",
    ),
    (
        mutate("family: platform", "family: science"),
        "line 9: competencies[1].family: unknown family 'science'",
    ),
    (
        mutate("kind: quiz", "kind: exam"),
        "line 26: modules[0].assessment.kind: unknown assessment kind 'exam'",
    ),
    (
        mutate("{competency: ml-pipelines, level: 2}", "{competency: ml-pipes, level: 2}"),
        "line 17: roles[0].requires[1].competency: unknown competency 'ml-pipes'",
    ),
    (
        mutate("key: ml-pipelines", "key: model-evaluation"),
        "line 7: competencies[1].key: duplicate key",
    ),
    (
        mutate(
            "prerequisites: {capstone: [mlcc-classification, pipelines-101]}",
            "prerequisites: {capstone: [pipelines-101], pipelines-101: [capstone]}",
        ),
        "prerequisites form a cycle: capstone -> pipelines-101 -> capstone",
    ),
    (
        mutate("    hours: 3\n", "    hours: 3\n    colour: blue\n"),
        "line 23: modules[0].colour: unknown field",
    ),
    (
        mutate("url: https://example.org/pipelines", "url: ftp://example.org/pipelines"),
        "line 30: modules[1].url: must be an http(s) link",
    ),
    (
        mutate("role: ml-engineer", "role: data-scientist"),
        "paths[0].role: unknown role 'data-scientist'",
    ),
    (
        mutate("key: capstone", "key: Capstone Project"),
        "modules[2].key: 'Capstone Project' is not a key",
    ),
    ("version: 1\nmodules: [\n", "malformed YAML"),
    (mutate("version: 1", "version: 2"), "line 1: version: must be 1"),
    ("- a list\n- not a mapping\n", "line 1: the file must be a mapping"),  # names no field
]


@pytest.mark.parametrize("text,message", BAD_FILES)
def test_each_kind_of_bad_file_is_refused_with_its_line_and_nothing_changes(app, text, message):
    load()
    before = row_counts()
    with pytest.raises(CatalogueError) as refused:
        import_text(text, "catalogue.yaml")
    db.session.rollback()
    assert any(message in line for line in refused.value.errors), refused.value.errors
    assert row_counts() == before


def test_every_problem_is_reported_not_only_the_first(app):
    text = mutate("pass_mark: 70", "pass_mark: 101", mutate("family: platform", "family: x"))
    with pytest.raises(CatalogueError) as refused:
        import_text(text, "catalogue.yaml")
    assert len(refused.value.errors) == 2


def test_a_file_may_refer_to_items_already_in_the_database(app):
    load()
    extra = """\
version: 1
modules:
  - key: extra
    title: Extra reading
    develops: [{competency: model-evaluation, level: 1}]
"""
    assert load(extra).sections["modules"].added == ["extra"]


def test_cli_reports_problems_and_exits_non_zero(runner, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(BAD_FILES[0][0])
    result = runner.invoke(args=["catalog", "import", str(bad)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("Error: 1 problem(s)")
    missing = runner.invoke(args=["catalog", "import", str(tmp_path / "nope.yaml")])
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_cli_export_writes_yaml_or_json_by_extension(runner, tmp_path, app):
    load()
    assert runner.invoke(args=["catalog", "export", str(tmp_path / "c.json")]).exit_code == 0
    assert json.loads((tmp_path / "c.json").read_text())["version"] == 1
    result = runner.invoke(args=["catalog", "export"])
    assert yaml.safe_load(result.output)["modules"][2]["key"] == "capstone"
