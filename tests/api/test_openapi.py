"""The OpenAPI document describes what the API really returns."""

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from jsonschema.validators import Draft202012Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from campaign.models import NameDisplay
from tests.api.stories import make_theme, public_story
from tests.factories import make_recording

# Both engines: values as each engine returns them must fit the schemas.
pytestmark = pytest.mark.both_databases

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


@pytest.fixture
def config_overrides():
    return {"API_RATE_LIMIT": "100000 per minute"}


@pytest.fixture
def some_stories(app):
    work = make_theme("work", "Work")
    photo = {
        "alt_text": "Hands",
        "width": 800,
        "height": 600,
        "renditions": [{"name": "a.webp", "width": 400, "height": 300, "format": "webp"}],
    }
    return [
        public_story(themes=[work], photo=photo, quote="A quote"),
        public_story(origin_country="IQ", residence_country="DE", language="ar"),
        public_story(
            origin_country="AF", residence_country="FI", name_display=NameDisplay.ANONYMOUS
        ),
    ]


def _validator(document: dict, path: str, status: int) -> Draft202012Validator:
    """A validator for a documented response, its $refs resolved inside the document."""
    registry = Registry().with_resource("urn:openapi", DRAFT202012.create_resource(document))
    escaped = path.replace("~", "~0").replace("/", "~1")
    pointer = f"/paths/{escaped}/get/responses/{status}/content/application~1json/schema"
    return Draft202012Validator(
        {"$ref": f"urn:openapi#{pointer}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def test_real_responses_validate_against_the_documented_schemas(client, some_stories):
    document = client.get("/api/v1/openapi.json").get_json()
    assert document["openapi"].startswith("3.1")
    story = some_stories[0]
    for path, url in [
        ("/stories", "/api/v1/stories?limit=2"),
        ("/stories/{id}", f"/api/v1/stories/{story.id}"),
        ("/countries", "/api/v1/countries"),
        ("/themes", "/api/v1/themes"),
        ("/stats", "/api/v1/stats"),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        _validator(document, path, 200).validate(response.get_json())
    missing = client.get("/api/v1/stories/999999")
    _validator(document, "/stories/{id}", 404).validate(missing.get_json())
    bad = client.get("/api/v1/stories?limit=0")
    _validator(document, "/stories", 400).validate(bad.get_json())


def test_a_story_with_photo_and_themes_fills_every_documented_field(client, some_stories):
    document = client.get("/api/v1/openapi.json").get_json()
    documented = set(document["components"]["schemas"]["Story"]["properties"])
    story = client.get(f"/api/v1/stories/{some_stories[0].id}").get_json()
    assert set(story) == documented
    assert story["photo"]["renditions"] and story["themes"]


def test_schemathesis_finds_no_mismatch_between_document_and_api(app, some_stories):
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert {op.path for op in operations} == {
        "/stories",
        "/stories/{id}",
        "/countries",
        "/themes",
        "/stats",
    }
    for operation in operations:

        @settings(
            max_examples=30,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy())
        def check(case):
            case.call_and_validate(checks=CHECKS)

        check()


def test_a_voice_story_validates_against_the_documented_schema(client, some_stories):
    """The recording's renditions, length and transcript, as the document says them."""
    story = public_story(title="Told aloud", body="")
    make_recording(story, transcript="I came in winter.")
    document = client.get("/api/v1/openapi.json").get_json()
    item = client.get(f"/api/v1/stories/{story.id}").get_json()
    _validator(document, "/stories/{id}", 200).validate(item)
    assert {audio["content_type"] for audio in item["voice"]["audio"]} == {"audio/ogg", "audio/mp4"}
