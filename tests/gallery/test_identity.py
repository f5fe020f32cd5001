"""The campaign's identity per deployment: name, About text, contact, colours,
mark, icons and the web app manifest; the built-in identity where nothing is set."""

import io
import json

import pytest
from PIL import Image

from campaign import create_app
from campaign.config import ConfigurationError
from campaign.extensions import db as _db
from tests.helpers import app_config

OWN = {
    "CAMPAIGN_NAME": {"en": "Voices of Tampere", "fi": "Tampereen äänet"},
    "ABOUT_TEXT": {
        "en": "We are the city's volunteers.\n\nWe meet every Tuesday.",
        "ar": "نحن متطوعو المدينة.",
    },
    "CAMPAIGN_CONTACT_EMAIL": "team@example.org",
}


def png_size(client, url) -> tuple[int, int]:
    with client.get(url) as response:
        return Image.open(io.BytesIO(response.data)).size


def test_the_about_page_says_who_runs_the_campaign_how_stories_are_read_and_how_to_write(
    client, db
):
    page = client.get("/about").get_data(as_text=True)
    assert "<h1>About this campaign</h1>" in page
    assert "shows the people behind the word" in page
    assert "Every story is read by a moderator before anyone else can see it." in page
    assert "use the link “Report this story”" in page
    assert 'href="/about"' in client.get("/").get_data(as_text=True), "linked from every page"


@pytest.mark.parametrize("config_overrides", [OWN])
def test_a_deployment_tells_its_own_story_in_each_language_with_english_as_fallback(client, db):
    english = client.get("/about").get_data(as_text=True)
    assert "<p>We are the city&#39;s volunteers.</p>\n<p>We meet every Tuesday.</p>" in english
    assert "shows the people behind the word" not in english
    assert '<a href="mailto:team@example.org">team@example.org</a>' in english
    # How stories are read is the platform's own, always said.
    assert "Every story is read by a moderator" in english
    assert "نحن متطوعو المدينة." in client.get("/ar/about").get_data(as_text=True)
    assert "We are the city" in client.get("/fr/about").get_data(as_text=True)


@pytest.mark.parametrize("config_overrides", [OWN])
def test_the_campaigns_name_is_the_deployments_everywhere_it_is_said(client, db):
    home = client.get("/fi/").get_data(as_text=True)
    assert "· Tampereen äänet</title>" in home
    assert '<meta property="og:site_name" content="Tampereen äänet">' in home
    assert "Voices of Tampere" in client.get("/en/").get_data(as_text=True)
    assert "Voices of Tampere" in client.get("/ar/").get_data(as_text=True), "English's"
    assert json.loads(client.get("/manifest.webmanifest").data)["name"] == "Voices of Tampere"
    assert b"<name>Voices of Tampere</name>" in client.get("/en/feed.atom").data


def test_the_built_in_identity_names_the_campaign_in_the_readers_language(client, db):
    assert "· أنا مهاجر</title>" in client.get("/ar/").get_data(as_text=True)
    assert "· Je suis migrant</title>" in client.get("/fr/").get_data(as_text=True)


def test_the_manifest_icons_and_mark_install_the_site_on_a_phone(client, db):
    page = client.get("/ar/").get_data(as_text=True)
    assert '<link rel="manifest" href="/ar/manifest.webmanifest">' in page
    assert '<link rel="icon" href="/ar/mark.svg" type="image/svg+xml">' in page
    assert '<meta name="theme-color" content="#b3261e">' in page
    response = client.get("/ar/manifest.webmanifest")
    assert response.mimetype == "application/manifest+json"
    manifest = json.loads(response.data)
    assert manifest["lang"] == "ar" and manifest["dir"] == "rtl"
    assert manifest["start_url"] == "/ar/" and manifest["display"] == "standalone"
    assert manifest["name"] == "أنا مهاجر"
    purposes = {icon.get("purpose", "any") for icon in manifest["icons"]}
    assert purposes == {"any", "maskable"}
    for icon in manifest["icons"]:
        assert (
            f"{png_size(client, icon['src'])[0]}x{png_size(client, icon['src'])[1]}"
            == icon["sizes"]
        )
    with client.get("/mark.svg") as mark:
        assert mark.mimetype == "image/svg+xml" and mark.data.startswith(b"<svg")
    # Asked for by browsers when a page names no icon (an embed, the API opened alone).
    with client.get("/favicon.ico") as icon, client.get("/mark.svg") as mark:
        assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
        assert icon.data == mark.data
    assert png_size(client, "/static/img/apple-touch-icon.png") == (180, 180)


def test_own_colours_and_mark_replace_the_built_in_ones(tmp_path):
    (tmp_path / "our-mark.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
    app = create_app(
        app_config(
            f"sqlite:///{tmp_path / 'own.sqlite3'}",
            CAMPAIGN_COLOURS={"accent": "#0b6e4f"},
            CAMPAIGN_MARK="our-mark.svg",
        ),
        instance_path=str(tmp_path),
    )
    with app.app_context():
        _db.create_all()
    client = app.test_client()
    css = client.get("/identity.css")
    assert css.mimetype == "text/css"
    assert "--accent: #0b6e4f;" in css.get_data(as_text=True)
    assert "--paper: #fffdf8;" in css.get_data(as_text=True), "the others keep their values"
    page = client.get("/about").get_data(as_text=True)
    assert '<link rel="stylesheet" href="/identity.css">' in page
    assert '<meta name="theme-color" content="#0b6e4f">' in page
    assert client.get("/mark.svg").data == b'<svg xmlns="http://www.w3.org/2000/svg"/>'


def test_without_own_colours_no_extra_stylesheet_is_asked_for(client, db):
    assert "/identity.css" not in client.get("/").get_data(as_text=True)


@pytest.mark.parametrize(
    "settings",
    [
        {"CAMPAIGN_COLOURS": {"accent": "red; } body { display: none"}},
        {"CAMPAIGN_COLOURS": {"background": "#ffffff"}},
        {"CAMPAIGN_NAME": "Not per language"},
        {"CAMPAIGN_MARK": "missing.svg"},
        {"CAMPAIGN_MARK": "../../etc/passwd"},
        {"CAMPAIGN_MARK": "../outside.svg"},
    ],
)
def test_an_identity_the_pages_cannot_show_refuses_to_start(tmp_path, settings):
    with pytest.raises(ConfigurationError):
        create_app(app_config(f"sqlite:///{tmp_path / 'x.sqlite3'}", **settings), str(tmp_path))


@pytest.mark.parametrize("config_overrides", [OWN])
def test_an_invited_moderator_and_their_authenticator_app_read_the_deployments_name(
    app, admin_client, mail_sent, db
):
    from campaign.accounts.services import provisioning_uri
    from campaign.models import Moderator

    admin_client.post("/moderate/admin/moderators", data={"email": "new@example.org"})

    (invitation,) = mail_sent
    body = invitation.get_content()
    assert "moderation team of “Voices of Tampere”" in body and "I am a migrant" not in body
    with app.test_request_context("/en/"):
        uri = provisioning_uri(
            Moderator(email="new@example.org"), "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
        )
    assert "issuer=Voices%20of%20Tampere" in uri
