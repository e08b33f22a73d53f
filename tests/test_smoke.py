"""The app starts, answers its health check and sends security headers."""

from tracker.models import Role


def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_home_redirects_anonymous_people_to_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/auth/login" in response.headers["Location"]


def test_home_shows_the_sections_of_each_role(make_user, login_as):
    user = make_user(name="Morgan", roles=[Role.MANAGER, Role.ENGINEER])
    page = login_as(user).get("/").get_data(as_text=True)
    assert "Teams you manage" in page
    assert "Your learning" in page
    assert "Administration" not in page
