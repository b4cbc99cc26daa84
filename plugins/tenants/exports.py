"""Writing a tenant's export to disk so that it survives a crash a moment later.

The export is written to a temporary file in the target folder, flushed and fsynced,
then renamed into place (atomic on POSIX) and the folder is fsynced too: once
:func:`write_export` returns, the file is complete on disk, and a crash before that
leaves no half-written file under the target name. The file is readable by its owner
only (it holds personal data and password hashes).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import current_app

from core import Tenant, ValidationError, to_json


@dataclass(frozen=True)
class ExportFile:
    """Where an export was written, how large it is and its SHA-256 checksum."""

    path: Path
    size: int
    sha256: str

    def as_dict(self) -> dict[str, Any]:
        """The export's description (also kept in the platform audit log)."""
        return {"file": str(self.path), "bytes": self.size, "sha256": self.sha256}


def check_target(path: str | os.PathLike[str], field: str = "export") -> Path:
    """The absolute target path, if no file is there and its folder is writable."""
    target = Path(path).expanduser().absolute()
    if target.exists():
        raise ValidationError(
            "%(target)s exists; choose a new file name (an export is never overwritten)",
            field=field,
            code="tenants.export.file_exists",
            target=target,
        )
    if not target.parent.is_dir():
        raise ValidationError(
            "folder %(parent)s does not exist",
            field=field,
            code="tenants.export.folder_missing",
            parent=target.parent,
        )
    if not os.access(target.parent, os.W_OK):
        raise ValidationError(
            "folder %(parent)s is not writable",
            field=field,
            code="tenants.export.folder_not_writable",
            parent=target.parent,
        )
    return target


def write_export(data: dict[str, Any], path: str | os.PathLike[str]) -> ExportFile:
    """Write ``data`` as JSON to ``path`` atomically and durably (see module docs)."""
    target = check_target(path)
    body = to_json(data).encode("utf-8")
    handle, temporary = tempfile.mkstemp(
        dir=target.parent, prefix=f".{target.name}.", suffix=".tmp"
    )
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(body)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    _fsync_folder(target.parent)
    return ExportFile(target, len(body), hashlib.sha256(body).hexdigest())


def _fsync_folder(folder: Path) -> None:
    """Make the rename itself durable."""
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def export_folder() -> Path:
    """Where exports made through the API are kept (``TENANTS_EXPORT_DIR``,
    default ``<instance>/tenant-exports``); created with mode 0700."""
    configured = current_app.config.get("TENANTS_EXPORT_DIR")
    folder = Path(configured) if configured else Path(current_app.instance_path) / "tenant-exports"
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder


def stored_export_path(tenant: Tenant, now: dt.datetime) -> Path:
    """A new file name in :func:`export_folder` for the tenant's final export."""
    stamp = now.strftime("%Y%m%dT%H%M%SZ")
    return export_folder() / f"{tenant.slug}-{tenant.ags}-{stamp}.json"
