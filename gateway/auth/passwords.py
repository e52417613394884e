"""Password hashing with argon2id.

Resolvers use the ``*_off_loop`` forms: argon2 is CPU- and memory-hard (64 MiB per hash), so
it runs neither on the event loop nor unbounded in parallel, but on one small thread pool per
process that every password mutation shares.

Nothing is computed at import: the dummy hash and the thread pool are made at first use. The
test suite calls ``configure`` with cheap parameters (the same code paths and hash format at a
fraction of the cost); production never calls it and hashes with argon2-cffi's defaults.
"""

from __future__ import annotations

import asyncio
import threading
from concurrent.futures import ThreadPoolExecutor

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_DUMMY_PASSWORD = "not a real password: timing equaliser"
_lock = threading.Lock()
_hasher = PasswordHasher()  # argon2id, the library's RFC 9106 low-memory profile
# Verified when the email is unknown, so an unknown email costs as much as a wrong password;
# made with the current hasher at first use.
_dummy_hash: str | None = None
_kdf_threads: ThreadPoolExecutor | None = None


def configure(hasher: PasswordHasher | None = None) -> None:
    """Hash with ``hasher`` from now on; ``None`` restores the production default.

    Hashes made before still verify (each names its own parameters) and ``needs_rehash``
    compares them with the new hasher's.
    """
    global _hasher, _dummy_hash
    with _lock:
        _hasher = hasher if hasher is not None else PasswordHasher()
        _dummy_hash = None


def _dummy() -> str:
    global _dummy_hash
    with _lock:
        if _dummy_hash is None:
            _dummy_hash = _hasher.hash(_DUMMY_PASSWORD)
        return _dummy_hash


def _threads() -> ThreadPoolExecutor:
    global _kdf_threads
    with _lock:
        if _kdf_threads is None:
            _kdf_threads = ThreadPoolExecutor(max_workers=4, thread_name_prefix="password-kdf")
        return _kdf_threads


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _dummy(), password) and password_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


async def hash_password_off_loop(password: str) -> str:
    return await asyncio.get_running_loop().run_in_executor(_threads(), hash_password, password)


async def verify_password_off_loop(password_hash: str | None, password: str) -> bool:
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(_threads(), verify_password, password_hash, password)
