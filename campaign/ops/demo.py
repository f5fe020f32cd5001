"""Sample and synthetic data for development and benchmarks: ``flask --app campaign demo ...``.

Stories are written with bulk inserts (Core executemany, ids assigned here) so
that a large archive can be made in seconds: a benchmark needs 100,000.
"""

import contextlib
import dataclasses
import functools
import hashlib
import itertools
import random
import secrets
import time
from collections.abc import Iterator

import click
from flask import current_app
from sqlalchemy import Connection, func, select

from campaign.config import is_production
from campaign.database import refresh_statistics
from campaign.extensions import db
from campaign.gallery import search
from campaign.models import (
    CONSENT_COLUMNS,
    Channel,
    NameDisplay,
    Story,
    StoryStatus,
    Theme,
    Translation,
    TranslationStatus,
)
from campaign.models._types import utcnow
from campaign.ops import vocabulary
from campaign.publishing import stats
from campaign.submissions.services import create_story

# Where storytellers come from and where they live now, weighted roughly like
# the campaign's own stories.
ORIGINS = ["SY", "AF", "IQ", "UA", "AL", "SO", "ER", "NG", "CO", "VE", "IR", "ET", "MA", "PK", "SD"]
ORIGIN_WEIGHTS = [14, 12, 11, 10, 6, 6, 5, 5, 4, 4, 6, 4, 4, 5, 4]
RESIDENCES = ["DE", "FI", "SE", "FR", "ES", "IT", "GB", "US", "CA", "TR", "NL", "GR", "BE", "AT"]
RESIDENCE_WEIGHTS = [14, 10, 9, 9, 7, 7, 8, 6, 6, 8, 5, 4, 4, 3]

# A few phrases per language, combined into stories. Real storytellers write
# far better; this is only for volume.
PHRASES = {
    "en": [
        "I left home with one bag and my mother's recipes.",
        "The first winter was hard, but my neighbours taught me to skate.",
        "Today I work as a nurse in the hospital where my daughter was born.",
        "Learning the language took years, and I am still learning.",
        "My children speak three languages and dream in all of them.",
        "I miss the smell of bread from the bakery on our street.",
        "The volunteers at the library changed my life.",
        "Home is where people wait for you.",
    ],
    "fr": [
        "J'ai quitté mon pays avec un sac et les recettes de ma mère.",
        "Le premier hiver a été difficile, mais mes voisins m'ont aidé.",
        "Aujourd'hui je travaille comme infirmière à l'hôpital.",
        "Apprendre la langue a pris des années.",
        "Mes enfants parlent trois langues.",
        "La maison, c'est là où quelqu'un vous attend.",
    ],
    "es": [
        "Salí de casa con una maleta y las recetas de mi madre.",
        "El primer invierno fue duro, pero mis vecinos me ayudaron.",
        "Hoy trabajo como enfermera en el hospital.",
        "Aprender el idioma me llevó años.",
        "Mis hijos hablan tres idiomas.",
        "El hogar es donde alguien te espera.",
    ],
    "ar": [
        "غادرت بيتي بحقيبة واحدة ووصفات أمي.",
        "كان الشتاء الأول صعبا، لكن جيراني ساعدوني.",
        "اليوم أعمل ممرضة في المستشفى.",
        "تعلم اللغة استغرق سنوات.",
        "أطفالي يتكلمون ثلاث لغات.",
        "البيت هو حيث ينتظرك أحد.",
    ],
    "fa": [
        "با یک کیف و دستورهای آشپزی مادرم خانه را ترک کردم.",
        "زمستان اول سخت بود، اما همسایه‌هایم کمکم کردند.",
        "امروز در بیمارستان پرستار هستم.",
        "یادگرفتن زبان سال‌ها طول کشید.",
        "فرزندانم به سه زبان حرف می‌زنند.",
        "خانه جایی است که کسی منتظرت است.",
    ],
    "uk": [
        "Я поїхала з дому з однією сумкою і маминими рецептами.",
        "Перша зима була важкою, але сусіди мені допомогли.",
        "Сьогодні я працюю медсестрою в лікарні.",
        "Вивчення мови тривало роки.",
        "Мої діти говорять трьома мовами.",
        "Дім там, де на тебе чекають.",
    ],
    "fi": [
        "Lähdin kotoa yhden laukun ja äitini reseptien kanssa.",
        "Ensimmäinen talvi oli vaikea, mutta naapurit auttoivat.",
        "Nykyään työskentelen sairaanhoitajana.",
        "Kielen oppiminen kesti vuosia.",
        "Lapseni puhuvat kolmea kieltä.",
        "Koti on siellä, missä joku odottaa.",
    ],
}
LANGUAGE_WEIGHTS = {"en": 40, "fr": 10, "es": 10, "ar": 15, "fa": 10, "uk": 10, "fi": 5}
NAMES = ["Amina", "Karim", "Olena", "Mateo", "Layla", "Yusuf", "Daria", "Sami", "Noor", "Elira"]
SURNAMES = ["Haddad", "Rahimi", "Kovalenko", "Gómez", "Hassan", "Berisha", "Ahmadi", "Osman"]


VOCABULARIES = ("zipf", "phrases")
# Words of a story, a title and a quote in the Zipf vocabulary (drawn from windows of
# a long text per language, itself drawn word by word).
ZIPF_EXPONENT = 1.1
POOL_WORDS = 120_000
SENTENCE_WORDS = (6, 16)
BODY_PARAGRAPH_WORDS = (20, 40)
# The story table's columns a seeded story fills, in the order of the rows made here.
COLUMNS = (
    "id", "slug", "title", "quote", "body", "author_name", "name_display", "origin_country",
    "residence_country", "moved_year", "language", "on_behalf", "age_confirmed",
    "consent_version", *CONSENT_COLUMNS.values(), "hidden", "token_hash", "status",
    "is_sample", "created_at", "updated_at", "published_at", "public_updated_at",
    "detail_kinds", "version", "text_version",
)  # fmt: skip
SPREAD_SECONDS = 3 * 365 * 86400


@dataclasses.dataclass(frozen=True)
class _Pool:
    """A long text whose words follow Zipf's law. A window of it is one slice, cut at
    spaces, as long as the words asked for are on average: no list of words to join."""

    text: str
    word_length: float  # characters per word, with its space

    def window(self, rng: random.Random, low: int, high: int) -> str:
        span = int((low + rng.random() * (high - low + 1)) * self.word_length)
        start = self.text.find(" ", int(rng.random() * (len(self.text) - span))) + 1
        end = self.text.rfind(" ", start, start + span)
        text = self.text[start : end if end > start else self.text.find(" ", start)]
        return text[0].upper() + text[1:]


@functools.cache
def _zipf_pool(language: str) -> _Pool:
    """A long text in ``language`` whose words follow Zipf's law (rank r drawn with
    weight 1/r^s), cut into sentences; stories are windows of it. Made once per
    process, from its own fixed randomness."""
    rng = random.Random(f"zipf-{language}")  # noqa: S311 - synthetic content
    words = vocabulary.words(language)
    cumulative = list(
        itertools.accumulate(1 / rank**ZIPF_EXPONENT for rank in range(1, len(words) + 1))
    )
    drawn = rng.choices(words, cum_weights=cumulative, k=POOL_WORDS)
    sentences: list[str] = []
    position, low, high = 0, *SENTENCE_WORDS
    while position < len(drawn):
        sentence = drawn[position : position + rng.randint(low, high)]
        sentences.append(" ".join(sentence).capitalize() + ".")
        position += len(sentence)
    text = " ".join(sentences) + " "
    return _Pool(text, len(text) / POOL_WORDS)


def _texts_zipf(rng: random.Random, language: str) -> tuple[str, str, str]:
    pool = _zipf_pool(language)
    title = pool.window(rng, 3, 7).rstrip(".")
    quote = pool.window(rng, 8, 20).rstrip(".")[:299] + "."
    low, high = BODY_PARAGRAPH_WORDS
    paragraphs = [pool.window(rng, low, high) for _ in range(2 + int(rng.random() * 3))]
    return title, quote, ".\n\n".join(p.rstrip(".") for p in paragraphs) + "."


def _texts_phrases(rng: random.Random, language: str) -> tuple[str, str, str]:
    """The old demo text: a few phrases per language, so every word is in most stories
    of its language (the worst case of search)."""
    phrases = PHRASES[language]
    sentences = rng.sample(phrases, k=min(len(phrases), rng.randint(4, 6)))
    body = "\n\n".join(" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2))
    return sentences[0].rstrip(".。")[:80], sentences[-1][:300], body


TEXTS = {"zipf": _texts_zipf, "phrases": _texts_phrases}


def _sqlite_time(seconds: int) -> str:
    """A UTC time as SQLAlchemy stores it on SQLite (and sorts it: one format for all)."""
    return time.strftime("%Y-%m-%d %H:%M:%S.000000", time.gmtime(seconds))


def _postgresql_time(seconds: int) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S+00", time.gmtime(seconds))


def _story_rows(
    rng: random.Random, count: int, first_id: int, now: float, texts, stamp
) -> Iterator[tuple]:
    """Rows of COLUMNS: published sample stories, every channel consented to."""
    languages = rng.choices(list(LANGUAGE_WEIGHTS), list(LANGUAGE_WEIGHTS.values()), k=count)
    origins = rng.choices(ORIGINS, ORIGIN_WEIGHTS, k=count)
    residences = rng.choices(RESIDENCES, RESIDENCE_WEIGHTS, k=count)
    displays = [display.value for display in NameDisplay]
    years = [None, *range(1990, 2026)]
    published = StoryStatus.PUBLISHED.value
    names = [f"{name} {surname}" for name in NAMES for surname in SURNAMES]
    draw = rng.random  # index arithmetic on one draw: randrange and choice cost far more
    for offset in range(count):
        story_id = first_id + offset
        language = languages[offset]
        title, quote, body = texts(rng, language)
        # Later ids published later, as on the live site: the date indexes grow at one end.
        published_at = int(now - SPREAD_SECONDS * (count - offset - draw()) / count)
        shown = stamp(published_at)
        yield (
            story_id,
            f"story-{story_id}-{rng.getrandbits(24):06x}",
            title,
            quote,
            body,
            names[int(draw() * len(names))],
            displays[int(draw() * len(displays))],
            origins[offset],
            residences[offset],
            years[int(draw() * len(years))],
            language,
            False,  # on behalf
            True,  # age confirmed
            "demo",
            *(True,) * len(CONSENT_COLUMNS),
            False,  # hidden
            hashlib.sha256(secrets.token_bytes(16)).hexdigest(),  # a token nobody holds
            published,
            True,  # a sample
            stamp(published_at - 3600 - int(draw() * 71 * 3600)),
            shown,
            shown,
            shown,
            "",
            1,
            1,
        )


_INDEX_NEW_STORIES = (
    "INSERT INTO story_search(rowid, title, quote, body) "  # noqa: S608 - constant names
    f"SELECT search_key, title, quote, body FROM {search.FTS_SOURCE} WHERE id >= ?"
)


# FTS5's own setting (fts5_config.c), kept in the index's config table.
_FTS_HASH_SIZE = "INSERT INTO story_search(story_search, rank) VALUES ('hashsize', ?)"
FTS_HASH_BYTES = 1024 * 1024  # FTS5's default, for the site's own small writes
BULK_FTS_HASH_BYTES = 256 * 1024 * 1024


def _theme_links(rng: random.Random, story_ids: range, theme_ids: list[int]) -> Iterator[tuple]:
    most = min(3, len(theme_ids))
    for story_id in story_ids if theme_ids else ():
        for theme_id in rng.sample(theme_ids, k=rng.randint(1, most)):
            yield story_id, theme_id


def _sqlite_load(driver, first_id: int, rows, links, _count: int) -> None:
    """executemany of prepared tuples; the search index filled once, from the new rows,
    instead of by its trigger row by row."""
    cursor = driver.cursor()
    cursor.execute("DROP TRIGGER IF EXISTS story_search_ai")
    cursor.executemany(
        f"INSERT INTO story ({', '.join(COLUMNS)}) VALUES ({', '.join('?' * len(COLUMNS))})",  # noqa: S608 - constant names
        rows,
    )
    cursor.executemany("INSERT INTO story_theme (story_id, theme_id) VALUES (?, ?)", links)
    # FTS5 gathers new entries in memory and writes a segment each time they pass its
    # hash size (1 MB), merging segments as they pile up: with room for all of them
    # the index is written in far fewer, larger segments (81 to 45 µs a story).
    cursor.execute(_FTS_HASH_SIZE, (BULK_FTS_HASH_BYTES,))
    cursor.execute(_INDEX_NEW_STORIES, (first_id,))
    cursor.execute(_FTS_HASH_SIZE, (FTS_HASH_BYTES,))
    cursor.execute(next(ddl for ddl in search.SQLITE_DDL if "story_search_ai" in ddl))
    cursor.close()


# Above this many new stories, PostgreSQL's secondary indexes of the story table (not
# its keys) and the links' checks of their story and theme (foreign keys, one lookup
# per row as each row arrives) are dropped for the COPY and made again after it, in
# the same transaction: one sorted build, one checking join, cost far less than a
# million inserts into each index and two million lookups.
REBUILD_INDEXES_FROM = 20_000
_SECONDARY_INDEXES = (
    "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'story' "
    "AND indexname NOT IN (SELECT conname FROM pg_constraint)"
)
_LINK_CHECKS = (
    "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
    "WHERE conrelid = 'story_theme'::regclass AND contype = 'f'"
)


def _postgresql_load(driver, _first_id: int, rows, links, count: int) -> None:
    """COPY: the stored tsvector column is computed by the server as each row arrives."""
    with driver.cursor() as cursor:
        cursor.execute("SET LOCAL synchronous_commit = off")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        indexes, checks = [], []
        if count >= REBUILD_INDEXES_FROM:
            indexes = cursor.execute(_SECONDARY_INDEXES).fetchall()
            checks = cursor.execute(_LINK_CHECKS).fetchall()
            for name, _definition in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
            for name, _definition in checks:
                cursor.execute(f'ALTER TABLE story_theme DROP CONSTRAINT "{name}"')
        with cursor.copy(f"COPY story ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        with cursor.copy("COPY story_theme (story_id, theme_id) FROM STDIN") as copy:
            for link in links:
                copy.write_row(link)
        for _name, definition in indexes:
            cursor.execute(definition)
        for name, definition in checks:
            cursor.execute(f'ALTER TABLE story_theme ADD CONSTRAINT "{name}" {definition}')
        # Ids were assigned here; move the sequence past them.
        cursor.execute(
            "SELECT setval(pg_get_serial_sequence('story', 'id'), (SELECT max(id) FROM story))"
        )


def seed_stories(
    count: int,
    *,
    seed: int | None = None,
    vocabulary_name: str = "zipf",
    connection: Connection | None = None,
) -> int:
    """Insert ``count`` published sample stories with themes, in the transaction of
    ``connection`` (the session's by default), and keep the public counts; return how many.

    The rows are tuples handed to the driver (executemany on SQLite, COPY on
    PostgreSQL), not dictionaries through SQLAlchemy: a million in under a minute.
    """
    rng = random.Random(seed)  # noqa: S311 - synthetic content, not security
    connection = connection if connection is not None else db.session.connection()
    theme_ids = list(connection.scalars(select(Theme.id)))
    first_id = (connection.scalar(select(func.max(Story.id))) or 0) + 1
    sqlite = connection.dialect.name == "sqlite"
    stamp = _sqlite_time if sqlite else _postgresql_time
    # Streamed to the driver: a million stories are never all in memory at once.
    rows = _story_rows(rng, count, first_id, time.time(), TEXTS[vocabulary_name], stamp)
    links = _theme_links(rng, range(first_id, first_id + count), theme_ids)
    load = _sqlite_load if sqlite else _postgresql_load
    load(connection.connection.driver_connection, first_id, rows, links, count)
    # Writes that bypass the session hooks: count afresh and bump the public version.
    stats.recount(connection)
    return count


@contextlib.contextmanager
def fast_load(connection: Connection):
    """SQLite: no journal on disk and no fsync while a bulk load runs (one transaction,
    a throw-away demo database), then the app's own settings again."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    journal = driver.execute("PRAGMA journal_mode").fetchone()[0]
    synchronous = driver.execute("PRAGMA synchronous").fetchone()[0]
    driver.execute("PRAGMA journal_mode=MEMORY")
    driver.execute("PRAGMA synchronous=OFF")
    driver.execute("PRAGMA cache_size=-262144")  # 256 MB for the indexes being built
    try:
        yield
    finally:
        driver.execute(f"PRAGMA journal_mode={journal}")
        driver.execute(f"PRAGMA synchronous={int(synchronous)}")
        driver.execute("PRAGMA cache_size=-2000")


demo = click.Group("demo", help="Sample data for development.")

SAMPLES = [
    (
        "Sample: the bakery on the corner",
        "Amina",
        "SY",
        "DE",
        "This is a sample story, made up to show how the gallery looks.\n\n"
        "When I arrived I did not speak the language. The baker on the corner taught me "
        "one new word every morning with my bread.",
    ),
    (
        "Sample: learning to drive in the snow",
        "Mateo",
        "CO",
        "FI",
        "This is a sample story, made up to show how the gallery looks.\n\n"
        "My first winter in the north I learned that snow has many names and that a car "
        "can dance on ice. Now I teach new arrivals how to drive safely.",
    ),
    (
        "Sample: a garden on the balcony",
        "Olena",
        "UA",
        "PL",
        "This is a sample story, made up to show how the gallery looks.\n\n"
        "I brought seeds from my grandmother's garden. Tomatoes grow on my balcony now, "
        "and the neighbours come to taste them.",
    ),
]

# Volunteers' translations of the samples (published, as after review), so that a
# French or Arabic visitor of a development site meets the translated gallery.
SAMPLE_TRANSLATIONS = [
    {
        "fr": (
            "Exemple : la boulangerie du coin",
            "Ceci est un récit d'exemple, inventé pour montrer la galerie.\n\n"
            "À mon arrivée, je ne parlais pas la langue. Le boulanger du coin m'apprenait "
            "un mot nouveau chaque matin avec mon pain.",
        ),
        "ar": (
            "مثال: المخبز عند الزاوية",
            "هذه قصة مثال، مؤلَّفة لتُظهر كيف يبدو المعرض.\n\n"
            "عندما وصلت لم أكن أتكلم اللغة. كان الخبّاز عند الزاوية يعلّمني كلمة جديدة "
            "كل صباح مع خبزي.",
        ),
    },
    {
        "fr": (
            "Exemple : apprendre à conduire dans la neige",
            "Ceci est un récit d'exemple, inventé pour montrer la galerie.\n\n"
            "Mon premier hiver dans le Nord, j'ai appris que la neige a beaucoup de noms et "
            "qu'une voiture peut danser sur la glace. Aujourd'hui, j'apprends aux nouveaux "
            "arrivants à conduire prudemment.",
        ),
    },
    {},
]


@demo.command("samples")
def samples_command() -> None:
    """Add a few published sample stories to an empty development database."""
    if is_production(current_app):
        raise click.ClickException("Sample stories are never added in production.")
    if db.session.scalar(select(func.count()).select_from(Story)):
        click.echo("The database already holds stories; no samples added.")
        return
    for (title, name, origin, residence, body), translations in zip(
        SAMPLES, SAMPLE_TRANSLATIONS, strict=True
    ):
        story, _token = create_story(
            title=title,
            body=body,
            author_name=name,
            origin_country=origin,
            residence_country=residence,
            contact_email=None,
            is_sample=True,
            channels=set(Channel),
        )
        story.move_to(StoryStatus.PUBLISHED)
        for language, (translated_title, translated_body) in translations.items():
            story.translations.append(
                Translation(
                    language=language,
                    title=translated_title,
                    body=translated_body,
                    status=TranslationStatus.PUBLISHED,
                    published_at=utcnow(),
                )
            )
    db.session.commit()
    refresh_statistics(db.engine)
    click.echo(f"Added {len(SAMPLES)} sample stories, marked as samples.")


@demo.command("seed")
@click.argument("count", type=click.IntRange(min=1), required=False)
@click.option("--stories", "stories", type=click.IntRange(min=1), help="The same as COUNT.")
@click.option("--seed", "random_seed", type=int, default=None, help="Repeatable randomness.")
@click.option(
    "--vocabulary",
    type=click.Choice(VOCABULARIES),
    default="zipf",
    show_default=True,
    help="zipf: real words per language, Zipf-distributed; phrases: a few phrases "
    "(every word in most stories: the worst case of search).",
)
def seed_command(
    count: int | None, stories: int | None, random_seed: int | None, vocabulary: str
) -> None:
    """Fill the database with COUNT (default 1000) published synthetic stories."""
    if is_production(current_app):
        raise click.ClickException("Synthetic stories are never added in production.")
    count = count or stories or 1000
    started = time.perf_counter()
    db.session.commit()
    with db.engine.connect() as connection, fast_load(connection), connection.begin():
        added = seed_stories(
            count, seed=random_seed, vocabulary_name=vocabulary, connection=connection
        )
    refresh_statistics(db.engine)
    elapsed = time.perf_counter() - started
    click.echo(
        f"Added {added} synthetic stories in {elapsed:.1f} s ({added / elapsed:,.0f} per second)."
    )
