"""Nudges: notices after a decision, and the digest for managers and quiet engineers."""

from datetime import timedelta

from tests.catalogue_fixtures import SMALL
from tracker import clock
from tracker.catalogue.service import import_text
from tracker.extensions import db
from tracker.models import Evidence, EvidenceKind, EvidenceStatus, Module, Notification, Role


def test_a_notice_shows_on_the_home_page_until_read(client, make_user, login_as):
    user = make_user()
    db.session.add(Notification(user_id=user.id, message="Lee verified your evidence #3"))
    db.session.commit()
    login_as(user)
    assert "Lee verified your evidence #3" in client.get("/").get_data(as_text=True)
    assert client.post("/notifications/read").status_code == 302
    assert "Lee verified your evidence #3" not in client.get("/").get_data(as_text=True)


def test_the_digest_mails_managers_and_quiet_engineers(runner, make_user, make_team, caplog):
    import_text(SMALL, "small.yaml")
    lead = make_user(email="lead@corp.test", roles=[Role.MANAGER])
    busy = make_user(email="busy@corp.test")
    make_user(email="quiet@corp.test")
    make_team(managers=[lead], members=[busy])
    module = db.session.scalar(db.select(Module.id).where(Module.key == "pipelines-101"))
    db.session.add(
        Evidence(
            user_id=busy.id,
            module_id=module,
            kind=EvidenceKind.COMPLETION,
            date=clock.today() - timedelta(days=2),
            status=EvidenceStatus.PENDING,
        )
    )
    db.session.commit()
    with caplog.at_level("WARNING", logger="tracker.mail"):
        result = runner.invoke(args=["notify", "digest"])
    assert result.exit_code == 0 and "Sent 2 digest messages." in result.output
    mails = " ".join(r.getMessage() for r in caplog.records)
    assert "to=lead@corp.test subject=Evidence to verify: 1" in mails
    assert "to=quiet@corp.test" in mails and "to=busy@corp.test" not in mails
    assert "http://127.0.0.1:5000/team/verify" in mails
