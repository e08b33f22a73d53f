"""The company view: teams x roles, hire or train over every team, and module insight."""

from datetime import date, timedelta

from tracker import clock
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module, Role, utcnow
from tracker.reads.company import TargetLine, _totals, module_insight


def test_ld_sees_ready_and_nearly_ready_by_team_and_role(client, login_as, make_user, scored_team):
    html = login_as(make_user(roles=[Role.LD])).get("/team/company").get_data(as_text=True)
    assert '<th scope="row">Payments</th>' in html
    # one ready for ML Engineer, none nearly ready
    assert 'data-role="ml-engineer" data-ready="1" data-nearly="0">1 / 0</td>' in html
    assert "hire or move 1" in html


def test_module_insight_counts_pass_rate_hours_and_rejections(app, make_user, scored_team):
    engineer = make_user()
    module = db.session.scalar(db.select(Module).where(Module.key == "pipelines-101"))
    day = clock.today() - timedelta(days=3)
    for hours, status in (
        (2, EvidenceStatus.VERIFIED),
        (4, EvidenceStatus.REJECTED),
        (9, EvidenceStatus.WITHDRAWN),
    ):
        db.session.add(
            Evidence(
                user_id=engineer.id,
                module_id=module.id,
                date=day,
                kind=EvidenceKind.COMPLETION,
                hours=hours,
                status=status,
                decided_at=None if status is EvidenceStatus.WITHDRAWN else utcnow(),
            )
        )
    db.session.commit()
    insight = {m.key: m for m in module_insight()}
    pipelines = insight["pipelines-101"]
    assert pipelines.completions == 2 and pipelines.rejection_rate == 0.5
    assert pipelines.estimate == 4.5 and pipelines.median_hours == 3.0
    quiz = insight["mlcc-classification"]
    assert quiz.attempts == 2 and quiz.pass_rate == 1.0


def test_two_targets_that_tie_give_the_same_total_whatever_order_they_come_in():
    by = date(2027, 3, 1)
    small = TargetLine("Payments", "ml-engineer", 1, by, 2, 0)
    large = TargetLine("Payments", "ml-engineer", 2, by, 2, 0)
    assert _totals([small, large]) == _totals([large, small])
    assert _totals([small, large])["ml-engineer"].count == 2  # the target that asks most
