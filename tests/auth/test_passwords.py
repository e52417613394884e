"""gateway/auth/passwords.py: argon2id with the library's defaults in production, nothing
computed at import, and a hasher the suite can swap for cheap parameters."""

from __future__ import annotations

import subprocess
import sys

from argon2 import PasswordHasher

from gateway.auth import passwords
from tests.conftest import TEST_PASSWORD_HASHER


def test_import_computes_nothing_and_production_uses_the_library_defaults() -> None:
    probe = (
        "from argon2 import PasswordHasher\n"
        "from gateway.auth import passwords as p\n"
        "assert p._dummy_hash is None and p._kdf_threads is None, 'work done at import'\n"
        "d = PasswordHasher()\n"
        "h = p._hasher\n"
        "assert (h.time_cost, h.memory_cost, h.parallelism, h.type) == "
        "(d.time_cost, d.memory_cost, d.parallelism, d.type)\n"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, timeout=60)


def test_configure_swaps_the_hasher_and_the_dummy_hash() -> None:
    strong = PasswordHasher()
    try:
        passwords.configure(None)
        assert passwords._hasher.memory_cost == strong.memory_cost
        assert passwords.needs_rehash(TEST_PASSWORD_HASHER.hash("x"))
    finally:
        passwords.configure(TEST_PASSWORD_HASHER)
    cheap = passwords.hash_password("correct horse")
    assert cheap.startswith("$argon2id$v=19$m=16,t=1,p=1$")
    assert passwords.verify_password(cheap, "correct horse")
    assert not passwords.verify_password(cheap, "wrong horse")
    assert not passwords.verify_password(None, "correct horse")  # the dummy, of today's hasher
    assert passwords._dummy_hash is not None
    assert passwords._dummy_hash.startswith("$argon2id$v=19$m=16,t=1,p=1$")


async def test_off_loop_forms_run_on_the_lazy_pool() -> None:
    hashed = await passwords.hash_password_off_loop("pool")
    assert await passwords.verify_password_off_loop(hashed, "pool")
    assert passwords._kdf_threads is not None
