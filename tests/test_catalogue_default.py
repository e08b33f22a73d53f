"""The default catalogue: grounded in public curricula, big enough, and every role reachable."""

import yaml

from tracker.catalogue.document import parse
from tracker.catalogue.service import default_catalogue_text
from tracker.catalogue.validate import KnownKeys, validate
from tracker.extensions import db
from tracker.models import LearningPath, Module


def spec():
    return validate(parse(default_catalogue_text(), "default_catalogue.yaml"), KnownKeys())


def test_it_meets_the_numbers():
    catalogue = spec()
    assert len(catalogue.competencies) >= 20
    assert len(catalogue.modules) >= 40
    assessed = [m for m in catalogue.modules if m.assessment]
    assert len(assessed) >= 10
    assert any(m.assessment[0] == "project" for m in assessed)
    assert {r.family for r in catalogue.roles} >= {"product", "data", "platform"}
    assert len(catalogue.roles) >= 4
    assert len(catalogue.paths) >= 4
    assert all(p.prerequisites for p in catalogue.paths)


def test_every_requirement_is_covered_on_its_roles_path():
    catalogue = spec()
    modules = {m.key: m for m in catalogue.modules}
    for path in catalogue.paths:
        role = next(r for r in catalogue.roles if r.key == path.role)
        reached = {}
        for key in path.modules:
            for competency, level in modules[key].develops:
                reached[competency] = max(reached.get(competency, 0), level)
        missing = [(c, lv) for c, lv, _ in role.requires if reached.get(c, 0) < lv]
        assert not missing, f"{path.key} cannot reach {role.key}: {missing}"


def test_project_assessments_ask_for_real_ml_work():
    projects = [m for m in spec().modules if m.assessment and m.assessment[0] == "project"]
    assert any("baseline" in m.title for m in projects)


def test_links_are_public_https_pages():
    data = yaml.safe_load(default_catalogue_text())
    assert all(m["url"].startswith("https://") for m in data["modules"])


def test_load_default_is_one_command_and_idempotent(runner):
    first = runner.invoke(args=["catalog", "load-default"])
    assert first.exit_code == 0, first.output
    assert db.session.scalar(db.select(db.func.count()).select_from(Module)) >= 40
    second = runner.invoke(args=["catalog", "load-default"])
    assert "0 added, 0 changed" in second.output
    assert db.session.scalar(db.select(db.func.count()).select_from(LearningPath)) >= 4
