"""Stored configuration versions: compressed files named by digest, indexed in the database.

A fetched configuration is normalized (:func:`~noc.configs.normalize.normalize`),
hashed (sha256 of its UTF-8 bytes: the *digest*) and written gzip-compressed
to ``ROOT/objects/<first 2 hex>/<other 62 hex>.gz`` — atomically (temp file
and rename), mode 0600 in 0700 directories, since configurations hold
secrets. Identical contents share one file (content addressing). A row of
:class:`~inventory.records.ConfigVersion` per device and version records when
it was fetched, its size and how many lines changed; a fetch whose digest
equals the device's newest version stores nothing.

Revisions are numbered 1..n per device in the order they were stored. Reading
verifies the digest, so a missing or damaged file is an error naming it, never
a silently wrong configuration. Views and diffs are masked
(:mod:`noc.configs.mask`); only ``text(..., masked=False)`` returns the raw
text, for a restore. One writer per device at a time (the scheduler runs one
backup per device).
"""

from __future__ import annotations

import gzip
import hashlib
import logging
import os
import tempfile
import zlib
from contextlib import suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from inventory.models import utcnow
from inventory.records import ConfigVersion
from noc.configs.diff import change_counts, masked_diff
from noc.configs.mask import mask_secrets
from noc.configs.normalize import normalize

__all__ = ["ConfigObjectError", "ConfigStore", "Rev", "SavedVersion", "VersionInfo",
           "resolve_rev"]

log = logging.getLogger(__name__)

Rev = int | str  # 1..n, "latest", or a digest prefix (at least 4 hex digits)
_MIN_PREFIX = 4


class ConfigObjectError(RuntimeError):
    """A stored configuration file is missing or does not match its digest."""

    def __init__(self, message: str, digest: str) -> None:
        super().__init__(message)
        self.digest = digest


@dataclass(frozen=True, slots=True)
class VersionInfo:
    """One stored version of a device's configuration."""

    rev: int
    digest: str
    fetched_at: datetime  # naive UTC
    size: int  # bytes of the normalized text
    lines_added: int  # against the version before (all lines for the first)
    lines_removed: int


@dataclass(frozen=True, slots=True)
class SavedVersion:
    """What :meth:`ConfigStore.save` stored: the device and its new version."""

    device: str
    version: VersionInfo

    @property
    def first(self) -> bool:
        """Whether this is the device's first stored version."""
        return self.version.rev == 1


def _naive_utc(at: datetime) -> datetime:
    return at.astimezone(UTC).replace(tzinfo=None) if at.tzinfo else at


class ConfigStore:
    """Configuration versions under ``root``, indexed through ``sessions``."""

    def __init__(self, root: Path, sessions: sessionmaker[Session]) -> None:
        self.root = root
        self._sessions = sessions

    # -- writing -----------------------------------------------------------------------------

    def save(self, device: str, text: str, at: datetime | None = None) -> SavedVersion | None:
        """Store ``text`` as the device's newest version; None when it did not change."""
        normalized = normalize(text)
        if not normalized:
            raise ValueError(f"empty configuration for device {device!r}: not stored")
        data = normalized.encode("utf-8")
        digest = hashlib.sha256(data).hexdigest()
        with self._sessions.begin() as session:
            rows = self._rows(session, device)
            previous = rows[-1] if rows else None
            if previous is not None and previous.digest == digest:
                return None
            self._write_object(digest, data)
            added, removed = change_counts(self._previous_text(previous), normalized)
            info = VersionInfo(len(rows) + 1, digest, _naive_utc(at) if at else utcnow(),
                               len(data), added, removed)
            session.add(ConfigVersion(device=device, digest=digest, fetched_at=info.fetched_at,
                                      size=info.size, lines_added=added, lines_removed=removed))
        return SavedVersion(device, info)

    def _previous_text(self, previous: ConfigVersion | None) -> str:
        """The text of the version before, or "" (first version, or its file is damaged)."""
        if previous is None:
            return ""
        try:
            return self._read_object(previous.digest)
        except ConfigObjectError as exc:
            log.warning("config %s: previous version unreadable, counting from empty: %s",
                        previous.device, exc)
            return ""

    def _object_path(self, digest: str) -> Path:
        return self.root / "objects" / digest[:2] / f"{digest[2:]}.gz"

    def _write_object(self, digest: str, data: bytes) -> None:
        """Write the compressed object unless an intact one exists (atomic, mode 0600)."""
        path = self._object_path(digest)
        if path.exists():
            try:
                self._read_object(digest)
                return
            except ConfigObjectError as exc:
                log.warning("rewriting damaged configuration object: %s", exc)
        for directory in (self.root, path.parent.parent, path.parent):
            directory.mkdir(mode=0o700, parents=True, exist_ok=True)
            os.chmod(directory, 0o700)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".gz")
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(gzip.compress(data, compresslevel=9, mtime=0))
                handle.flush()
                os.fsync(handle.fileno())
            os.chmod(tmp, 0o600)
            os.replace(tmp, path)
        except BaseException:
            with suppress(OSError):
                os.unlink(tmp)
            raise

    # -- reading -----------------------------------------------------------------------------

    def _read_object(self, digest: str) -> str:
        """The verified text of object ``digest``; ConfigObjectError if missing or damaged."""
        path = self._object_path(digest)
        try:
            data = gzip.decompress(path.read_bytes())
        except FileNotFoundError:
            raise ConfigObjectError(
                f"configuration object {digest} is missing ({path})", digest) from None
        except (OSError, EOFError, zlib.error) as exc:
            raise ConfigObjectError(
                f"configuration object {digest} is corrupt ({path}): {exc}", digest) from None
        if hashlib.sha256(data).hexdigest() != digest:
            raise ConfigObjectError(
                f"configuration object {digest} is corrupt ({path}): content does not match "
                f"its digest", digest)
        return data.decode("utf-8")

    @staticmethod
    def _rows(session: Session, device: str) -> list[ConfigVersion]:
        query = select(ConfigVersion).where(ConfigVersion.device == device)
        return list(session.scalars(query.order_by(ConfigVersion.id)))

    @staticmethod
    def _info(rev: int, row: ConfigVersion) -> VersionInfo:
        return VersionInfo(rev, row.digest, row.fetched_at, row.size, row.lines_added,
                           row.lines_removed)

    def _versions(self, device: str) -> list[VersionInfo]:
        with self._sessions() as session:
            rows = self._rows(session, device)
        if not rows:
            raise LookupError(f"no stored configuration for device {device!r}")
        return [self._info(rev, row) for rev, row in enumerate(rows, 1)]

    def devices(self) -> list[str]:
        """The names of the devices with at least one stored version, sorted."""
        with self._sessions() as session:
            names = session.scalars(select(ConfigVersion.device).distinct())
            return sorted(names)

    def versions(self, device: str) -> list[VersionInfo]:
        """The device's versions, oldest first (rev 1..n); LookupError if it has none."""
        return self._versions(device)

    def version(self, device: str, rev: Rev = "latest") -> VersionInfo:
        """One version of the device; LookupError naming the device and ``rev`` if unknown."""
        return resolve_rev(device, self._versions(device), rev)

    def text(self, device: str, rev: Rev = "latest", *, masked: bool = True,
             platform: str = "") -> str:
        """The configuration at ``rev``: masked for ``platform``, raw only with masked=False."""
        raw = self._read_object(self.version(device, rev).digest)
        return mask_secrets(raw, platform) if masked else raw

    def diff(self, device: str, rev_a: Rev | None = None, rev_b: Rev | None = None, *,
             platform: str = "", context: int = 3) -> str:
        """Masked unified diff from ``rev_a`` to ``rev_b`` ("" when equal).

        Defaults: ``rev_b`` is the latest, ``rev_a`` the version before ``rev_b``
        (empty before the first version).
        """
        versions = self._versions(device)
        new = resolve_rev(device, versions, "latest" if rev_b is None else rev_b)
        old = (resolve_rev(device, versions, rev_a) if rev_a is not None
               else versions[new.rev - 2] if new.rev > 1 else None)
        old_text = self._read_object(old.digest) if old else ""
        return masked_diff(old_text, self._read_object(new.digest), platform,
                           old_label=_label(device, old), new_label=_label(device, new),
                           context=context)


def _label(device: str, version: VersionInfo | None) -> str:
    if version is None:
        return f"{device} (nothing stored before)"
    return (f"{device} rev {version.rev} ({version.digest[:12]}, "
            f"{version.fetched_at:%Y-%m-%d %H:%M:%S} UTC)")


def resolve_rev(device: str, versions: list[VersionInfo], rev: Rev) -> VersionInfo:
    """The version ``rev`` names: a number, "latest", or a digest prefix (newest match)."""
    if rev == "latest":
        return versions[-1]
    if isinstance(rev, int) or (rev.isdigit() and len(rev) < _MIN_PREFIX + 2):
        number = int(rev)
        if not 1 <= number <= len(versions):
            raise LookupError(f"device {device!r} has no revision {number} "
                              f"(revisions 1..{len(versions)})")
        return versions[number - 1]
    prefix = rev.lower()
    if len(prefix) < _MIN_PREFIX or any(c not in "0123456789abcdef" for c in prefix):
        raise LookupError(f"revision {rev!r} of device {device!r} is not a number, 'latest' "
                          f"or a digest prefix of at least {_MIN_PREFIX} hex digits")
    matches = [v for v in versions if v.digest.startswith(prefix)]
    if not matches:
        raise LookupError(f"device {device!r} has no revision with digest {rev!r}")
    if len({v.digest for v in matches}) > 1:
        raise LookupError(f"digest prefix {rev!r} is ambiguous for device {device!r}")
    return matches[-1]
