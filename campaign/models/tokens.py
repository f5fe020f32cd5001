"""Secrets stored only as their digest: private links, invitations, recovery codes,
the keys of staged photos.

They are 128 to 256 random bits, so they need no slow password hash: a plain
SHA-256 keeps each lookup one indexed equality and costs microseconds.
"""

import hashlib
import hmac

from sqlalchemy import select

from campaign.extensions import db

MAX_TOKEN_LENGTH = 100  # longer than any token we hand out; anything longer is not one


def hash_secret(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def find_by_token(model, token: str | None, *conditions):
    """The row of ``model`` whose ``token_hash`` is this token's digest (and that
    meets any further ``conditions``), or None."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    wanted = hash_secret(token)
    row = db.session.scalar(select(model).where(model.token_hash == wanted, *conditions))
    # The lookup is by hash already; compare in constant time all the same.
    if row is None or not hmac.compare_digest(row.token_hash, wanted):
        return None
    return row
