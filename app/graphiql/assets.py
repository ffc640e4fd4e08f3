"""GraphiQL's browser files, pinned, fetched from the npm registry and verified.

The server needs no Node: installing the package runs a build hook (hatch_build.py) that
downloads each pinned tarball, checks it against the `integrity` the registry published for it,
and extracts the few files the page loads into `static/` (gitignored, shipped in the wheel).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import shutil
import sys
import tarfile
import urllib.request
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

STATIC_DIR = Path(__file__).parent / "static"
# What was extracted from which tarball, with a digest of each file, to skip verified assets.
RECORD = "fetched.json"
DEFAULT_REGISTRY = "https://registry.npmjs.org"
FETCH_COMMAND = "python -m app.graphiql.assets"


@dataclass(frozen=True, slots=True)
class Asset:
    """Files of one npm package version, with the tarball's integrity from the registry."""

    package: str
    version: str
    # Paths inside the tarball's `package/` folder; each is served under `folder` by its name.
    files: tuple[str, ...]
    # `dist.integrity` of `npm view <package>@<version>`: "sha512-" + base64 of the digest.
    integrity: str

    @property
    def folder(self) -> str:
        # The version in the path makes every URL immutable, so it may be cached for good.
        return f"{self.package}-{self.version}"

    def tarball_url(self, registry: str) -> str:
        return f"{registry.rstrip('/')}/{self.package}/-/{self.package}-{self.version}.tgz"

    def served_paths(self) -> list[str]:
        """Paths of the files below the static folder, as `folder/name`."""
        return [f"{self.folder}/{Path(file).name}" for file in self.files]


# graphiql 3.x is the last line with a UMD bundle that runs without a bundler; its fonts are
# inlined in the CSS, so nothing is loaded from elsewhere. React 18 is its newest peer.
REACT = Asset(
    "react",
    "18.3.1",
    ("umd/react.production.min.js", "LICENSE"),
    "sha512-wS+hAgJShR0KhEvPJArfuPVN1+Hz1t0Y6n5jLrGQbkb4urgPE/0Rve+1kMB1v/oWgHgm4WIcV+i7F2pTVj+2iQ==",
)
REACT_DOM = Asset(
    "react-dom",
    "18.3.1",
    ("umd/react-dom.production.min.js", "LICENSE"),
    "sha512-5m4nQKp+rZRb09LNH59GM4BxTh9251/ylbKIbpe7TpGxfJ+9kv6BLkLBXIjjspbgbnIBNqlI23tRnTWT0snUIw==",
)
GRAPHIQL = Asset(
    "graphiql",
    "3.8.3",
    ("graphiql.min.js", "graphiql.min.css", "LICENSE"),
    "sha512-cuPDYtXVKV86Pu5PHBX642Odi/uVEE2y1Jxq5rGO/Qy1G2lRp7ZZ7a/T30RzxhuLSWo9zUbzq0P3U49//H0Ugw==",
)
ASSETS = (REACT, REACT_DOM, GRAPHIQL)


class AssetError(Exception):
    """A tarball that could not be downloaded, or is not the one pinned."""


def missing_files(directory: Path | None = None, assets: Sequence[Asset] = ASSETS) -> list[str]:
    """The pinned files absent from the static folder (a cheap check for every page load)."""
    directory = STATIC_DIR if directory is None else directory
    paths = (path for asset in assets for path in asset.served_paths())
    return [path for path in paths if not (directory / path).is_file()]


def fetch(
    directory: Path,
    download: Callable[[str], bytes],
    assets: Sequence[Asset] = ASSETS,
    registry: str = DEFAULT_REGISTRY,
) -> list[Asset]:
    """Bring the static folder to exactly the pinned files; returns the assets downloaded.

    An asset whose files are present and match what was extracted from its pinned tarball is
    left alone. Folders of other versions are removed, so the wheel ships only the pinned ones.
    """
    directory.mkdir(parents=True, exist_ok=True)
    record = _read_record(directory)
    fetched = []
    for asset in stale(directory, assets):
        tarball = download(asset.tarball_url(registry))
        _check_integrity(asset, tarball)
        files = _extract(asset, tarball, directory)
        record[asset.folder] = {"integrity": asset.integrity, "files": files}
        _write_record(directory, record)
        fetched.append(asset)
    wanted = {asset.folder for asset in assets}
    for path in directory.iterdir():
        if path.is_dir() and path.name not in wanted:
            shutil.rmtree(path)
    _write_record(directory, {folder: record[folder] for folder in wanted})
    return fetched


def stale(directory: Path, assets: Sequence[Asset] = ASSETS) -> list[Asset]:
    """The assets whose files are missing, or differ from what their pinned tarball held."""
    record = _read_record(directory)
    return [
        asset for asset in assets if not _is_current(asset, directory, record.get(asset.folder))
    ]


def download_url(url: str) -> bytes:
    """The body at url (urllib honours the usual proxy variables)."""
    if not url.startswith("https://"):
        raise AssetError(f"refusing to download {url}: only https:// registries are used")
    try:
        with urllib.request.urlopen(url, timeout=60) as response:  # noqa: S310 (https only)
            body: bytes = response.read()
    except OSError as error:
        raise AssetError(f"could not download {url}: {error}") from error
    return body


def _check_integrity(asset: Asset, tarball: bytes) -> None:
    algorithm, _, expected = asset.integrity.partition("-")
    if algorithm != "sha512":
        raise AssetError(f"{asset.folder}: only sha512 integrity is accepted, got {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(tarball).digest()).decode()
    if actual != expected:
        raise AssetError(
            f"{asset.folder}: the tarball's sha512 is {actual}, the pin says {expected};"
            " nothing was extracted"
        )


def _extract(asset: Asset, tarball: bytes, directory: Path) -> dict[str, str]:
    """Write the asset's files into a fresh folder; returns their SHA-256 digests by name."""
    staging = directory / f".{asset.folder}.partial"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    digests = {}
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for file in asset.files:
            # Read by name, never extractall: no path in the archive decides where we write.
            try:
                member = archive.getmember(f"package/{file}")
            except KeyError:
                raise AssetError(f"{asset.folder}: the tarball has no {file}") from None
            content = archive.extractfile(member) if member.isfile() else None
            if content is None:
                raise AssetError(f"{asset.folder}: {file} is not a regular file in the tarball")
            data = content.read()
            name = Path(file).name
            (staging / name).write_bytes(data)
            digests[name] = hashlib.sha256(data).hexdigest()
    target = directory / asset.folder
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return digests


def _is_current(asset: Asset, directory: Path, entry: object) -> bool:
    if not isinstance(entry, dict) or entry.get("integrity") != asset.integrity:
        return False
    digests = entry.get("files")
    names = [Path(file).name for file in asset.files]
    if not isinstance(digests, dict) or sorted(digests) != sorted(names):
        return False
    for name in names:
        path = directory / asset.folder / name
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digests[name]:
            return False
    return True


def _read_record(directory: Path) -> dict[str, dict[str, object]]:
    try:
        record = json.loads((directory / RECORD).read_text())
    except (OSError, ValueError):
        return {}
    return record if isinstance(record, dict) else {}


def _write_record(directory: Path, record: dict[str, dict[str, object]]) -> None:
    path = directory / RECORD
    partial = path.with_suffix(".partial")
    partial.write_text(json.dumps(record, indent=2, sort_keys=True) + "\n")
    partial.replace(path)


def main() -> int:
    # npm's own variable for a registry mirror; the pinned integrity still decides.
    registry = os.environ.get("NPM_CONFIG_REGISTRY") or DEFAULT_REGISTRY
    try:
        fetched = fetch(STATIC_DIR, download_url, registry=registry)
    except (AssetError, tarfile.TarError) as error:
        print(f"GraphiQL assets: {error}", file=sys.stderr)
        return 1
    for asset in fetched:
        print(f"GraphiQL assets: fetched and verified {asset.package} {asset.version}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
