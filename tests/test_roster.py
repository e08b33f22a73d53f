"""`flask roster import` and the roster page: all or nothing, every bad row by line and column."""

import io

import pytest

from tracker.extensions import db
from tracker.models import AuditEvent, Role, Team, TeamManager, User

HEADER = "email,name,team,manager_email,roles\n"
GOOD = HEADER + (
    "lead@corp.test,Lee Lead,Payments,,manager;engineer\n"
    "ana@corp.test,Ana Ng,Payments,lead@corp.test,engineer\n"
    "bo@corp.test,Bo Berg,,,ld\n"
)


def counts():
    return tuple(
        db.session.scalar(db.select(db.func.count()).select_from(model))
        for model in (User, Team, TeamManager)
    )


@pytest.fixture
def roster_file(tmp_path):
    def write(text, name="roster.csv", encoding="utf-8"):
        path = tmp_path / name
        path.write_bytes(text.encode(encoding))
        return str(path)

    return write


def test_a_good_roster_adds_people_teams_and_manager_links(runner, roster_file):
    result = runner.invoke(args=["roster", "import", roster_file(GOOD)])
    assert result.exit_code == 0, result.output
    assert "3 added" in result.output and "1 teams created" in result.output
    people = {u.email: u for u in db.session.scalars(db.select(User))}
    assert people["lead@corp.test"].roles == {Role.MANAGER, Role.ENGINEER}
    assert people["ana@corp.test"].password_hash is None
    payments = db.session.scalar(db.select(Team).where(Team.name == "Payments"))
    assert people["ana@corp.test"].team_id == payments.id
    assert people["bo@corp.test"].team_id is None
    assert db.session.get(TeamManager, (payments.id, people["lead@corp.test"].id))
    assert "roster.imported" in db.session.scalars(db.select(AuditEvent.action)).all()


def test_importing_the_same_roster_again_changes_nothing(runner, roster_file):
    runner.invoke(args=["roster", "import", roster_file(GOOD)])
    result = runner.invoke(args=["roster", "import", roster_file(GOOD)])
    assert (
        "0 added, 0 changed, 3 unchanged; 0 teams created, 0 manager links added" in result.output
    )


def test_an_update_changes_only_what_differs_and_keeps_passwords(runner, roster_file, make_user):
    user = make_user(email="ana@corp.test", name="Old Name")
    old_hash = user.password_hash
    result = runner.invoke(args=["roster", "import", roster_file(GOOD)])
    assert "change ana@corp.test: name, team" in result.output
    db.session.refresh(user)
    assert user.name == "Ana Ng" and user.password_hash == old_hash


def test_a_dry_run_reports_and_changes_nothing(runner, roster_file):
    result = runner.invoke(args=["roster", "import", "--dry-run", roster_file(GOOD)])
    assert result.exit_code == 0
    assert "Dry run" in result.output and "add ana@corp.test" in result.output
    assert counts() == (0, 0, 0)


@pytest.mark.parametrize(
    "row,message",
    [
        ("not-an-email,X,,,engineer", "line 2, column email"),
        ("x@corp.test,,,,engineer", "line 2, column name"),
        ("x@corp.test,X,,,wizard", "line 2, column roles: unknown role wizard"),
        ("x@corp.test,X,,,", "line 2, column roles: at least one role"),
        ("x@corp.test,X,Data,ghost@corp.test,engineer", "ghost@corp.test is neither in the file"),
        ("x@corp.test,X,,lead@corp.test,engineer", "a manager needs a team"),
        (
            "x@corp.test,X,Data,y@corp.test,engineer\ny@corp.test,Y,,,engineer",
            "y@corp.test does not have the manager role",
        ),
        (
            "x@corp.test,X,,,engineer\nX@corp.test,X2,,,engineer",
            "line 3, column email: x@corp.test is also on line 2",
        ),
        ("x@corp.test,X,,,engineer,extra", "line 2: more fields than the header"),
    ],
)
def test_each_kind_of_bad_row_is_reported_and_nothing_is_applied(runner, roster_file, row, message):
    text = HEADER + row + "\nok@corp.test,Fine,Data,,engineer\n"
    result = runner.invoke(args=["roster", "import", roster_file(text)])
    assert result.exit_code != 0
    assert message in result.output
    assert "nothing was imported" in result.output.splitlines()[0]
    assert counts() == (0, 0, 0)


def test_every_bad_row_is_reported_not_just_the_first(runner, roster_file):
    text = HEADER + "bad,X,,,engineer\nalso-bad,Y,,,engineer\n"
    result = runner.invoke(args=["roster", "import", roster_file(text)])
    assert "line 2, column email" in result.output and "line 3, column email" in result.output


def test_a_manager_already_in_the_database_can_be_named(runner, roster_file, make_user):
    make_user(email="boss@corp.test", roles=[Role.MANAGER])
    text = HEADER + "x@corp.test,X,Data,boss@corp.test,engineer\n"
    assert runner.invoke(args=["roster", "import", roster_file(text)]).exit_code == 0


def test_a_wrong_header_is_refused(runner, roster_file):
    result = runner.invoke(args=["roster", "import", roster_file("mail,name\nx@corp.test,X\n")])
    assert result.exit_code != 0
    assert "line 1, column email: missing" in result.output
    assert "line 1, column mail: not a roster column" in result.output


def test_a_byte_order_mark_is_accepted(runner, roster_file):
    path = roster_file("\ufeff" + GOOD)
    assert runner.invoke(args=["roster", "import", path]).exit_code == 0


def test_a_missing_or_undecodable_file_is_one_clear_line(runner, roster_file, tmp_path):
    missing = runner.invoke(args=["roster", "import", str(tmp_path / "nope.csv")])
    assert missing.exit_code != 0 and "cannot read" in missing.output
    latin = runner.invoke(
        args=[
            "roster",
            "import",
            roster_file(GOOD + "é@corp.test,É,,,engineer\n", encoding="latin-1"),
        ]
    )
    assert latin.exit_code != 0 and "cannot read" in latin.output


def test_the_roster_page_imports_and_reports(client, make_user, login_as):
    login_as(make_user(roles=[Role.ADMIN]))
    dry = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(GOOD.encode()), "r.csv"), "dry_run": "y"},
        content_type="multipart/form-data",
    )
    assert dry.status_code == 200 and "would make" in dry.get_data(as_text=True)
    assert counts()[0] == 1
    done = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(GOOD.encode()), "r.csv")},
        content_type="multipart/form-data",
    )
    assert done.status_code == 303  # a reload of the next page imports nothing again
    assert "Imported." in client.get(done.headers["Location"]).get_data(as_text=True)
    assert counts()[0] == 4


def test_the_roster_page_refuses_a_file_that_is_not_utf8_text(client, make_user, login_as):
    login_as(make_user(roles=[Role.ADMIN]))
    response = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(b"\xff\xfe\x00bad"), "r.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "not UTF-8 text" in response.get_data(as_text=True)


def test_people_a_roster_import_adds_are_invited(client, make_user, login_as, caplog):
    from tracker.models import LinkPurpose, OneTimeLink

    admin = make_user(roles=[Role.ADMIN])
    make_user(email="ana@corp.test", name="Ana Ng")  # already here: not invited again
    login_as(admin)
    done = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(GOOD.encode()), "r.csv")},
        content_type="multipart/form-data",
    )
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Invitations to set a password sent to 2 new people." in page
    invited = db.session.scalars(
        db.select(User.email)
        .join(OneTimeLink, OneTimeLink.user_id == User.id)
        .where(OneTimeLink.purpose == LinkPurpose.INVITATION)
    ).all()
    assert sorted(invited) == ["bo@corp.test", "lead@corp.test"]
    assert "to=lead@corp.test subject=You are invited to Tracker" in caplog.text


def test_a_failed_invitation_keeps_the_import_and_names_whom_to_invite(
    client, make_user, login_as, monkeypatch
):
    from tracker import mailer

    def refuse_bo(to, subject, body):
        if to == "bo@corp.test":
            raise OSError("mail server unreachable")

    monkeypatch.setattr(mailer, "send", refuse_bo)
    login_as(make_user(roles=[Role.ADMIN]))
    done = client.post(
        "/admin/roster",
        data={"file": (io.BytesIO(GOOD.encode()), "r.csv")},
        content_type="multipart/form-data",
    )
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "sent to 2 new people" in page
    assert "No invitation could be sent to bo@corp.test: invite them from their page." in page
    assert counts()[0] == 4  # everyone imported
