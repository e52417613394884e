"""scripts/refresh-graphiql: only a tarball matching the registry's sha512 integrity is
extracted, only the pinned files of it, and the committed assets match the manifest."""

from __future__ import annotations

import base64
import hashlib
import importlib.machinery
import importlib.util
import io
import json
import sys
import tarfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

SCRIPT = Path(__file__).resolve().parents[3] / "scripts" / "refresh-graphiql"
TARBALL_URL = "https://registry.npmjs.org/fake-ui/-/fake-ui-1.2.3.tgz"


def load_script() -> ModuleType:
    loader = importlib.machinery.SourceFileLoader("refresh_graphiql", str(SCRIPT))
    spec = importlib.util.spec_from_loader("refresh_graphiql", loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["refresh_graphiql"] = module  # dataclasses look their module up
    loader.exec_module(module)
    return module


refresh_graphiql = load_script()


def tarball(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def integrity(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


FAKE = refresh_graphiql.Package(
    "fake-ui",
    "1.2.3",
    (
        refresh_graphiql.Asset("dist/ui.min.js", "script"),
        refresh_graphiql.Asset("LICENSE", "license"),
    ),
)
GOOD = tarball(
    {
        "dist/ui.min.js": b"window.FakeUI = 1;",
        "dist/ui.js": b"// not pinned: not extracted",
        "LICENSE": b"MIT License",
        "package.json": b"{}",
    }
)


def registry(body: bytes, checksum: str) -> Callable[[str], bytes]:
    """A fake npm registry: the version document, then the tarball."""

    def fetch(url: str) -> bytes:
        if url == "https://registry.npmjs.org/fake-ui/1.2.3":
            document: dict[str, Any] = {
                "name": "fake-ui",
                "version": "1.2.3",
                "license": "MIT",
                "dist": {"tarball": TARBALL_URL, "integrity": checksum},
            }
            return json.dumps(document).encode()
        assert url == TARBALL_URL
        return body

    return fetch


def test_a_verified_tarball_gives_only_the_pinned_files_and_a_manifest(tmp_path: Path) -> None:
    manifest = refresh_graphiql.refresh(
        dest=tmp_path, packages=(FAKE,), fetch=registry(GOOD, integrity(GOOD))
    )
    assert sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*")) == [
        "MANIFEST.json",
        "fake-ui-1.2.3",
        "fake-ui-1.2.3/LICENSE",
        "fake-ui-1.2.3/ui.min.js",
    ]
    assert (tmp_path / "fake-ui-1.2.3" / "ui.min.js").read_bytes() == b"window.FakeUI = 1;"
    (entry,) = manifest["packages"]
    assert entry["version"] == "1.2.3" and entry["integrity"] == integrity(GOOD)
    assert entry["tarball"] == TARBALL_URL
    assert [f["path"] for f in entry["files"]] == ["ui.min.js", "LICENSE"]
    assert json.loads((tmp_path / "MANIFEST.json").read_text()) == manifest
    assert refresh_graphiql.check(tmp_path) == []


def test_a_tarball_that_does_not_match_its_integrity_is_refused(tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.json").write_text('{"packages": []}')
    tampered = tarball({"dist/ui.min.js": b"window.stealTokens();", "LICENSE": b"MIT"})
    with pytest.raises(refresh_graphiql.RefreshError, match="sha512 mismatch"):
        refresh_graphiql.refresh(
            dest=tmp_path, packages=(FAKE,), fetch=registry(tampered, integrity(GOOD))
        )
    assert [p.name for p in tmp_path.iterdir()] == ["MANIFEST.json"]  # nothing written


@pytest.mark.parametrize("checksum", ["", "sha1-Zm9v", "sha256-Zm9v"])
def test_an_integrity_without_sha512_is_refused(tmp_path: Path, checksum: str) -> None:
    with pytest.raises(refresh_graphiql.RefreshError, match="no sha512 integrity"):
        refresh_graphiql.refresh(dest=tmp_path, packages=(FAKE,), fetch=registry(GOOD, checksum))


def test_a_pinned_file_missing_from_the_tarball_is_refused(tmp_path: Path) -> None:
    partial = tarball({"LICENSE": b"MIT"})
    with pytest.raises(refresh_graphiql.RefreshError, match=r"no dist/ui\.min\.js"):
        refresh_graphiql.refresh(
            dest=tmp_path, packages=(FAKE,), fetch=registry(partial, integrity(partial))
        )


def test_only_the_npm_registry_is_downloaded_from() -> None:
    with pytest.raises(refresh_graphiql.RefreshError, match="outside the npm registry"):
        refresh_graphiql.fetch_url("https://cdn.example.com/graphiql.min.js")


def test_a_refresh_replaces_the_previous_versions_folder(tmp_path: Path) -> None:
    fetch = registry(GOOD, integrity(GOOD))
    refresh_graphiql.refresh(dest=tmp_path, packages=(FAKE,), fetch=fetch)
    (tmp_path / "fake-ui-1.2.3").rename(tmp_path / "fake-ui-1.0.0")
    manifest = json.loads((tmp_path / "MANIFEST.json").read_text())
    manifest["packages"][0]["directory"] = "fake-ui-1.0.0"
    (tmp_path / "MANIFEST.json").write_text(json.dumps(manifest))
    refresh_graphiql.refresh(dest=tmp_path, packages=(FAKE,), fetch=fetch)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["MANIFEST.json", "fake-ui-1.2.3"]


def test_the_committed_assets_match_their_manifest() -> None:
    assert refresh_graphiql.check() == []
    manifest = json.loads((refresh_graphiql.DEST / "MANIFEST.json").read_text())
    pins = {p.name: p.version for p in refresh_graphiql.PACKAGES}
    assert {p["name"]: p["version"] for p in manifest["packages"]} == pins
    for package in manifest["packages"]:
        assert package["integrity"].startswith("sha512-")
        assert package["tarball"].startswith("https://registry.npmjs.org/")
        assert {"LICENSE", "LICENSE.md"} & {f["path"] for f in package["files"]}
