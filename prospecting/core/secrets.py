"""Secrets stored in the database (API keys, passwords), encrypted with a key derived from SECRET_KEY.

Only the code that uses a secret decrypts it; forms and API answers never show it back.
"""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    key = hashlib.sha256(f"prospecting-secrets:{settings.SECRET_KEY}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def secret_encrypt(value: str) -> str:
    return _fernet().encrypt(value.encode()).decode() if value else ""


def secret_decrypt(token: str) -> str:
    """The secret, or "" when there is none or it was encrypted with another SECRET_KEY (enter it again)."""
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
