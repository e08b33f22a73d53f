"""The layers hold: reads and operations reach into no surface; surfaces take figures from reads.

Data flows one way (STYLE.md): request -> view (web, API, CLI) -> policy -> operations / reads ->
domain. Read from the source with `ast`, so an import inside a function counts too:

- tracker/reads and tracker/operations import no blueprint module (a module that makes a
  Blueprint or adds routes to one, or any module of a package whose `__init__` does) and none of
  Flask's request globals (`request`, `session`, `g`, flask_login's `current_user`): what a read
  or a write needs is passed in.
- A view (a module under tracker/ that adds a route to a Blueprint) imports no rule function of
  tracker.readiness or tracker.forecast, nor those modules whole: its figures come from
  tracker.reads. Their types (Band, PathStatus, ...) are fine to name.
"""

from __future__ import annotations

import ast
from functools import cache
from pathlib import Path

import pytest

import tracker

TRACKER = Path(tracker.__file__).parent
ROUTE_DECORATORS = {"route", "get", "post", "put", "patch", "delete"}
REQUEST_GLOBALS = {("flask", "request"), ("flask", "session"), ("flask", "g")}
REQUEST_GLOBALS |= {("flask_login", "current_user")}
RULE_MODULES = ("tracker.readiness", "tracker.forecast")


@cache
def modules() -> dict[str, ast.Module]:
    """Every module of the tracker package by dotted name, parsed."""
    out = {}
    for path in sorted(TRACKER.rglob("*.py")):
        parts = path.relative_to(TRACKER.parent).with_suffix("").parts
        if parts[-1] == "__init__":
            parts = parts[:-1]
        out[".".join(parts)] = ast.parse(path.read_text(encoding="utf-8"), str(path))
    return out


@cache
def packages() -> frozenset[str]:
    return frozenset(
        ".".join(p.relative_to(TRACKER.parent).parent.parts) for p in TRACKER.rglob("__init__.py")
    )


def imports(name: str, tree: ast.Module) -> list[tuple[str, str | None, int]]:
    """(module, name imported from it or None, line) for every import, relative ones resolved."""
    package = name if name in packages() else name.rpartition(".")[0]
    out: list[tuple[str, str | None, int]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out += [(alias.name, None, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parent, *([base] if base else [])])
            out += [(base, alias.name, node.lineno) for alias in node.names]
    return out


def adds_routes(tree: ast.Module) -> bool:
    """True when the module decorates a view with `<blueprint>.route/get/post/...`."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            for decorator in node.decorator_list:
                call = decorator.func if isinstance(decorator, ast.Call) else decorator
                if isinstance(call, ast.Attribute) and call.attr in ROUTE_DECORATORS:
                    return True
        if (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Attribute)
            and node.func.attr == "add_url_rule"
        ):
            return True
    return False


def makes_blueprint(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.Call)
        and (getattr(node.func, "id", None) or getattr(node.func, "attr", None)) == "Blueprint"
        for node in ast.walk(tree)
    )


@cache
def blueprint_modules() -> frozenset[str]:
    return frozenset(
        name for name, tree in modules().items() if makes_blueprint(tree) or adds_routes(tree)
    )


def views() -> list[str]:
    return sorted(name for name, tree in modules().items() if adds_routes(tree))


def is_blueprint(module: str) -> bool:
    """True for a blueprint module, or a module of a package below tracker/ that is one."""
    parts = module.split(".")
    return any(".".join(parts[:n]) in blueprint_modules() for n in range(2, len(parts) + 1))


@cache
def rule_functions() -> dict[str, frozenset[str]]:
    """The functions each rule module defines at its top level."""
    return {
        name: frozenset(
            node.name
            for node in modules()[name].body
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        )
        for name in RULE_MODULES
    }


def layer(prefix: str) -> list[str]:
    return sorted(n for n in modules() if n == prefix or n.startswith(prefix + "."))


READS_AND_OPERATIONS = layer("tracker.reads") + layer("tracker.operations")


def test_the_layers_are_found():
    """The walk sees what the other tests rely on: blueprints, views, reads and rules."""
    assert {"tracker.team", "tracker.engineer", "tracker.api.teams"} <= blueprint_modules()
    assert {"tracker.team.dashboard", "tracker.api.teams", "tracker.main"} <= set(views())
    assert "tracker.reads.team" in READS_AND_OPERATIONS
    assert "tracker.operations" in READS_AND_OPERATIONS
    assert {"readiness", "band"} <= rule_functions()["tracker.readiness"]
    assert "projected_ready_count" in rule_functions()["tracker.forecast"]
    assert not any(is_blueprint(n) for n in READS_AND_OPERATIONS)


@pytest.mark.parametrize("name", READS_AND_OPERATIONS)
def test_reads_and_operations_import_no_blueprint_nor_request_globals(name):
    wrong = []
    for module, imported, line in imports(name, modules()[name]):
        full = f"{module}.{imported}" if imported else module
        if is_blueprint(module) or (imported and is_blueprint(full)):
            wrong.append(f"line {line}: imports the blueprint module {full}")
        if (module, imported) in REQUEST_GLOBALS:
            wrong.append(f"line {line}: imports {full}, a global of the request")
        if imported is None and module in ("flask", "flask_login"):
            wrong.append(f"line {line}: imports {module} whole, its request globals with it")
    assert not wrong, f"{name}: " + "; ".join(wrong)


@pytest.mark.parametrize("name", views())
def test_views_take_figures_from_reads_not_from_the_rules(name):
    wrong = []
    for module, imported, line in imports(name, modules()[name]):
        full = f"{module}.{imported}" if imported else module
        if full in RULE_MODULES:
            wrong.append(f"line {line}: imports the rule module {full}")
        elif module in RULE_MODULES and imported in rule_functions()[module]:
            wrong.append(f"line {line}: imports the rule {full}")
    assert not wrong, f"{name}: " + "; ".join(wrong)
