"""Team charts: real PNG and SVG, CSV of the same numbers, cached by what they show."""

import csv
import io

from tracker import clock
from tracker.csv_export import safe_cell
from tracker.extensions import cache, db
from tracker.models import EvidenceStatus, Role, TargetRole


def url(team, name, fmt, role="ml-engineer"):
    return f"/team/{team['team'].id}/charts/{name}.{fmt}?role={role}"


def test_charts_are_real_png_and_svg(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    for name in ("bands", "trend", "heatmap", "forecast"):
        png = client.get(url(scored_team, name, "png"))
        assert png.status_code == 200 and png.mimetype == "image/png"
        assert png.data.startswith(b"\x89PNG\r\n\x1a\n")
        svg = client.get(url(scored_team, name, "svg"))
        assert svg.mimetype == "image/svg+xml" and b"<svg" in svg.data


def test_the_csv_has_the_numbers_the_chart_draws(client, login_as, scored_team):
    response = login_as(scored_team["lead"]).get(url(scored_team, "bands", "csv"))
    assert response.mimetype == "text/csv" and response.headers["Cache-Control"] == "no-store"
    assert "filename*=UTF-8''Payments-bands-" in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["role", "ready", "nearly_ready", "in_progress", "not_started"]
    assert ["ML Engineer", "1", "0", "2", "1"] in rows


def test_the_weekly_trend_has_52_weeks_and_rises_when_evidence_arrives(
    client, login_as, scored_team
):
    response = login_as(scored_team["lead"]).get(url(scored_team, "trend", "csv"))
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))[1:]
    assert len(rows) == 52 and rows[-1][0] == clock.today().isoformat()
    assert rows[0][1] == "0" and rows[-1][1] == "1"  # ready: nobody a year ago, one today


def test_an_unchanged_chart_answers_304_and_new_evidence_changes_it(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    first = client.get(url(scored_team, "bands", "png"))
    etag = first.headers["ETag"]
    again = client.get(url(scored_team, "bands", "png"), headers={"If-None-Match": etag})
    assert again.status_code == 304
    assert cache.get(f"chart:{etag.strip(chr(34))}") == first.data
    scored_team["prove"](scored_team["people"][2], "capstone", 1, status=EvidenceStatus.VERIFIED)
    changed = client.get(url(scored_team, "bands", "png"), headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag


def test_another_teams_charts_are_closed(client, login_as, make_user, scored_team):
    client = login_as(make_user(roles=[Role.MANAGER]))
    for fmt in ("png", "svg", "csv"):
        assert client.get(url(scored_team, "trend", fmt)).status_code == 404


def test_unknown_chart_role_or_format_is_404(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    assert client.get(url(scored_team, "pie", "png")).status_code == 404
    assert client.get(url(scored_team, "bands", "gif")).status_code == 404
    assert client.get(url(scored_team, "bands", "png", role="wizard")).status_code == 404


def test_csv_cells_cannot_become_formulas():
    assert safe_cell("=HYPERLINK(1)") == "'=HYPERLINK(1)"
    for start in ("+", "-", "@", "\t", "\r", "\0"):
        assert safe_cell(start + "x") == "'" + start + "x"
    assert safe_cell("Payments") == "Payments" and safe_cell(-3) == -3


def test_a_role_name_with_a_formula_is_neutralised_in_the_csv(client, login_as, scored_team):
    role = db.session.scalar(db.select(TargetRole).where(TargetRole.key == "ml-engineer"))
    role.name = "=cmd|' /C calc'!A0"
    db.session.commit()
    response = login_as(scored_team["lead"]).get(url(scored_team, "bands", "csv"))
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[1][0] == "'=cmd|' /C calc'!A0"


def test_the_heatmap_has_each_engineers_levels_and_the_required_row(client, login_as, scored_team):
    response = login_as(scored_team["lead"]).get(url(scored_team, "heatmap", "csv"))
    rows = list(csv.reader(io.StringIO(response.get_data(as_text=True))))
    assert rows[0] == ["engineer", "ml-pipelines", "model-evaluation"]
    assert ["E0", "3", "3"] in rows and rows[-1] == ["required", "2", "3"]


def test_an_engineers_levels_chart_shows_demonstrated_required_and_claimed(
    client, login_as, scored_team
):
    engineer = scored_team["people"][0]
    client = login_as(scored_team["lead"])
    base = f"/progress/{engineer.id}/levels"
    rows = list(
        csv.reader(io.StringIO(client.get(f"{base}.csv?role=ml-engineer").get_data(as_text=True)))
    )
    assert rows[0] == ["competency", "demonstrated", "required", "claimed"]
    assert ["model-evaluation", "3", "3", "0"] in rows
    assert client.get(f"{base}.png").data.startswith(b"\x89PNG")
    assert b"<svg" in client.get(f"{base}.svg?role=ml-engineer").data


def test_a_cached_chart_is_not_recomputed(client, login_as, scored_team, monkeypatch):
    from tracker.team import chart_views

    client = login_as(scored_team["lead"])
    assert client.get(url(scored_team, "trend", "png")).status_code == 200
    calls = []
    monkeypatch.setattr(chart_views, "team_chart", lambda *a, **k: calls.append(a))
    again = client.get(url(scored_team, "trend", "png"))
    assert again.status_code == 200 and again.data.startswith(b"\x89PNG") and calls == []


def test_renaming_an_engineer_redraws_the_heatmap(client, login_as, scored_team):
    client = login_as(scored_team["lead"])
    first = client.get(url(scored_team, "heatmap", "png")).headers["ETag"]
    scored_team["people"][0].name = "Renamed"
    db.session.commit()
    assert client.get(url(scored_team, "heatmap", "png")).headers["ETag"] != first


def test_a_kept_chart_costs_two_statements_the_viewer_and_the_team(
    client, login_as, scored_team, count_statements
):
    """The viewer comes with their roles and the teams they manage (who may see the chart, as
    what audience); the team with its figures token and the catalogue's version (its key)."""
    client, chart = login_as(scored_team["lead"]), url(scored_team, "trend", "png")
    assert client.get(chart).status_code == 200  # drawn, kept
    db.session.expunge_all()  # as a new request's session: nobody loaded yet
    with count_statements() as sent:
        again = client.get(chart)
    assert again.status_code == 200 and again.data.startswith(b"\x89PNG")
    assert sent.count == 2, sent.statements
