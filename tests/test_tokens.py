"""Private links and invitations are found by the digest of their token, by one rule."""

import pytest

from campaign.accounts.services import invite, open_invitation
from campaign.models import Invitation, Story
from campaign.models.tokens import MAX_TOKEN_LENGTH, find_by_token, hash_secret
from tests.factories import make_moderator, make_story

# Both engines: tokens are found by a query on their digest.
pytestmark = pytest.mark.both_databases


def test_a_private_link_and_an_invitation_are_found_by_their_token_only(db):
    story = make_story()
    invitation, invitation_token = invite(
        "new@example.org", admin=False, invited_by=make_moderator(admin=True), valid_hours=1
    )
    db.session.commit()
    assert find_by_token(Story, story.token).id == story.id
    assert open_invitation(invitation_token).id == invitation.id
    assert story.token_hash == hash_secret(story.token) != story.token
    assert find_by_token(Invitation, story.token) is None  # a token opens only its own kind


@pytest.mark.parametrize("token", ["", None, "x" * (MAX_TOKEN_LENGTH + 1), "not-a-token"])
def test_empty_overlong_or_unknown_tokens_find_nothing(db, token):
    make_story()
    assert find_by_token(Story, token) is None
