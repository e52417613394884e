"""Password hashing with argon2id.

Resolvers use the ``*_off_loop`` forms: argon2 is CPU- and memory-hard (64 MiB per hash), so
it runs neither on the event loop nor unbounded in parallel, but on one small thread pool per
process that every password mutation shares.
"""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()  # argon2id, the library's RFC 9106 low-memory profile
# Verified when the email is unknown, so an unknown email costs as much as a wrong password.
_DUMMY_HASH = _hasher.hash("not a real password: timing equaliser")
_kdf_threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="password-kdf")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


async def hash_password_off_loop(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_kdf_threads, hash_password, password)


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_kdf_threads, verify_password, password_hash, password)
