"""The desk in words a moderator reads, and a story back after a change request shown
with the request and what its storyteller changed (issue 17, the desk)."""

import pytest

from campaign.models import Report, StoryStatus
from tests.factories import make_story
from tests.submissions.test_private_page import edit_data

pytestmark = pytest.mark.both_databases


def ask_for_changes(client, story, message):
    response = client.post(
        f"/moderate/stories/{story.id}",
        data={"decision": "request_changes", "version": story.version, "message": message},
    )
    assert response.status_code == 303


def section(page: str, heading_id: str) -> str:
    start = page.index(f'id="{heading_id}"')
    return page[start : page.index("</section>", start)]


def test_a_story_back_after_changes_shows_the_request_and_a_diff(
    signed_in, app, db, moderator, mail_sent
):
    story = make_story(
        title="My street",
        body="I live at 12 Example Street with my brother and we bake bread. " * 2,
    )
    ask_for_changes(signed_in, story, "Please leave out the name of your street.")
    db.session.refresh(story)
    # The storyteller changes the text on their private page: back in the queue.
    teller = app.test_client()
    edited = "I live in a small flat with my brother and we bake bread. " * 2
    response = teller.post(
        f"/my-story/{story.token}/edit", data=edit_data(story, body=edited, title="My flat")
    )
    assert response.status_code == 303
    db.session.refresh(story)
    assert story.status is StoryStatus.PENDING

    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)

    came_back = section(page, "came-back-heading")
    assert "Back after a request for changes" in came_back
    assert f"<bdi>{moderator.email}</bdi> asked for changes on" in came_back
    assert "Please leave out the name of your street." in came_back
    # Field by field, what went and what came.
    assert "<dt>Title</dt>" in came_back and "My <del>street</del><ins>flat</ins>" in came_back
    assert "<dt>Story text</dt>" in came_back
    assert "I live <del>at 12 Example Street</del><ins>in a small flat</ins> with" in came_back


def test_a_story_sent_back_unchanged_says_so(signed_in, app, db, mail_sent):
    story = make_story()
    ask_for_changes(signed_in, story, "Could you add a title that says more?")
    db.session.refresh(story)
    app.test_client().post(f"/my-story/{story.token}/edit", data=edit_data(story))
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "without changing its title, quote or text" in section(page, "came-back-heading")


def test_a_story_never_sent_back_has_no_change_request_section(signed_in):
    story = make_story()
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "came-back-heading" not in page


def test_statuses_and_decisions_read_as_words_with_titles_and_names(signed_in, db, moderator):
    story = make_story(title="Bread at dawn")
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "Status: Waiting for review" in page
    assert "Status: pending" not in page

    signed_in.post(
        f"/moderate/stories/{story.id}", data={"decision": "approve", "version": story.version}
    )
    db.session.refresh(story)
    page = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    assert "Status: Published" in page
    history = section(page, "decisions-history-heading")
    assert "<strong>Published</strong> (Waiting for review → Published)" in history
    assert f"<bdi>{moderator.email}</bdi>" in history

    queue = signed_in.get("/moderate").get_data(as_text=True)
    assert 'Waiting for review <span class="count">0</span>' in queue
    assert 'Asked for changes <span class="count">0</span>' in queue
    # The reported list mixes statuses: each row says its own.
    db.session.add(Report(story_id=story.id, reason="identifies", reporter_key="someone"))
    db.session.commit()
    reported = signed_in.get("/moderate?tab=reported").get_data(as_text=True)
    assert "<td>Published</td>" in reported and ">Bread at dawn</bdi>" in reported

    log = signed_in.get("/moderate/log").get_data(as_text=True)
    row = log[log.index("<tbody>") : log.index("</tbody>")]
    assert ">Published<" in row and ">Bread at dawn</bdi>" in row and moderator.email in row


def test_decision_buttons_say_their_consequence_the_same_way_in_queue_and_review(signed_in):
    story = make_story(title="Consequences")
    review = signed_in.get(f"/moderate/stories/{story.id}").get_data(as_text=True)
    queue = signed_in.get("/moderate").get_data(as_text=True)
    # Publish, hold back, ask: one class each, on the review page and in the queue.
    assert 'class="button button--publish" data-approve>Approve and publish<' in review
    assert 'class="button button--hold">Do not publish<' in review
    assert 'class="button button--ask">Ask for changes<' in review
    # The bulk action is two buttons, each saying what it does to the selected stories.
    assert 'name="action" value="approve" class="button button--small button--publish"' in queue
    assert 'name="action" value="reject" class="button button--small button--hold"' in queue
