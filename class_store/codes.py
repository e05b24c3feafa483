"""Class codes, teacher secrets and student tokens: random, from ``secrets``, and checked in constant time.

- A class code is 7 characters from 30 that cannot be misread (no 0/O, 1/I/L, U): 30^7 ≈ 2.2·10^10, 34 bits —
  a wrong guess finds one of 500 live classes once in 44 million tries.
- A teacher secret and a student token are 128 bits (``token_urlsafe(16)``). The store keeps only the secret's
  SHA-256 and compares digests with ``hmac.compare_digest``; a student token is the student's own credential
  (kept in their browser), never shown to anyone else (the store numbers students for everything it shows).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

CODE_ALPHABET = "ABCDEFGHJKMNPQRSTVWXYZ23456789"
CODE_LENGTH = 7
CODE_PATTERN = re.compile(rf"[{CODE_ALPHABET}]{{{CODE_LENGTH}}}")
SECRET_BYTES = 16  # 128 bits
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{22}")  # token_urlsafe(16): 22 characters


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def new_secret() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def new_token() -> str:
    return secrets.token_urlsafe(SECRET_BYTES)


def normalized_code(raw: str | None) -> str | None:
    """The code in ``raw`` (spaces, dashes and case forgiven: "abc-defg" is "ABCDEFG"), or None if it cannot be one."""
    if raw is None or len(raw) > 4 * CODE_LENGTH:
        return None
    code = re.sub(r"[\s-]", "", raw).upper()
    return code if CODE_PATTERN.fullmatch(code) else None


def is_token(raw: str | None) -> bool:
    """Whether ``raw`` has a token's form (anything else is refused before it reaches the store)."""
    return raw is not None and TOKEN_PATTERN.fullmatch(raw) is not None


def secret_digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "replace")).hexdigest()


def secret_matches(secret: str | None, digest: str) -> bool:
    """Constant time in the secret's content: the digests are compared, never the secrets."""
    if not secret or len(secret) > 256:
        return False
    return hmac.compare_digest(secret_digest(secret), digest)
