"""Sample and synthetic data for development and benchmarks: ``flask --app campaign demo ...``.

Stories are written with bulk inserts (Core executemany, ids assigned here) so
that a large archive can be made in seconds: a benchmark needs 100,000.
"""

import hashlib
import random
import secrets
import time
from datetime import UTC, datetime, timedelta

import click
from flask import current_app
from sqlalchemy import func, insert, select, text

from campaign.config import is_production
from campaign.extensions import db
from campaign.models import (
    CONSENT_COLUMNS,
    Channel,
    NameDisplay,
    Story,
    StoryStatus,
    Theme,
    story_theme,
)
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


def _story_rows(rng: random.Random, count: int, first_id: int, now: datetime) -> list[dict]:
    languages = list(LANGUAGE_WEIGHTS)
    weights = list(LANGUAGE_WEIGHTS.values())
    rows = []
    for offset in range(count):
        story_id = first_id + offset
        language = rng.choices(languages, weights)[0]
        phrases = PHRASES[language]
        sentences = rng.sample(phrases, k=min(len(phrases), rng.randint(4, 6)))
        body = "\n\n".join(" ".join(sentences[i : i + 2]) for i in range(0, len(sentences), 2))
        title = sentences[0].rstrip(".。")[:80]
        published_at = now - timedelta(seconds=rng.randint(0, 3 * 365 * 86400))
        rows.append(
            {
                "id": story_id,
                "slug": f"story-{story_id}-{secrets.token_hex(3)}",
                "title": title,
                "quote": sentences[-1][:300],
                "body": body,
                "author_name": f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}",
                "name_display": rng.choice(list(NameDisplay)).value,
                "origin_country": rng.choices(ORIGINS, ORIGIN_WEIGHTS)[0],
                "residence_country": rng.choices(RESIDENCES, RESIDENCE_WEIGHTS)[0],
                "moved_year": rng.choice([None, *range(1990, 2026)]),
                "language": language,
                "contact_email": None,
                "token_hash": hashlib.sha256(secrets.token_bytes(16)).hexdigest(),
                "status": StoryStatus.PUBLISHED.value,
                "is_sample": True,
                "on_behalf": False,
                "age_confirmed": True,
                "consent_version": "demo",
                **{column: True for column in CONSENT_COLUMNS.values()},  # every channel shows
                "hidden": False,
                "created_at": published_at - timedelta(hours=rng.randint(1, 72)),
                "updated_at": published_at,
                "published_at": published_at,
                "version": 1,
            }
        )
    return rows


def seed_stories(count: int, *, seed: int | None = None, batch_size: int = 5000) -> int:
    """Insert ``count`` published sample stories with themes; return how many."""
    rng = random.Random(seed)  # noqa: S311 - synthetic content, not security
    theme_ids = list(db.session.scalars(select(Theme.id)))
    first_id = (db.session.scalar(select(func.max(Story.id))) or 0) + 1
    now = datetime.now(UTC)
    # Core inserts with plain values: bind each column once, skip the ORM per row.
    story_table = Story.__table__
    done = 0
    while done < count:
        size = min(batch_size, count - done)
        rows = _story_rows(rng, size, first_id + done, now)
        db.session.execute(insert(story_table), rows)
        if theme_ids:
            links = [
                {"story_id": row["id"], "theme_id": theme_id}
                for row in rows
                for theme_id in rng.sample(theme_ids, k=rng.randint(1, min(3, len(theme_ids))))
            ]
            db.session.execute(insert(story_theme), links)
        done += size
    # Core inserts bypass the session hook that usually recounts and bumps.
    stats.recount(db.session.connection())
    if db.engine.dialect.name == "postgresql":
        # Ids were assigned here; move the sequence past them.
        db.session.execute(
            text(
                "SELECT setval(pg_get_serial_sequence('story', 'id'), (SELECT max(id) FROM story))"
            )
        )
    return done


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


@demo.command("samples")
def samples_command() -> None:
    """Add a few published sample stories to an empty development database."""
    if is_production(current_app):
        raise click.ClickException("Sample stories are never added in production.")
    if db.session.scalar(select(func.count()).select_from(Story)):
        click.echo("The database already holds stories; no samples added.")
        return
    for title, name, origin, residence, body in SAMPLES:
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
    db.session.commit()
    click.echo(f"Added {len(SAMPLES)} sample stories, marked as samples.")


@demo.command("seed")
@click.option("--stories", "count", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--seed", "random_seed", type=int, default=None, help="Repeatable randomness.")
def seed_command(count: int, random_seed: int | None) -> None:
    """Fill the database with COUNT published synthetic stories (development and benchmarks)."""
    if is_production(current_app):
        raise click.ClickException("Synthetic stories are never added in production.")
    started = time.perf_counter()
    added = seed_stories(count, seed=random_seed)
    db.session.commit()
    elapsed = time.perf_counter() - started
    click.echo(
        f"Added {added} synthetic stories in {elapsed:.1f} s ({added / elapsed:,.0f} per second)."
    )
