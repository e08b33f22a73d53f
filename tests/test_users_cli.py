"""`flask users create`: how the first admin is made; bad input changes nothing."""

from tracker.extensions import db
from tracker.models import Role, User
from tracker.passwords import verify_password


def people():
    return db.session.scalars(db.select(User)).all()


def test_creates_a_person_with_a_password_from_stdin(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "First@Corp.test",
            "--name",
            "First Admin",
            "--role",
            "admin",
            "--password-stdin",
        ],
        input="a long admin passphrase\n",
    )
    assert result.exit_code == 0, result.output
    (user,) = people()
    assert user.email == "first@corp.test" and user.roles == {Role.ADMIN}
    assert verify_password(user.password_hash, "a long admin passphrase")


def test_creates_a_person_with_a_prompted_password_and_several_roles(runner):
    result = runner.invoke(
        args=[
            "users",
            "create",
            "m@corp.test",
            "--name",
            "M",
            "--role",
            "manager",
            "--role",
            "engineer",
        ],
        input="prompted passphrase\nprompted passphrase\n",
    )
    assert result.exit_code == 0, result.output
    assert people()[0].roles == {Role.MANAGER, Role.ENGINEER}


def test_refuses_bad_input_with_one_line_and_creates_nothing(runner, make_user):
    make_user(email="taken@corp.test")
    cases = [
        (["taken@corp.test", "--name", "X", "--role", "admin"], "already has an account"),
        (["not-an-email", "--name", "X", "--role", "admin"], "is not an email address"),
        (["x@corp.test", "--name", "X", "--role", "wizard"], "Invalid value for '--role'"),
        (["x@corp.test", "--name", "X", "--role", "ld"], "too common"),
    ]
    for args, message in cases:
        result = runner.invoke(
            args=["users", "create", *args, "--password-stdin"], input="password123\n"
        )
        assert result.exit_code != 0
        assert message in result.output
    assert len(people()) == 1
