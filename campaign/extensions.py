"""Flask extensions, created once here and bound to the app in ``create_app``."""

from flask_babel import Babel
from flask_caching import Cache
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    # Named constraints, so Alembic can alter them on SQLite and PostgreSQL alike.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


db = SQLAlchemy(model_class=Base)


@event.listens_for(db.Model, "instrument_class", propagate=True)
def _ids_never_repeat(mapper, _class) -> None:
    """Every model's table is AUTOINCREMENT on SQLite, so no table can forget it.

    Without it SQLite gives the id of a deleted newest row to the next insert,
    and a page opened before the delete (a moderator's, a storyteller's) would
    act on another row. Only single integer keys take it; PostgreSQL's sequences
    never hand out an id twice anyway.
    """
    mapper.local_table.dialect_kwargs["sqlite_autoincrement"] = True


login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
# Storage from RATELIMIT_STORAGE_URI: memory:// by default, redis://... in production
# so that limits hold across workers and instances. No default limits: each
# route that needs one says so.
limiter = Limiter(key_func=get_remote_address)
# Rendered public pages (campaign.publishing.pagecache): CACHE_TYPE from config,
# in-process by default, Redis in production.
cache = Cache()
