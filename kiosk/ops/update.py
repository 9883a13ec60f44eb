"""Kiosk versions side by side, updated from signed releases, with the previous one kept.

The install root holds:

    versions/<version>/     one unpacked archive per version (never changed after unpacking)
    release-keys/*.pem      the release public keys this kiosk trusts (installed with it)
    state.json              current, previous, staged, the version awaiting its first self-test,
                            and the versions refused (with why), replaced atomically
    downloads/              archives being downloaded (removed once unpacked)

`Updater.check()` (on the sync thread) asks central for the newest release, verifies its
manifest against the trusted release keys, refuses downgrades and versions refused before,
downloads the archive, checks its size and SHA-256, and only then unpacks it and marks it
**staged**. `install_staged()` makes the staged version current (the old current becomes
previous) and marks it for a self-test: the launcher (`kiosk.ops.launcher`) calls it when the kiosk
is not running, so a version is never replaced under a person at the gate. `roll_back()` makes
the previous version current again and records why, so the bad version is never retried.

Nothing here imports Qt; the data folder (database, keys) is elsewhere and never touched.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import tarfile
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path, PurePosixPath
from typing import Any

from healthcode.keys import PublicKey
from kiosk.client.releases import ReleaseClient
from sync.releases import (
    ReleaseError,
    ReleaseManifest,
    check_archive,
    current_platform,
    installed_manifest,
    is_newer,
    parse_version,
    trusted_keys,
    verify_manifest,
)

log = logging.getLogger(__name__)

STATE_FILE = "state.json"
VERSIONS_DIR = "versions"
KEYS_DIR = "release-keys"
DOWNLOADS_DIR = "downloads"
MANIFEST_FILE = "release.json"  # the signed manifest, kept next to each unpacked version
# Set by the launcher for the kiosk it starts: where it is installed and as which version.
INSTALL_ROOT_VARIABLE = "KIOSK_INSTALL_ROOT"
VERSION_VARIABLE = "KIOSK_RELEASE_VERSION"
EXIT_RESTART_FOR_UPDATE = 75  # the kiosk asks the launcher to start it again (update staged)
# Verdicts on a release itself: the same version offered again gets the same answer.
FINAL_REFUSALS = frozenset(
    {
        "bad_format",
        "unknown_key",
        "bad_signature",
        "wrong_platform",
        "downgrade",
        "refused_before",
        "store_too_old",
    }
)


@dataclass(frozen=True)
class InstallState:
    current: str | None = None
    previous: str | None = None
    staged: str | None = None
    awaiting_self_test: str | None = None  # installed, its first start not yet checked
    refused: dict[str, str] = field(default_factory=dict)  # version -> why


class UpdateError(Exception):
    """The install root cannot be used as asked (no version installed, a missing folder)."""


class InstallRoot:
    def __init__(self, path: Path) -> None:
        self.path = path

    @property
    def versions(self) -> Path:
        return self.path / VERSIONS_DIR

    def version_dir(self, version: str) -> Path:
        return self.versions / str(parse_version(version))

    # ------------------------------------------------------------ state

    def state(self) -> InstallState:
        try:
            data = json.loads((self.path / STATE_FILE).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return InstallState()
        return InstallState(
            current=data.get("current"),
            previous=data.get("previous"),
            staged=data.get("staged"),
            awaiting_self_test=data.get("awaiting_self_test"),
            refused=dict(data.get("refused", {})),
        )

    def save(self, state: InstallState) -> None:
        """Write the state to a new file, flush it to disk, then rename it over the old one:
        after a power cut the state is the old one or the new one, never half of each."""
        self.path.mkdir(parents=True, exist_ok=True)
        temporary = self.path / f".{STATE_FILE}.{secrets.token_hex(4)}"
        text = json.dumps(
            {
                "current": state.current,
                "previous": state.previous,
                "staged": state.staged,
                "awaiting_self_test": state.awaiting_self_test,
                "refused": state.refused,
            },
            indent=2,
            sort_keys=True,
        )
        with temporary.open("w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, self.path / STATE_FILE)

    def trusted_keys(self) -> list[PublicKey]:
        folder = self.path / KEYS_DIR
        files = sorted(folder.glob("*.pem")) if folder.is_dir() else []
        return trusted_keys(path.read_bytes() for path in files)

    def manifest(self, version: str) -> ReleaseManifest:
        """An installed version's manifest (verified when it was staged, not again: retiring
        a release key must not stop the versions it signed from starting)."""
        signed = (self.version_dir(version) / MANIFEST_FILE).read_bytes()
        return installed_manifest(signed)

    def entry(self, version: str) -> Path:
        """The program to start for `version`."""
        manifest = self.manifest(version)
        return self.version_dir(version).joinpath(*PurePosixPath(manifest.entry).parts)

    # ------------------------------------------------------------ changes

    def stage(self, signed_manifest: bytes, archive: Path, installed: str | None) -> str:
        """Verify the manifest and the archive, unpack it under versions/ and mark it staged;
        its version. Nothing is unpacked unless every check passed."""
        manifest = verify_manifest(signed_manifest, self.trusted_keys())
        check_offer(manifest, installed, self.state())
        check_archive(archive, manifest)
        target = self.version_dir(manifest.version)
        if not target.exists():
            unpacking = self.versions / f".unpacking-{secrets.token_hex(4)}"
            unpacking.mkdir(parents=True)
            try:
                unpack(archive, unpacking)
                entry = unpacking.joinpath(*PurePosixPath(manifest.entry).parts)
                if not entry.is_file():
                    raise ReleaseError("bad_archive", f"the archive has no {manifest.entry}")
                (unpacking / MANIFEST_FILE).write_bytes(signed_manifest)
                os.replace(unpacking, target)
            except BaseException:
                shutil.rmtree(unpacking, ignore_errors=True)
                raise
        self.save(replace(self.state(), staged=manifest.version))
        log.info("release %s staged", manifest.version)
        return manifest.version

    def install_staged(self) -> str | None:
        """Make the staged version current (call when the kiosk is idle or not running); the
        version installed, or None when nothing was staged."""
        state = self.state()
        staged = state.staged
        if staged is None:
            return None
        if not self.version_dir(staged).is_dir() or staged in state.refused:
            self.save(replace(state, staged=None))
            return None
        self.save(
            replace(
                state,
                current=staged,
                previous=state.current if state.current != staged else state.previous,
                staged=None,
                awaiting_self_test=staged,
            )
        )
        log.info("release %s installed (previous %s)", staged, state.current)
        return staged

    def self_test_passed(self, version: str) -> None:
        state = self.state()
        if state.awaiting_self_test == version:
            self.save(replace(state, awaiting_self_test=None))
        self.prune()

    def prune(self) -> list[str]:
        """Remove the unpacked versions other than current, previous and staged (a bundle is
        some 440 MB), and unpacking leftovers of an interrupted stage; the versions removed."""
        state = self.state()
        keep = {
            self.version_dir(version).name
            for version in (state.current, state.previous, state.staged)
            if version is not None
        }
        removed: list[str] = []
        for folder in sorted(self.versions.iterdir()) if self.versions.is_dir() else []:
            if folder.is_dir() and folder.name not in keep:
                shutil.rmtree(folder, ignore_errors=True)
                if not folder.name.startswith("."):
                    removed.append(folder.name)
        return removed

    def roll_back(self, why: str) -> str | None:
        """The current version failed: record why and make the previous one current again;
        the version now current (None when there is no previous one)."""
        state = self.state()
        failed = state.current
        if failed is None:
            raise UpdateError("no version is installed")
        refused = dict(state.refused)
        refused[failed] = why
        self.save(
            InstallState(
                current=state.previous,
                previous=None,
                staged=None if state.staged == failed else state.staged,
                awaiting_self_test=None,
                refused=refused,
            )
        )
        log.warning("release %s rolled back to %s: %s", failed, state.previous, why)
        return state.previous


def check_offer(
    manifest: ReleaseManifest,
    installed: str | None,
    state: InstallState,
    store_schema: int | None = None,
) -> None:
    """A verified manifest this kiosk may install: its platform, newer, not refused before,
    and able to migrate this kiosk's database (`store_schema`, when known) forward."""
    if manifest.platform != current_platform():
        raise ReleaseError(
            "wrong_platform", f"release for {manifest.platform}, this kiosk is {current_platform()}"
        )
    if installed is not None and not is_newer(manifest.version, installed):
        raise ReleaseError(
            "downgrade", f"release {manifest.version} is not newer than {installed}, installed"
        )
    if store_schema is not None and store_schema < manifest.min_store_schema:
        raise ReleaseError(
            "store_too_old",
            f"release {manifest.version} migrates databases from schema "
            f"{manifest.min_store_schema} on; this kiosk's is {store_schema}: install an "
            "intermediate release first",
        )
    if manifest.version in state.refused:
        raise ReleaseError(
            "refused_before",
            f"release {manifest.version} failed here before: {state.refused[manifest.version]}",
        )


def unpack(archive: Path, into: Path) -> None:
    """A `.tar.gz`/`.tgz`/`.tar` or `.zip` into a folder; members outside it are refused."""
    name = archive.name.lower()
    try:
        if name.endswith(".zip"):
            with zipfile.ZipFile(archive) as bundle:
                root = into.resolve()
                for member in bundle.namelist():
                    if not (into / member).resolve().is_relative_to(root):
                        raise ReleaseError("bad_archive", f"{member!r} points outside the folder")
                bundle.extractall(into)  # noqa: S202 - every member checked above
        else:
            with tarfile.open(archive) as bundle:
                bundle.extractall(into, filter="data")  # no absolute paths, links out, devices
    except (tarfile.TarError, zipfile.BadZipFile, OSError) as error:
        raise ReleaseError("bad_archive", f"{archive.name} cannot be unpacked: {error}") from None


@dataclass(frozen=True)
class CheckResult:
    """What one update check did: `staged` a version now waiting to be installed, or
    `refusal` why the offered release was not taken (None: nothing newer to take)."""

    staged: str | None = None
    refusal: ReleaseError | None = None

    @property
    def settled(self) -> bool:
        """Nothing to retry: the release was taken, there was none, or it was refused for a
        reason that asking again would not change (a network or central failure would)."""
        return self.refusal is None or self.refusal.reason in FINAL_REFUSALS


class Updater:
    """The update check the sync thread runs after its round (`check`)."""

    def __init__(
        self,
        root: InstallRoot,
        client: ReleaseClient,
        *,
        installed: str,
        platform: str | None = None,
        store_schema: int | None = None,
        on_staged: Callable[[str], None] | None = None,
    ) -> None:
        self.root = root
        self.store_schema = store_schema
        self.client = client
        self.installed = installed
        self.platform = platform or current_platform()
        self.on_staged = on_staged

    def check(self) -> CheckResult:
        state = self.root.state()
        try:
            signed = self.client.latest(self.platform)
            if signed is None:
                return CheckResult()
            manifest = verify_manifest(signed, self.root.trusted_keys())
            if manifest.version == self.installed or manifest.version == state.staged:
                return CheckResult(staged=state.staged)
            check_offer(manifest, self.installed, state, self.store_schema)
            downloads = self.root.path / DOWNLOADS_DIR
            downloads.mkdir(parents=True, exist_ok=True)
            archive = downloads / manifest.archive_name.replace("/", "_")
            try:
                self.client.download(manifest, archive)
                version = self.root.stage(signed, archive, self.installed)
            finally:
                archive.unlink(missing_ok=True)
        except ReleaseError as error:
            log.warning("update refused: %s", error)
            return CheckResult(staged=state.staged, refusal=error)
        if self.on_staged is not None:
            self.on_staged(version)
        return CheckResult(staged=version)


def updater_for(sync: Any, environment: Mapping[str, str]) -> Updater | None:
    """The update check for a kiosk the launcher started (it names the install root and the
    version in the environment), asking central through the sync thread's signed client;
    None when the kiosk runs without the launcher (from source, the demo)."""
    root, version = environment.get(INSTALL_ROOT_VARIABLE), environment.get(VERSION_VARIABLE)
    downloader = getattr(sync, "downloader", None)
    if not root or not version or downloader is None:
        return None
    from kiosk.store.schema import LATEST_VERSION  # the running kiosk migrated its store to it

    return Updater(
        InstallRoot(Path(root)),
        ReleaseClient(downloader.client, downloader.base),
        installed=version,
        store_schema=LATEST_VERSION,
    )
