"""Login codes and session tokens: random, stored only as SHA-256, expiring, with a role, revocable."""
from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from . import clock
from .config import PERMISSIONS
from .db import Token, User

CODE_DAYS = 14


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def new_code(session: Session, user: User) -> str:
    """A fresh one-time login code for ``user``; earlier unused codes stop working."""
    now = clock.wall()
    session.execute(update(Token).where(Token.user_id == user.id, Token.kind == "code", Token.used_at.is_(None),
                                        Token.revoked_at.is_(None)).values(revoked_at=now))
    code = "-".join(secrets.token_hex(3) for _ in range(3))
    session.add(Token(user_id=user.id, kind="code", digest=digest(code), created_at=now,
                      expires_at=now + timedelta(days=CODE_DAYS)))
    return code


def redeem(session: Session, code: str, token_days: int) -> tuple[User, str] | None:
    """Trade a one-time code for a session token, or None if the code is unknown, used, revoked or expired."""
    now = clock.wall()
    row = session.scalars(select(Token).where(Token.digest == digest(code.strip()), Token.kind == "code")).first()
    if row is None or row.used_at or row.revoked_at or row.expires_at < now:
        return None
    row.used_at = now
    token = secrets.token_urlsafe(32)
    session.add(Token(user_id=row.user_id, kind="session", digest=digest(token), created_at=now,
                      expires_at=now + timedelta(days=token_days)))
    return session.get(User, row.user_id), token  # type: ignore[return-value]


def authenticate(session: Session, token: str) -> User | None:
    """The user a session token belongs to, if it is valid now."""
    row = session.scalars(select(Token).where(Token.digest == digest(token), Token.kind == "session")).first()
    if row is None or row.revoked_at or row.expires_at < clock.wall():
        return None
    return session.get(User, row.user_id)


def revoke(session: Session, user: User, token: str | None = None) -> int:
    """Revoke one session token, or every token of the user; how many."""
    query = update(Token).where(Token.user_id == user.id, Token.revoked_at.is_(None))
    if token is not None:
        query = query.where(Token.digest == digest(token))
    return session.execute(query.values(revoked_at=clock.wall())).rowcount


def permissions(user: User, ta_permissions: frozenset[str]) -> frozenset[str]:
    """What a role may do: an instructor everything, a TA what the course file grants, a student nothing."""
    if user.role == "instructor":
        return frozenset(PERMISSIONS)
    if user.role == "ta":
        return ta_permissions
    return frozenset()
