import pytest

from tests.factories import PASSWORD, make_moderator

MODERATOR_PAGES = ["/moderate", "/moderate/stories/1"]
GENERIC_ERROR = "That email and password do not match an account."


@pytest.mark.parametrize("url", MODERATOR_PAGES)
def test_moderator_pages_send_anonymous_visitor_to_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")


def test_moderator_signs_in_and_sees_the_queue(client, moderator):
    response = client.post("/login", data={"email": moderator.email, "password": PASSWORD})
    assert response.status_code == 303
    assert response.headers["Location"] == "/moderate"
    assert client.get("/moderate").status_code == 200


def test_wrong_password_and_unknown_email_get_the_same_message(client, moderator):
    wrong_password = client.post("/login", data={"email": moderator.email, "password": "nope" * 4})
    unknown_email = client.post("/login", data={"email": "who@example.org", "password": "nope" * 4})
    assert wrong_password.status_code == unknown_email.status_code == 200
    for response in (wrong_password, unknown_email):
        assert GENERIC_ERROR in response.get_data(as_text=True)
    assert client.get("/moderate").status_code == 302


def test_deactivated_moderator_cannot_sign_in_and_is_signed_out(client, db):
    moderator = make_moderator()
    client.post("/login", data={"email": moderator.email, "password": PASSWORD})
    assert client.get("/moderate").status_code == 200
    moderator.active = False
    db.session.commit()
    assert client.get("/moderate").status_code == 302
    response = client.post("/login", data={"email": moderator.email, "password": PASSWORD})
    assert GENERIC_ERROR in response.get_data(as_text=True)


def test_email_is_matched_without_regard_to_case(client, moderator):
    response = client.post("/login", data={"email": moderator.email.upper(), "password": PASSWORD})
    assert response.status_code == 303


def test_sign_out_ends_the_session(signed_in):
    assert signed_in.post("/logout").status_code == 303
    assert signed_in.get("/moderate").status_code == 302


def test_sign_out_is_post_only(signed_in):
    assert signed_in.get("/logout").status_code == 405
    assert signed_in.get("/moderate").status_code == 200


@pytest.mark.parametrize(
    ("next_url", "expected"),
    [
        ("/moderate/stories/7", "/moderate/stories/7"),
        ("https://evil.example/phish", "/moderate"),
        ("//evil.example/phish", "/moderate"),
        ("/\\evil.example", "/moderate"),
        ("javascript:alert(1)", "/moderate"),
    ],
)
def test_next_redirects_only_to_paths_on_this_site(client, moderator, next_url, expected):
    response = client.post(
        "/login", data={"email": moderator.email, "password": PASSWORD, "next": next_url}
    )
    assert response.headers["Location"] == expected
