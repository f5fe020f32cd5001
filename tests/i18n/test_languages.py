from campaign.i18n.languages import STORY_LANGUAGES, language_choices, language_name


def test_story_languages_include_those_of_many_migrants(app):
    for code in ("en", "fr", "es", "ar", "fa", "fa-AF", "uk", "fi", "sq", "ps", "so", "ti"):
        assert code in STORY_LANGUAGES
    for code in ("ru", "tr", "de", "pt", "it"):
        assert code in STORY_LANGUAGES


def test_languages_are_named_for_the_reader_and_in_themselves(app):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        names = dict(language_choices())
        assert names["fi"] == "Finnish · suomi"
        assert names["en"] == "English"
        assert language_name("fa-AF") == "Persian (Afghanistan)"
        assert language_name("not a language") == "not a language"
        assert language_name("xx") == "xx"
        labels = [label.casefold() for _code, label in language_choices()]
        assert labels == sorted(labels)
