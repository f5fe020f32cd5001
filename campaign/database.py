"""Database engine set-up, chiefly what SQLite needs to be safe under several workers."""

from contextlib import contextmanager
from contextvars import ContextVar

from flask import has_request_context, request
from sqlalchemy import event
from sqlalchemy.engine import Engine

from campaign.extensions import db

READ_ONLY_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_only_reading: ContextVar[bool] = ContextVar("only_reading", default=False)


@contextmanager
def only_reading():
    """Mark work outside a request as read-only, so SQLite won't take the write lock."""
    token = _only_reading.set(True)
    try:
        yield
    finally:
        _only_reading.reset(token)


@contextmanager
def reads_before_writing():
    """The reads and checks of a state-changing request, kept out of its write transaction.

    On SQLite such a request's transaction begins with BEGIN IMMEDIATE, which
    takes the database's single write lock at the first statement and keeps it
    until the commit, so every other worker that wants to write waits (in the
    busy handler's ever longer sleeps) for all the work in between. Inside this
    block statements run in a plain read transaction, which ends on the way
    out; the write transaction then begins at the first write and holds the
    lock only for the writes. Nothing may be written inside the block.
    """
    with only_reading():
        try:
            yield
        except BaseException:
            db.session.rollback()
            raise
        if db.session.new or db.session.dirty or db.session.deleted:
            db.session.rollback()
            raise RuntimeError("changes made while only reading would be lost")
        if db.session.get_bind().dialect.name == "sqlite":
            # PostgreSQL's reads take no lock that writers wait for: one
            # transaction there saves the round trips of a second one.
            db.session.rollback()  # ends the read transaction; there is nothing to undo


def is_sqlite(url: str) -> bool:
    return url.startswith("sqlite")


def engine_options(app) -> dict:
    """Engine options for the configured database, merged with the app's own."""
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    # A failed statement's error text would otherwise carry its parameters (a
    # report's words, a story's text) into the error log.
    options.setdefault("hide_parameters", True)
    if is_sqlite(app.config["SQLALCHEMY_DATABASE_URI"]):
        # The driver's timeout is SQLite's busy timeout: wait for a lock, don't fail.
        connect_args = {"timeout": app.config["SQLITE_BUSY_TIMEOUT_SECONDS"]}
        connect_args.update(options.get("connect_args", {}))
        options["connect_args"] = connect_args
    else:
        options.setdefault("pool_pre_ping", True)
    return options


def configure_sqlite(engine: Engine) -> None:
    """WAL, foreign keys, secure deletes, and write transactions that take the write
    lock up front.

    A deferred transaction that reads and then writes can't wait for the lock
    when another worker wrote in between: SQLite answers "database is locked"
    at once, whatever the busy timeout. Starting transactions of state-changing
    requests (and of CLI commands) with BEGIN IMMEDIATE makes them queue for
    the lock instead; reads stay deferred so they never block each other.
    """

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Deleted rows are overwritten with zeros, not just unlinked: a copy of the
        # file must not give back a story deleted for good (see forget_deleted_pages).
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        connection.exec_driver_sql("BEGIN IMMEDIATE" if _wants_write() else "BEGIN")


def configure_postgresql(engine: Engine) -> None:
    """Reads without a transaction around them: the statements of a read-only request
    (a public page) each run on their own (autocommit), so no BEGIN and ROLLBACK go
    to the server, two of a page's five or six round trips. Under PostgreSQL's READ
    COMMITTED each statement reads its own snapshot either way, so the reads see
    nothing different. The first statement that is not a plain read (a GET that
    records a moderator's viewing, makes a share card...) starts a transaction
    again, so its writes still commit or roll back together."""
    from psycopg.pq import TransactionStatus  # only where PostgreSQL is the database

    @event.listens_for(engine, "checkout")
    def _on_checkout(dbapi_connection, _record, _proxy):
        if dbapi_connection.info.transaction_status == TransactionStatus.IDLE:
            dbapi_connection.autocommit = not _wants_write()

    @event.listens_for(engine, "before_cursor_execute")
    def _before_execute(connection, _cursor, statement, _parameters, _context, _many):
        dbapi_connection = connection.connection.dbapi_connection
        if dbapi_connection.autocommit and not _is_plain_read(statement):
            dbapi_connection.autocommit = False


def _is_plain_read(statement: str) -> bool:
    head = statement.lstrip()[:6].upper()
    return head == "SELECT" and "FOR UPDATE" not in statement and "FOR SHARE" not in statement


def forget_deleted_pages(dbapi_connection) -> bool:
    """Copy the write-ahead log into the database file and empty it (SQLite).

    With secure_delete the database file holds zeros where deleted rows were, but
    only once the log's pages are copied back; until then the log still holds the
    pages as they were before, and after an ordinary checkpoint it keeps them until
    they happen to be overwritten. TRUNCATE copies everything and cuts the log to
    nothing. It waits (busy timeout) for readers of older snapshots; if one is still
    reading then, it returns True (busy) and the next checkpoint finishes the job.
    Run it outside any transaction, on a connection of its own.
    """
    busy, _log_pages, _copied = dbapi_connection.execute(
        "PRAGMA wal_checkpoint(TRUNCATE)"
    ).fetchone()
    return bool(busy)


# Rows ANALYZE reads per index on SQLite: approximate statistics, in tens of
# milliseconds whatever the database's size (62 ms at 20,000 stories).
STATISTICS_ROWS = 1000


def refresh_statistics(engine: Engine) -> None:
    """Give the query planner the tables' statistics (ANALYZE).

    SQLite keeps none until ANALYZE runs, and without them it guesses: the reader's
    language first page (gallery/queries.py) then walked every story newest first,
    probing each for a translation, instead of reading the few translations into the
    language (33 ms of a 48 ms page at 20,000 stories, 0.2 ms with statistics). Run
    where the data's shape is set or changes much: at a worker's start and after the
    demo data. PostgreSQL's autovacuum keeps its own; an explicit ANALYZE there serves
    a bulk load (``demo seed``) before it comes round.
    """
    with engine.connect() as connection:
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql(f"PRAGMA analysis_limit={STATISTICS_ROWS}")
        connection.exec_driver_sql("ANALYZE")
        connection.commit()


def refresh_statistics_at_worker_start(app) -> None:
    """A SQLite worker's start (gunicorn's post_worker_init): the statistics of the data
    as it is now. PostgreSQL's are autovacuum's. (Not every app served with
    gunicorn.conf.py has a database: the benchmark's baseline.)"""
    if "sqlalchemy" not in app.extensions:
        return
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            refresh_statistics(db.engine)


def _wants_write() -> bool:
    if _only_reading.get():
        return False
    if has_request_context():
        return request.method not in READ_ONLY_METHODS
    return True


def listen_once(target, listeners) -> None:
    """Attach (event name, function) pairs to a session (class or scoped session) once per
    process: apps made again (tests, the CLI) must not stack the same hook twice."""
    for name, listener in listeners:
        if not event.contains(target, name, listener):
            event.listen(target, name, listener)


def init_app(app) -> None:
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options(app)
    db.init_app(app)
    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            configure_sqlite(db.engine)
        else:
            configure_postgresql(db.engine)
