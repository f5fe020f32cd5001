"""Kept fragments (campaign/gallery/fragments.py): a listing renders only the cards it
has not seen, a story page only the article it has not seen, and a kept fragment is
always the one its page would render afresh.

The page cache is off here, so every request renders its page (as the first visitors
after a publication); the module's counts say how many cards were rendered."""

import re
import threading

import pytest
from sqlalchemy import select

from campaign.extensions import db
from campaign.gallery.fragments import (
    ARTICLE_TEMPLATE,
    CARD_TEMPLATE,
    FILTERS_TEMPLATE,
    SEARCH_CARD,
    deploy_digest,
    fragments,
)
from campaign.models import Photo, Recording, Story, StoryStatus, Theme, TranslationStatus
from campaign.submissions.services import withdraw
from tests.factories import make_photo, make_recording, make_translation
from tests.gallery.helpers import ensure_themes, publish


@pytest.fixture
def config_overrides():
    return {"PAGE_CACHE_ENABLED": False}


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def cards(html: str) -> list[str]:
    return re.findall(r'<article class="card.*?</article>', html, re.S)


def card_titles(html: str) -> list[str]:
    return re.findall(r'<p class="card__title"[^>]*>([^<]*)</p>', html)


def rendered(app) -> int:
    """Cards rendered so far."""
    return fragments(app).renders[CARD_TEMPLATE]


def rendered_of_stories(app) -> int:
    """Cards and articles rendered so far."""
    renders = fragments(app).renders
    return renders[CARD_TEMPLATE] + renders[ARTICLE_TEMPLATE]


def fresh(story) -> Story:
    db.session.expire_all()
    return db.session.get(Story, story.id)


def edit_through_the_desk(client, story, **fields) -> Story:
    """A moderator's edit of the story's words (its title, quote and body, unless given)."""
    edited = fresh(story)
    data = {"title": edited.title, "quote": edited.quote, "body": edited.body, **fields}
    response = client.post(
        f"/moderate/stories/{edited.id}/edit", data={**data, "version": edited.version}
    )
    assert response.status_code == 303
    return edited


@pytest.mark.both_databases
def test_a_second_render_of_a_listing_renders_no_card_again(app, client):
    ensure_themes()
    for number in range(5):
        publish(f"Kept {number}", quote=f"Words {number}", themes=("work",))
    first = page(client, "/stories")
    assert rendered(app) == 5
    assert page(client, "/stories") == first
    assert rendered(app) == 5
    assert fragments(app).reused[CARD_TEMPLATE] == 5
    # The home page's cards load their photos lazily, the gallery's first two do not:
    # other fragments, kept in turn.
    home = page(client, "/")
    after_home = rendered(app)
    assert after_home > 5
    assert page(client, "/") == home
    assert rendered(app) == after_home


@pytest.mark.both_databases
def test_kept_cards_are_the_cards_a_fresh_render_gives(app, client):
    ensure_themes()
    first = publish("With a photo", quote="A quote", themes=("work", "family"))
    make_photo(first)
    voice = publish("A voice", body="", origin_country="UA", residence_country="FR")
    make_recording(voice, transcript="I came in winter, " * 10)
    publish("Plain", language="fr")
    translated = publish("Translated one", quote="Original words")
    make_translation(translated, "fr", title="Un titre traduit", quote="Des mots traduits")
    urls = ("/stories", "/", "/fr/stories", "/ar/stories", f"/stories/{first.slug}")
    # A client for each address: a prefix sets the language cookie the others would read.
    kept = {url: (page(app.test_client(), url), page(app.test_client(), url)) for url in urls}
    assert fragments(app).reused[CARD_TEMPLATE]
    app.config["CARD_FRAGMENTS_ENABLED"] = False
    for url, (once, twice) in kept.items():
        assert once == twice == page(app.test_client(), url), url
    assert "Un titre traduit" in kept["/fr/stories"][0]
    assert "<picture" in kept["/stories"][0]


@pytest.mark.both_databases
def test_an_edit_through_the_desk_renders_its_card_alone_again(app, signed_in):
    stories = [publish(f"Before {number}") for number in range(4)]
    assert sorted(card_titles(page(signed_in, "/stories"))) == [f"Before {n}" for n in range(4)]
    before = rendered(app)
    edit_through_the_desk(signed_in, stories[1], title="After the edit")
    titles = card_titles(page(signed_in, "/stories"))
    assert "After the edit" in titles and "Before 1" not in titles
    assert rendered(app) == before + 1  # the three others were kept


def test_a_translation_published_then_taken_back_changes_the_card(app, client):
    story = publish("In English", quote="My words")
    assert card_titles(page(client, "/fr/stories")) == ["In English"]
    translation = make_translation(story, "fr", title="En français", quote="Mes mots")
    html = page(client, "/fr/stories")
    assert card_titles(html) == ["En français"]
    assert "Mes mots" in html and "Traduit" in html
    translation.status = TranslationStatus.IN_REVIEW  # back to a reviewer: not public
    db.session.commit()
    html = page(client, "/fr/stories")
    assert card_titles(html) == ["In English"]
    assert "Mes mots" not in html
    # The English reader never had the French card, kept or not.
    assert "En français" not in page(client, "/stories")


def test_a_translation_deleted_takes_its_words_off_the_card(app, client):
    story = publish("Told in English")
    translation = make_translation(story, "fr", title="Raconté en français")
    assert card_titles(page(client, "/fr/stories")) == ["Raconté en français"]
    db.session.delete(translation)
    db.session.commit()
    assert card_titles(page(client, "/fr/stories")) == ["Told in English"]


def test_each_locale_gets_its_own_card(app):
    publish("Across languages", origin_country="DE", residence_country="ES")
    # A reader each: the prefix sets a language cookie that /stories would then follow.
    en, fr = app.test_client(), app.test_client()
    english, french = page(en, "/stories"), page(fr, "/fr/stories")
    assert rendered(app) == 2
    # Again, both kept: each page keeps its language's card and its links' prefix.
    assert page(en, "/stories") == english
    assert page(fr, "/fr/stories") == french
    assert rendered(app) == 2
    [en_card], [fr_card] = cards(english), cards(french)
    assert "Germany" in en_card and "Allemagne" not in en_card
    assert "Allemagne" in fr_card and "Germany" not in fr_card
    assert 'href="/stories/' in en_card and 'href="/fr/stories/' in fr_card


def test_a_withdrawn_story_never_appears_again(app, client):
    kept, gone = publish("Staying"), publish("Leaving")
    assert sorted(card_titles(page(client, "/stories"))) == ["Leaving", "Staying"]
    withdraw(fresh(gone))
    db.session.commit()
    assert card_titles(page(client, "/stories")) == ["Staying"]
    assert "Leaving" not in page(client, "/")
    assert kept.id  # the other card was reused, not the withdrawn one shown


def test_a_hidden_story_leaves_the_listing(app, client):
    publish("Visible")
    hidden = publish("Reported away")
    page(client, "/stories")
    story = fresh(hidden)
    story.hidden = True
    db.session.commit()
    assert card_titles(page(client, "/stories")) == ["Visible"]


def test_a_photo_added_then_removed_changes_the_card(app, signed_in):
    story = publish("A face later", quote="Some words")
    assert "<picture" not in page(signed_in, "/stories")
    make_photo(story)  # a plain insert: no hook stamps the story, the key sees the photo
    html = page(signed_in, "/stories")
    assert "<picture" in html and "card--quote" not in html
    story = fresh(story)
    response = signed_in.post(
        f"/moderate/stories/{story.id}/photo/remove", data={"version": story.version}
    )
    assert response.status_code == 303
    assert db.session.scalar(select(Photo).where(Photo.story_id == story.id)) is None
    html = page(signed_in, "/stories")
    assert "<picture" not in html and "card--quote" in html


def test_a_new_focal_point_moves_the_crop(app, client):
    story = publish("A portrait")
    make_photo(story)
    assert "focus-x-" not in page(client, "/stories")
    photo = fresh(story).photo
    photo.focal_x, photo.focal_y = 0.9, 0.1  # the photo's row alone: no stamp on the story
    db.session.commit()
    assert "focus-x-" in page(client, "/stories")


def test_a_theme_renamed_shows_on_the_kept_cards(app, client):
    ensure_themes()
    publish("Filed", themes=("work",))
    assert ">Work</a>" in page(client, "/stories")
    theme = db.session.scalar(select(Theme).where(Theme.slug == "work"))
    theme.names = {"en": "Labour", "fr": "Le travail"}  # an admin's names: no story is stamped
    db.session.commit()
    html = page(client, "/stories")
    assert ">Labour</a>" in html
    assert ">Labour</option>" in html  # the filter form's choice too (public_themes)
    assert ">Le travail</a>" in page(app.test_client(), "/fr/stories")


@pytest.mark.both_databases
def test_a_search_card_is_kept_without_its_marks(app, client):
    publish("The lighthouse keeper", quote="A lighthouse at night, the keeper awake")
    publish("Another tale")
    page(client, "/stories")
    searches = {
        words: [page(client, f"/stories?q={words}") for _ in range(2)]
        for words in ("lighthouse", "keeper", "night+keeper")
    }
    # One shell for the story, whatever the words: each search fills in its own marks.
    assert fragments(app).renders[SEARCH_CARD] == 1
    assert fragments(app).reused[SEARCH_CARD] == 5
    for words, (once, twice) in searches.items():
        assert once == twice
        marked = {mark.lower() for mark in re.findall(r"<mark>([^<]*)</mark>", once)}
        assert marked == set(words.split("+")), words
    # And the gallery's kept card of the same story carries no marks.
    assert "<mark>" not in page(client, "/stories")
    app.config["CARD_FRAGMENTS_ENABLED"] = False
    for words, (once, _twice) in searches.items():
        assert page(client, f"/stories?q={words}") == once, words


def test_a_search_for_markup_is_escaped_in_its_kept_form_and_marks(app, client):
    publish("Keeper of words", quote="The keeper wrote <b> in a letter")
    for query in ("keeper", "%3Cb%3E+keeper", "keeper+%22%3E%3Cscript%3E"):
        html = page(client, f"/stories?q={query}")
        assert "<script>" not in html and "<b> " not in html.split("<main")[1]
    assert 'value="keeper &#34;&gt;&lt;script&gt;"' in html
    assert fragments(app).renders[FILTERS_TEMPLATE] == 1  # one form for every search
    app.config["CARD_FRAGMENTS_ENABLED"] = False
    assert page(client, "/stories?q=keeper+%22%3E%3Cscript%3E") == html


def test_a_story_withdrawn_after_its_listing_read_it_is_left_out_and_never_kept(app):
    from campaign.gallery.queries import card_faces

    staying, leaving = publish("Staying on"), publish("Soon unpublished")
    faces = card_faces([leaving.id, staying.id])  # read while both were public
    story = fresh(leaving)
    story.status = StoryStatus.REJECTED
    db.session.commit()
    template = app.jinja_env.from_string("{% for card in cards(faces) %}{{ card }}{% endfor %}")
    with app.test_request_context("/stories"):
        html = template.render(faces=faces, translated={})
    assert "Staying on" in html and "Soon unpublished" not in html
    assert len(fragments(app).store) == 1  # the other's card alone
    assert card_faces([leaving.id]) == []  # and a listing read now has no face of it


@pytest.mark.parametrize(
    ("config_overrides", "bound"),
    [
        ({"PAGE_CACHE_ENABLED": False, "CARD_FRAGMENTS_MAX_BYTES": 6000}, "bytes"),
        ({"PAGE_CACHE_ENABLED": False, "CARD_FRAGMENTS_MAX": 3}, "entries"),
    ],
)
def test_the_bound_holds(app, client, bound):
    for number in range(12):
        publish(f"Bounded {number}", quote="Words " * 40)
    html = page(client, "/stories")
    assert len(cards(html)) == 12  # the page is whole; only fewer cards are kept
    store = fragments(app).store
    if bound == "bytes":
        assert 0 < store.size_in_bytes <= 6000
        assert len(store) < 12
    else:
        assert len(store) == 3
    assert page(client, "/stories") == html


@pytest.mark.parametrize(
    "config_overrides", [{"PAGE_CACHE_ENABLED": False, "CARD_FRAGMENTS_ENABLED": False}]
)
def test_switched_off_every_card_is_rendered(app, client):
    publish("Each time")
    html = page(client, "/stories")
    assert page(client, "/stories") == html
    assert rendered(app) == 2
    assert len(fragments(app).store) == 0


def test_threads_share_the_kept_cards_safely(app):
    """gunicorn may run threads: readers at once get whole, right pages, and the bound
    and the byte count hold."""
    fragments(app).store.threshold = 10  # fewer than the cards: threads evict each other
    for number in range(12):
        publish(f"Threaded {number}", quote=f"Words {number}")
    expected = {url: page(app.test_client(), url) for url in ("/stories", "/fr/stories")}
    failures = []

    def read(url):
        client = app.test_client()
        for _ in range(8):
            if page(client, url) != expected[url]:
                failures.append(url)

    threads = [
        threading.Thread(target=read, args=(url,)) for url in ("/stories", "/fr/stories") * 3
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    store = fragments(app).store
    assert len(store) <= 10
    assert store.size_in_bytes == sum(
        store._cost(key, data) for key, (_expires, data) in store._entries.items()
    )


def test_the_deploy_is_in_the_key(tmp_path):
    (tmp_path / "card.html").write_text("one")
    before = deploy_digest(str(tmp_path))
    (tmp_path / "card.html").write_text("two")
    deploy_digest.cache_clear()  # a new deploy is a new process
    assert deploy_digest(str(tmp_path)) != before


def article(html: str) -> str:
    return re.search(r'<article class="story.*?</article>', html, re.S).group(0)


@pytest.mark.both_databases
def test_a_story_page_renders_its_article_once_and_as_afresh(app):
    ensure_themes()
    story = publish("Across the sea", quote="I kept walking", themes=("work",))
    make_photo(story)
    make_recording(story, transcript="I came in winter, " * 10)
    make_translation(story, "fr", title="Par-delà la mer", quote="J'ai continué")
    publish("Beside it", origin_country=story.origin_country)  # a "more" card
    urls = [f"/stories/{story.slug}", f"/fr/stories/{story.slug}", f"/ar/stories/{story.slug}"]
    urls.append(f"/fr/stories/{story.slug}?original=1")
    kept = {}
    for url in urls:
        reader = app.test_client()
        kept[url] = page(reader, url)
        before = rendered_of_stories(app)
        assert page(reader, url) == kept[url]
        assert rendered_of_stories(app) == before, url  # article and card both kept
    app.config["CARD_FRAGMENTS_ENABLED"] = False
    for url, html in kept.items():
        assert page(app.test_client(), url) == html, url
    assert "Par-delà la mer" in article(kept[urls[1]])
    assert "Par-delà la mer" not in article(kept[urls[3]])  # the original, asked for
    assert "I came in winter" in article(kept[urls[0]])


def test_a_transcript_corrected_shows_on_the_kept_article(app, client):
    story = publish("A voice", body="")
    make_recording(story, transcript="I came in sumer.")
    assert "I came in sumer." in page(client, f"/stories/{story.slug}")
    recording = db.session.scalar(select(Recording).where(Recording.story_id == story.id))
    recording.transcript = "I came in summer."  # the recording's row: no stamp on the story
    recording.masked = True
    db.session.commit()
    html = article(page(client, f"/stories/{story.slug}"))
    assert "I came in summer." in html and "sumer" not in html
    assert "voice was changed" in html


@pytest.mark.both_databases
def test_an_edit_through_the_desk_shows_on_the_story_page(app, signed_in):
    story = publish("Before the edit", body="The first words.")
    assert "The first words." in page(signed_in, f"/stories/{story.slug}")
    edited = edit_through_the_desk(signed_in, story, title="After the edit", body="Mended words.")
    html = article(page(signed_in, f"/stories/{edited.slug}"))
    assert "Mended words." in html and "The first words." not in html


def test_a_translation_published_later_shows_on_the_kept_article(app):
    story = publish("Only English", quote="My words")
    reader = app.test_client()
    assert "Only English" in article(page(reader, f"/fr/stories/{story.slug}"))
    make_translation(story, "fr", title="Enfin en français", quote="Mes mots")
    html = article(page(reader, f"/fr/stories/{story.slug}"))
    assert "Enfin en français" in html and "?original=1" in html  # "Read the original"
    original = article(page(reader, f"/fr/stories/{story.slug}?original=1"))
    assert "Only English" in original and "Enfin en français" not in original


def test_a_withdrawn_story_page_is_gone_not_kept(app, client):
    story = publish("Leaving soon", body="Words to forget.")
    assert "Words to forget." in page(client, f"/stories/{story.slug}")
    withdraw(fresh(story))
    db.session.commit()
    response = client.get(f"/stories/{story.slug}")
    assert response.status_code == 410
    assert "Words to forget." not in response.get_data(as_text=True)


@pytest.mark.both_databases
def test_the_filter_form_is_kept_until_its_choices_change(app, client):
    def forms() -> int:
        return fragments(app).renders[FILTERS_TEMPLATE]

    publish("From Germany", origin_country="DE", residence_country="ES")
    first = page(client, "/stories")
    assert page(client, "/stories") == first and forms() == 1
    publish("Also from Germany", origin_country="DE", residence_country="ES")
    assert "Also from Germany" in page(client, "/stories")
    assert forms() == 1  # a publication that brings no new country: the form was kept
    publish("From Ukraine", origin_country="UA", residence_country="ES")
    html = page(client, "/stories")
    assert forms() == 2 and '<option value="UA">Ukraine</option>' in html
    chosen = page(client, "/stories?origin=UA")
    assert '<option value="UA" selected>Ukraine</option>' in chosen and forms() == 3
    searched = [page(client, f"/stories?q={words}") for words in ("Germany", "Ukraine")]
    assert forms() == 4  # a search's form, kept for every search: its words filled in
    assert 'value="Ukraine"' in searched[1]
    app.config["CARD_FRAGMENTS_ENABLED"] = False
    for url, kept in (("/stories", html), ("/stories?origin=UA", chosen)):
        assert page(client, url) == kept, url
    assert page(client, "/stories?q=Germany") == searched[0]


def test_the_chrome_is_kept_per_language_and_page(app, client):
    renders = fragments(app).renders
    stories, about = page(client, "/stories"), page(client, "/about")
    assert renders["base.html footer"] == 1  # the same footer on every English page
    assert renders["base.html header"] == 2  # each page's own language switcher
    assert 'href="/fr/about"' in about and 'href="/fr/about"' not in stories
    assert page(client, "/stories") == stories
    assert renders["base.html header"] == 2 and renders["base.html head"] == 1
    french = page(app.test_client(), "/fr/about")
    assert renders["base.html footer"] == 2 and "À propos" in french
    app.config["CARD_FRAGMENTS_ENABLED"] = False
    assert page(app.test_client(), "/about") == about
    assert page(app.test_client(), "/fr/about") == french


def test_a_signed_in_header_is_never_kept(app, signed_in):
    visitor = app.test_client()
    anonymous = page(visitor, "/stories")
    assert "Sign out" not in anonymous
    before = fragments(app).renders["base.html header"]
    for _ in range(2):
        html = page(signed_in, "/stories")
        assert "Sign out" in html and 'name="csrf_token"' in html
    assert fragments(app).renders["base.html header"] == before + 2
    assert page(visitor, "/stories") == anonymous  # and the kept one is the visitor's


def test_the_home_lead_is_kept_and_follows_an_edit(app, signed_in):
    visitor = app.test_client()
    publish("An older one")
    lead = publish("The newest leads", quote="First words of the lead")
    first = page(visitor, "/")
    assert "First words of the lead" in first.split('class="hero__call"')[0]
    renders = fragments(app).renders
    before = renders.total()
    assert page(visitor, "/") == first and renders.total() == before  # lead and cards kept
    edit_through_the_desk(signed_in, lead, quote="Mended words of the lead")
    hero = page(visitor, "/").split('class="hero__call"')[0]
    assert "Mended words of the lead" in hero and "First words" not in hero
    app.config["CARD_FRAGMENTS_ENABLED"] = False
    assert page(app.test_client(), "/").split('class="hero__call"')[0] == hero


@pytest.mark.both_databases
def test_a_story_page_reads_its_own_and_its_neighbours_translations_at_once(app, count_queries):
    story = publish("Mine", origin_country="SY")
    make_translation(story, "ar", title="قصتي")
    neighbour = publish("A neighbour's", origin_country="SY")
    make_translation(neighbour, "fr", title="Celle du voisin")
    count_queries.clear()
    html = page(app.test_client(), f"/fr/stories/{story.slug}")
    more = html.split('class="more"')[1]
    assert "Celle du voisin" in more  # the neighbour's card, in French
    assert 'hreflang="ar"' in html  # the story's own translation among its alternates
    assert len([s for s in count_queries if "FROM translation" in s]) == 1
