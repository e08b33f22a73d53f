"""Claims are read as of a date, like everything else: a claim made today is not in June's view."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from tests.catalogue_fixtures import SMALL
from tracker.catalogue.service import import_text
from tracker.clock import today
from tracker.extensions import db
from tracker.models import Competency, Role, SelfAssessment

TODAY = today()
MONTH_AGO = TODAY - timedelta(days=30)


@pytest.fixture
def erin(app, make_user, make_team):
    import_text(SMALL, "small.yaml")
    erin = make_user(email="erin@corp.test", name="Erin")
    lead = make_user(email="lead@corp.test", name="Lee", roles=[Role.MANAGER])
    make_team(name="Payments", managers=[lead], members=[erin])
    return {"erin": erin, "lead": lead}


def competency_id(key: str) -> int:
    return db.session.scalar(db.select(Competency.id).where(Competency.key == key))


def claimed(client, user, as_of: date) -> dict[str, str]:
    response = client.get(
        f"/progress/{user.id}/levels.csv?role=ml-engineer&as_of={as_of.isoformat()}"
    )
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    return {row["competency"]: row["claimed"] for row in rows}


def test_a_claim_made_today_is_not_shown_in_an_earlier_view(client, login_as, erin):
    client = login_as(erin["erin"])
    form = {f"level-{competency_id('model-evaluation')}": "4"}
    assert client.post("/progress/self-assessment", data=form).status_code == 302
    assert claimed(client, erin["erin"], TODAY)["model-evaluation"] == "4"
    assert claimed(client, erin["erin"], MONTH_AGO)["model-evaluation"] == "0"


def test_a_changed_claim_shows_what_was_claimed_then(client, login_as, erin):
    key = competency_id("model-evaluation")
    long_ago = datetime.combine(TODAY - timedelta(days=40), time(9), tzinfo=UTC)
    db.session.add(
        SelfAssessment(user_id=erin["erin"].id, competency_id=key, level=2, claimed_at=long_ago)
    )
    db.session.commit()
    client = login_as(erin["erin"])
    client.post("/progress/self-assessment", data={f"level-{key}": "3"})
    levels = [
        e.level for e in db.session.scalars(db.select(SelfAssessment).order_by(SelfAssessment.id))
    ]
    assert levels == [2, 3]  # the earlier claim is kept, not overwritten
    manager = login_as(erin["lead"])
    assert claimed(manager, erin["erin"], MONTH_AGO)["model-evaluation"] == "2"
    assert claimed(manager, erin["erin"], TODAY)["model-evaluation"] == "3"


def test_saving_the_same_claim_again_adds_no_history(client, login_as, erin):
    client = login_as(erin["erin"])
    form = {f"level-{competency_id('model-evaluation')}": "2"}
    client.post("/progress/self-assessment", data=form)
    client.post("/progress/self-assessment", data=form)
    assert db.session.scalar(db.select(db.func.count(SelfAssessment.id))) == 1


def test_a_claim_counts_today_whatever_the_servers_time_zone(client, login_as, erin):
    # 02:00 UTC is 16:00 the day before in Honolulu, where this server's local clock is set.
    early = datetime.combine(TODAY, time(2), tzinfo=UTC).astimezone(ZoneInfo("Pacific/Honolulu"))
    with time_machine.travel(early, tick=False):
        assert date.today() == TODAY - timedelta(days=1)
        client = login_as(erin["erin"])
        form = {f"level-{competency_id('model-evaluation')}": "4"}
        assert client.post("/progress/self-assessment", data=form).status_code == 302
        response = client.get(f"/progress/{erin['erin'].id}/levels.csv?role=ml-engineer")
        rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert {row["competency"]: row["claimed"] for row in rows}["model-evaluation"] == "4"
