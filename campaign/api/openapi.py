"""The OpenAPI 3.1 description of API v1; the tests hold the API to it."""

from campaign.gallery import listings
from campaign.params import MAX_ID

COUNTRY_CODE = {"type": "string", "pattern": "^[A-Z]{2}$", "description": "ISO 3166-1 alpha-2"}
PLAIN = "Plain text, never HTML: escape it before putting it in a page."


def _ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict, description: str) -> dict:
    return {
        "description": description,
        "headers": {"ETag": {"schema": {"type": "string"}}},
        "content": {"application/json": {"schema": schema}},
    }


def _error(description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": _ref("Error")}}}


ERRORS = {
    "304": {"description": "Not modified: the ETag sent in If-None-Match still holds"},
    "429": _error("Too many requests from this address; see Retry-After."),
}

SCHEMAS = {
    "Country": {
        "type": "object",
        "required": ["code", "name"],
        "additionalProperties": False,
        "properties": {"code": COUNTRY_CODE, "name": {"type": "string"}},
    },
    "Theme": {
        "type": "object",
        "required": ["slug", "name"],
        "additionalProperties": False,
        "properties": {"slug": {"type": "string"}, "name": {"type": "string"}},
    },
    "Rendition": {
        "type": "object",
        "required": ["url", "width", "height", "format"],
        "additionalProperties": False,
        "properties": {
            "url": {"type": "string", "format": "uri"},
            "width": {"type": "integer", "minimum": 1},
            "height": {"type": "integer", "minimum": 1},
            "format": {"type": "string", "enum": ["webp", "jpeg"]},
        },
    },
    "Photo": {
        "type": "object",
        "required": ["alt", "renditions"],
        "additionalProperties": False,
        "properties": {
            "alt": {"type": "string", "description": "Text alternative written for the photo"},
            "renditions": {"type": "array", "items": _ref("Rendition")},
        },
    },
    "AudioRendition": {
        "type": "object",
        "required": ["url", "format", "content_type", "bytes"],
        "additionalProperties": False,
        "properties": {
            "url": {"type": "string", "format": "uri"},
            "format": {"type": "string", "enum": ["opus", "aac"]},
            "content_type": {"type": "string", "enum": ["audio/ogg", "audio/mp4"]},
            "bytes": {"type": "integer", "minimum": 1},
        },
    },
    "Voice": {
        "type": "object",
        "required": ["duration_seconds", "masked", "transcript", "audio"],
        "additionalProperties": False,
        "properties": {
            "duration_seconds": {"type": "number", "minimum": 0},
            "masked": {
                "type": "boolean",
                "description": "The voice was changed so that the storyteller is not recognised",
            },
            "transcript": {"type": "string", "description": f"What is said. {PLAIN}"},
            "audio": {
                "type": "array",
                "items": _ref("AudioRendition"),
                "description": "Opus in Ogg, and AAC in MP4 for Safari and iOS",
            },
        },
    },
    "Story": {
        "type": "object",
        "required": [
            "id",
            "slug",
            "url",
            "title",
            "quote",
            "text",
            "body_html",
            "display_name",
            "origin",
            "residence",
            "themes",
            "language",
            "published_at",
            "photo",
            "voice",
            "translations",
        ],
        "additionalProperties": False,
        "properties": {
            "id": {"type": "integer"},
            "slug": {"type": "string"},
            "url": {"type": "string", "format": "uri", "description": "The story's public page"},
            "title": {"type": "string", "description": PLAIN},
            "quote": {
                "type": "string",
                "description": f"Short headline quote; may be empty. {PLAIN}",
            },
            "text": {
                "type": "string",
                "description": f"The story; blank lines part paragraphs. {PLAIN}",
            },
            "body_html": {
                "type": "string",
                "description": (
                    "The story as HTML, for pages that insert HTML: each paragraph a <p>, "
                    "line breaks <br>, every character of the text HTML-escaped "
                    "(a story that reads <b> gives &lt;b&gt;). No other markup."
                ),
            },
            "display_name": {
                "type": "string",
                "description": f"The name as the storyteller chose to show it. {PLAIN}",
            },
            "origin": _ref("Country"),
            "residence": _ref("Country"),
            "themes": {"type": "array", "items": _ref("Theme")},
            "language": {"type": "string", "description": "BCP 47 language code"},
            "published_at": {"type": "string", "format": "date-time"},
            "photo": {"oneOf": [_ref("Photo"), {"type": "null"}]},
            "voice": {"oneOf": [_ref("Voice"), {"type": "null"}]},
            "translations": {
                "type": "array",
                "items": _ref("Translation"),
                "description": (
                    "Volunteers' translations of the story that the public may read "
                    "(reviewed by a person who reads the language, up to date with the "
                    "original, and consented to by the storyteller); the original stays "
                    "the story of record"
                ),
            },
        },
    },
    "Translation": {
        "type": "object",
        "required": ["language", "status", "source", "title", "quote", "body", "body_html", "url"],
        "additionalProperties": False,
        "properties": {
            "language": {"type": "string", "description": "BCP 47 language code"},
            "status": {"type": "string", "enum": ["published"]},
            "source": {
                "type": "string",
                "enum": ["volunteer", "machine_draft"],
                "description": (
                    "Who wrote the words first: a volunteer, or a volunteer from a machine's "
                    "draft (always edited and reviewed by people before publication)"
                ),
            },
            "title": {"type": "string", "description": PLAIN},
            "quote": {"type": "string", "description": f"May be empty. {PLAIN}"},
            "body": {
                "type": "string",
                "description": f"The translated story; blank lines part paragraphs. {PLAIN}",
            },
            "body_html": {
                "type": "string",
                "description": "The translated story as HTML, escaped as the story's body_html",
            },
            "url": {
                "type": "string",
                "format": "uri",
                "description": "The story's page in this language, showing the translation",
            },
        },
    },
    "StoryPage": {
        "type": "object",
        "required": ["stories", "next_cursor", "next"],
        "additionalProperties": False,
        "properties": {
            "stories": {"type": "array", "items": _ref("Story")},
            "next_cursor": {"type": ["string", "null"]},
            "next": {"type": ["string", "null"], "format": "uri"},
        },
    },
    "CountryCount": {
        "type": "object",
        "required": ["code", "name", "origin_count", "residence_count"],
        "additionalProperties": False,
        "properties": {
            "code": COUNTRY_CODE,
            "name": {"type": "string"},
            "origin_count": {"type": "integer", "minimum": 0},
            "residence_count": {"type": "integer", "minimum": 0},
        },
    },
    "ThemeCount": {
        "type": "object",
        "required": ["slug", "name", "count"],
        "additionalProperties": False,
        "properties": {
            "slug": {"type": "string"},
            "name": {"type": "string"},
            "count": {"type": "integer", "minimum": 0},
        },
    },
    "Journey": {
        "type": "object",
        "required": ["origin", "residence", "count"],
        "additionalProperties": False,
        "properties": {
            "origin": _ref("Country"),
            "residence": _ref("Country"),
            "count": {"type": "integer", "minimum": 1},
        },
    },
    "Stats": {
        "type": "object",
        "required": [
            "stories",
            "countries_of_origin",
            "countries_of_residence",
            "languages",
            "latest_published_at",
            "journeys",
        ],
        "additionalProperties": False,
        "properties": {
            "stories": {"type": "integer", "minimum": 0},
            "countries_of_origin": {"type": "integer", "minimum": 0},
            "countries_of_residence": {"type": "integer", "minimum": 0},
            "languages": {"type": "integer", "minimum": 0},
            "latest_published_at": {"type": ["string", "null"], "format": "date-time"},
            "journeys": {
                "type": "array",
                "items": _ref("Journey"),
                "description": "The ten most common journeys, from origin to residence",
            },
        },
    },
    "Error": {
        "type": "object",
        "required": ["error"],
        "additionalProperties": False,
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "additionalProperties": False,
                "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
            }
        },
    },
}


def _query(name: str, schema: dict, description: str) -> dict:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "schema": schema,
        "description": description,
    }


STORY_FILTERS = [
    _query("origin", {"type": "string", "pattern": "^[A-Za-z]{2}$"}, "Country of origin"),
    _query("residence", {"type": "string", "pattern": "^[A-Za-z]{2}$"}, "Country of residence"),
    _query("theme", {"type": "string"}, "Theme slug"),
    _query("language", {"type": "string"}, "Language code of the story"),
    _query("q", {"type": "string", "maxLength": 200}, "Words to search for"),
    _query(
        "sort",
        {"type": "string", "enum": list(listings.SORTS), "default": "newest"},
        "Order by publication date",
    ),
    _query("cursor", {"type": "string"}, "next_cursor of the previous page"),
    _query(
        "limit",
        {"type": "integer", "minimum": 1, "maximum": listings.MAX_LIMIT, "default": 20},
        "Stories per page",
    ),
]


def _get(summary: str, operation_id: str, ok: dict, **extra) -> dict:
    responses = {"200": ok, **extra.pop("responses", {}), **ERRORS}
    return {
        "get": {"summary": summary, "operationId": operation_id, "responses": responses, **extra}
    }


def openapi_document(server_url: str) -> dict:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "I am a migrant: stories API",
            "version": "1.0.0",
            "description": (
                "Read-only access to the published stories of the campaign. Only "
                "published stories appear; a withdrawn story disappears at once. "
                "Responses carry an ETag (send If-None-Match for a 304) and are "
                "rate-limited per address. Every text field (titles, quotes, the "
                "story, names, photo descriptions, country and theme names) is plain "
                "text as the storyteller wrote it, never HTML: a story may read "
                "<svg onload=...> as words, so escape text before putting it in a "
                "page, or use body_html, the story's paragraphs already escaped. "
                "Errors are JSON: {error: {status, message}}."
            ),
        },
        "servers": [{"url": server_url}],
        "paths": {
            "/stories": _get(
                "Published stories, newest first, by cursor pages",
                "listStories",
                _json(_ref("StoryPage"), "One page of stories"),
                parameters=STORY_FILTERS,
                responses={"400": _error("A filter, the limit or the cursor is not valid")},
            ),
            "/stories/{id}": _get(
                "One published story",
                "getStory",
                _json(_ref("Story"), "The story"),
                parameters=[
                    {
                        "name": "id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                    }
                ],
                responses={"404": _error("No published story with this id")},
            ),
            "/countries": _get(
                "Countries of origin and residence, with the number of stories",
                "listCountries",
                _json(
                    {
                        "type": "object",
                        "required": ["countries"],
                        "additionalProperties": False,
                        "properties": {
                            "countries": {"type": "array", "items": _ref("CountryCount")}
                        },
                    },
                    "Countries with at least one published story, by name",
                ),
            ),
            "/themes": _get(
                "Themes with the number of published stories",
                "listThemes",
                _json(
                    {
                        "type": "object",
                        "required": ["themes"],
                        "additionalProperties": False,
                        "properties": {"themes": {"type": "array", "items": _ref("ThemeCount")}},
                    },
                    "Every theme",
                ),
            ),
            "/stats": _get(
                "Numbers about the published stories",
                "getStats",
                _json(_ref("Stats"), "The numbers"),
            ),
        },
        "components": {"schemas": SCHEMAS},
    }
