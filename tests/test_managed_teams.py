"""A page asks several times which teams its viewer manages; the database is asked once.

A page reads them with the viewer (`tracker.sessions.load_user`); other callers, the first
time they ask.

The answer is kept in the session until it writes anything, commits or rolls back, so a change
to who manages what is seen by the next question, whichever way it was written.
"""

import re

from sqlalchemy import delete, event, insert

from tracker import policy
from tracker.extensions import db
from tracker.models import Role, TeamManager


def asked(call):
    """Return how many statements `call` sent to the database, and its answer."""
    sent: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        sent.append(statement)

    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        answer = call()
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    return len(sent), answer


def test_a_page_reads_its_viewers_teams_once(client, login_as, make_user, make_team):
    lead = make_user(email="lead@corp.test", roles=[Role.MANAGER])
    team = make_team(name="North", managers=[lead], members=[make_user()])
    assert lead.has_role(Role.MANAGER)  # the person and their roles loaded
    assert asked(lambda: policy.managed_team_ids(lead)) == (1, {team.id})
    assert asked(lambda: policy.visible_team_ids(lead)) == (0, {team.id})
    assert asked(lambda: policy.may_set_targets(lead, team.id)) == (0, True)

    sent: list[str] = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        sent.append(" ".join(statement.split()))

    client, page = login_as(lead), f"/team/{team.id}/"
    db.session.expunge_all()  # as a new request's session: the viewer not loaded yet
    event.listen(db.engine, "before_cursor_execute", listener)
    try:
        assert client.get(page).status_code == 200
    finally:
        event.remove(db.engine, "before_cursor_execute", listener)
    alone = re.compile(r"FROM team_managers WHERE team_managers\.user_id = \S+$")  # any paramstyle
    with_viewer = re.compile(
        r"JOIN team_managers AS (\w+) ON users\.id = \1\.user_id WHERE users\.id = \S+$"
    )
    assert sum(bool(alone.search(statement)) for statement in sent) == 0, sent
    assert sum(bool(with_viewer.search(statement)) for statement in sent) == 1, sent


def test_a_change_of_who_manages_what_is_seen_at_once(make_user, make_team):
    lead = make_user(email="lead@corp.test", roles=[Role.MANAGER])
    north = make_team(name="North", managers=[lead])
    south = make_team(name="South")
    north_id, south_id = north.id, south.id
    assert policy.managed_team_ids(lead) == {north_id}

    db.session.add(TeamManager(team_id=south_id, user_id=lead.id))  # by the ORM, not committed
    db.session.flush()
    assert policy.managed_team_ids(lead) == {north_id, south_id}

    db.session.execute(delete(TeamManager).where(TeamManager.team_id == north_id))  # a statement
    assert policy.managed_team_ids(lead) == {south_id}

    db.session.rollback()
    assert policy.managed_team_ids(lead) == {north_id}

    db.session.execute(insert(TeamManager).values(team_id=south_id, user_id=lead.id))
    db.session.commit()
    assert policy.managed_team_ids(lead) == {north_id, south_id}
