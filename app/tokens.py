"""API tokens are stored as their SHA-256 digest, never in plain text."""

from __future__ import annotations

import hashlib


def hash_token(token: str) -> str:
    # Tokens are long random strings, so a fast unsalted digest is safe and lets the
    # lookup be one indexed equality instead of a comparison of secrets in Python.
    return hashlib.sha256(token.encode()).hexdigest()
