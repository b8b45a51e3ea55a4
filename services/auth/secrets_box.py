"""Encryption of tokens at rest (R6): Fernet (AES-128-CBC + HMAC) with key rotation (MultiFernet)."""

from __future__ import annotations

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from pydantic import SecretStr


class SecretBoxError(Exception):
    pass


class SecretBox:
    def __init__(self, keys: SecretStr | None) -> None:
        raw = [k.strip() for k in (keys.get_secret_value() if keys else "").split(",") if k.strip()]
        if not raw:
            raise SecretBoxError(
                "AUTH_ENCRYPTION_KEYS is not set: generate one with "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`"
            )
        try:
            self._fernet = MultiFernet([Fernet(k.encode()) for k in raw])
        except ValueError as exc:
            raise SecretBoxError(f"AUTH_ENCRYPTION_KEYS holds an invalid Fernet key ({exc})") from None

    def __repr__(self) -> str:
        return "SecretBox(**redacted**)"

    def encrypt(self, secret: SecretStr) -> bytes:
        return self._fernet.encrypt(secret.get_secret_value().encode())

    def decrypt(self, blob: bytes) -> SecretStr:
        try:
            return SecretStr(self._fernet.decrypt(blob).decode())
        except InvalidToken:
            raise SecretBoxError("stored secret cannot be decrypted with any configured key") from None

    def rotate(self, blob: bytes) -> bytes:
        """Re-encrypt with the first (newest) key."""
        try:
            return self._fernet.rotate(blob)
        except InvalidToken:
            raise SecretBoxError("stored secret cannot be decrypted with any configured key") from None
