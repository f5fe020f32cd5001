"""Share cards and consent per channel, through the app: made once, kept, offered only
where the storyteller allowed, and gone everywhere (410) once withdrawn or refused."""

import io

import pytest
from PIL import Image
from sqlalchemy import select

from campaign.cards import render
from campaign.cards.services import card_content
from campaign.extensions import db
from campaign.media.storage import get_storage
from campaign.models import AuditEntry, Channel, NameDisplay, ShareCard, Story, StoryStatus
from tests.factories import make_photo, make_story
from tests.submissions.helpers import private_link_from, submit

SIZES = list(render.SIZES)


def published(**fields) -> Story:
    return make_story(StoryStatus.PUBLISHED, quote="The snow was new to me.", **fields)


def card_url(story: Story, size: str = "1200x630") -> str:
    return f"/stories/{story.slug}/card-{size}.jpg"


def fetch(client, url: str, **options):
    """A GET whose file is read and closed at once (send_file keeps it open otherwise)."""
    with client.get(url, **options) as response:
        response.get_data()
        return response


def stored_cards(story_id: int) -> list[ShareCard]:
    return list(db.session.scalars(select(ShareCard).where(ShareCard.story_id == story_id)))


def test_a_card_in_each_size_is_drawn_once_kept_and_served_as_a_jpeg(client, app):
    story = published()
    make_photo(story)
    for size in SIZES:
        response = fetch(client, card_url(story, size))
        assert response.status_code == 200 and response.mimetype == "image/jpeg"
        assert Image.open(io.BytesIO(response.data)).size == render.SIZES[size]
        assert "public" in response.headers["Cache-Control"]
    names = {card.size: card.name for card in stored_cards(story.id)}
    assert set(names) == set(SIZES)
    again = fetch(client, card_url(story))
    assert again.status_code == 200
    db.session.expire_all()
    assert {card.size: card.name for card in stored_cards(story.id)} == names  # kept, not redrawn


def test_a_public_change_draws_a_new_card_and_deletes_the_old_file(client, app):
    story = published()
    fetch(client, card_url(story))
    old = stored_cards(story.id)[0].name
    story.quote = "Another quote now."
    db.session.commit()
    fetch(client, card_url(story))
    db.session.expire_all()
    new = stored_cards(story.id)[0].name
    assert new != old
    assert not get_storage().exists(old) and get_storage().exists(new)


def test_no_card_and_no_download_without_consent_to_share_images(client, app):
    story = published(channels={Channel.PARTNERS})
    assert fetch(client, card_url(story)).status_code == 410
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    assert "Download image" not in page and "/card-" not in page
    assert '<meta property="og:image" content="http://localhost/cards/site.jpg">' in page
    assert stored_cards(story.id) == []


def test_an_unknown_story_or_size_has_no_card(client, app):
    story = published()
    assert client.get("/stories/no-such-story/card-1200x630.jpg").status_code == 404
    assert fetch(client, card_url(story, "640x480")).status_code == 404


def test_the_story_page_and_the_private_page_offer_every_size(client, app):
    story = published()
    page = client.get(f"/stories/{story.slug}").get_data(as_text=True)
    private = client.get(f"/my-story/{story.token}").get_data(as_text=True)
    for size in SIZES:
        assert f'href="{card_url(story, size)}" download' in page
        assert f'href="{card_url(story, size)}" download' in private
    assert "Share your own story" in private


def test_a_card_shows_nothing_private(app):
    story = published(
        author_name="Amina Haddad",
        name_display=NameDisplay.FIRST,
        contact_email="amina.private@example.org",
        on_behalf=True,
        helper_relationship="caseworker at the clinic",
    )
    shown = repr(card_content(story))
    assert "Amina" in shown
    for private in ("Haddad", "amina.private", "caseworker", story.token_hash):
        assert private not in shown


def test_the_share_form_stores_only_the_channels_ticked(client, app):
    response = submit(client, share_images="y", print="y")
    assert response.status_code == 303
    story = db.session.scalar(select(Story))
    assert story.channels == {Channel.WEBSITE, Channel.SHARE_IMAGES, Channel.PRINT}
    assert story.consent_version == app.config["CONSENT_VERSION"]
    private = client.get(private_link_from(client)).get_data(as_text=True)
    assert 'name="share_images" type="checkbox" value="y" checked' in private or (
        'checked id="share_images"' in private
    )


@pytest.mark.both_databases
def test_a_consent_change_on_the_private_page_takes_effect_everywhere_at_once(client, app):
    story = published()
    make_photo(story)
    fetch(client, card_url(story))
    card_file = stored_cards(story.id)[0].name
    api_list = client.get("/api/v1/stories")
    assert story.slug in api_list.get_data(as_text=True)
    assert story.title in client.get("/feed.atom").get_data(as_text=True)

    response = client.post(f"/my-story/{story.token}/channels", data={"print": "y"})

    assert response.status_code == 303
    db.session.expire_all()
    assert story.channels == {Channel.WEBSITE, Channel.PRINT}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "consent_changed"))
    assert entry.story_id == story.id and entry.note == "print website"
    # No card, no embed, no feed entry, not in the API; the website keeps it.
    assert fetch(client, card_url(story)).status_code == 410
    assert not get_storage().exists(card_file) and stored_cards(story.id) == []
    assert client.get(f"/api/v1/stories/{story.id}").status_code == 410
    assert story.slug not in client.get("/api/v1/stories").get_data(as_text=True)
    assert story.title not in client.get("/feed.atom").get_data(as_text=True)
    assert client.get(f"/embed/stories/{story.slug}").status_code == 410
    url = f"http://localhost/stories/{story.slug}"
    assert client.get("/oembed", query_string={"url": url}).status_code == 410
    page = client.get(f"/stories/{story.slug}")
    assert page.status_code == 200 and "Download image" not in page.get_data(as_text=True)


@pytest.mark.both_databases
def test_withdrawal_makes_every_copy_answer_gone_and_deletes_the_card_files(client, app):
    story = published(title="Leaving for good")
    make_photo(story)
    for size in SIZES:
        fetch(client, card_url(story, size))
    files = [card.name for card in stored_cards(story.id)]
    story_id, slug, token = story.id, story.slug, story.token

    client.post(f"/my-story/{token}/withdraw", data={"confirm": "y"})

    assert not any(get_storage().exists(name) for name in files)
    url = f"http://localhost/stories/{slug}"
    for address, query in (
        (f"/stories/{slug}", None),
        (card_url(story), None),
        (f"/api/v1/stories/{story_id}", None),
        (f"/embed/stories/{slug}", None),
        ("/oembed", {"url": url}),
    ):
        gone = client.get(address, query_string=query)
        assert gone.status_code == 410, address
        assert "Leaving for good" not in gone.get_data(as_text=True)  # a tombstone only
    assert "Leaving for good" not in client.get("/feed.atom").get_data(as_text=True)
