"""Bytes to disk, safely: atomic writes, and the exact byte forms of tables and documents.

Every file govsim writes (run directories, experiment stores, reports, figures,
teaching exports) goes through :func:`write_atomic`, so a reader sees the old
file or the new one, never part of one. Tables and documents are turned into
bytes here so that writing the same result twice gives identical files: floats
in Python's shortest exact form (``repr``), which reads back to the identical
double, and JSON indented the same way every time, with NaN and infinities as null.

The lowest layer of output: it knows nothing of runs, metrics or plots.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import io
import json
import math
import os
import secrets
from pathlib import Path
from typing import Any

import pandas as pd


class OutputError(OSError):
    """An output path that cannot be written; ``str()`` is one sentence naming it and what is wrong.

    A subclass of :class:`OSError`, so code that catches that still does; the command line
    shows the sentence and exits 2.
    """

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


def check_output_dir(path: str | os.PathLike[str]) -> Path:
    """Check, changing nothing, that ``path`` is or can be made a writable directory.

    Raises:
        OutputError: ``path`` is a file, lies under a file, cannot be created
            (permission denied, read-only file system) or is not writable.
    """
    target = Path(path)
    if target.exists() or target.is_symlink():
        if not target.is_dir():
            raise OutputError(f"{target} is a file, not a directory; choose another output directory.")
        if not os.access(target, os.W_OK | os.X_OK):
            raise OutputError(f"{target} is not writable (permission denied or a read-only file system); "
                              "choose another output directory.")
        return target
    ancestor = _nearest_existing(target.parent)
    if not ancestor.is_dir():
        raise OutputError(f"{target} lies under the file {ancestor}, so it cannot be created; choose "
                          "another output directory.")
    if not os.access(ancestor, os.W_OK | os.X_OK):
        raise OutputError(f"{target} cannot be created: permission denied in {ancestor} (or a read-only "
                          "file system); choose another output directory.")
    return target


def prepare_output_dir(path: str | os.PathLike[str]) -> Path:
    """Make ``path`` a directory (parents too) after :func:`check_output_dir`; return it.

    Raises:
        OutputError: As for :func:`check_output_dir`, or the directory could not be made.
    """
    target = check_output_dir(path)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise output_error(err, target, "creating") from err
    return target


def writable_file(path: str | os.PathLike[str]) -> Path:
    """Check, changing nothing, that a file may be written at ``path``; return it.

    Its directory must exist already (a file's directory is not made for it).

    Raises:
        OutputError: ``path`` is a directory, lies under a file, or its
            directory is missing or not writable.
    """
    target = Path(path)
    if target.is_dir():
        raise OutputError(f"{target} is a directory, not a file; choose another output file.")
    parent = target.parent
    ancestor = _nearest_existing(parent)
    if not ancestor.is_dir():
        raise OutputError(f"{target} lies under the file {ancestor}, so it cannot be written; choose "
                          "another output file.")
    if ancestor != parent:
        raise OutputError(f"{target} cannot be written: no such directory {parent}; create it first or "
                          "choose another output file.")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError(f"{target} cannot be written: {parent} is not writable (permission denied or "
                          "a read-only file system); choose another output file.")
    return target


def _nearest_existing(path: Path) -> Path:
    """``path``, or its nearest ancestor that exists (a file or a directory): what would hold it."""
    while not (path.exists() or path.is_symlink()) and path != path.parent:
        path = path.parent
    return path


def output_error(err: OSError, path: Path, doing: str = "writing") -> OutputError:
    """One sentence for an :class:`OSError` met while writing ``path`` (a full disk, no permission)."""
    if isinstance(err, OutputError):
        return err
    reason = {errno.ENOSPC: "no space left on device", errno.EDQUOT: "disk quota exceeded",
              errno.EACCES: "permission denied", errno.EPERM: "permission denied",
              errno.EROFS: "read-only file system", errno.ENOTDIR: "a part of the path is a file",
              errno.EISDIR: "it is a directory"}.get(err.errno or 0, err.strerror or str(err))
    out = OutputError(f"{reason} while {doing} {path}")
    out.errno = err.errno
    return out


def write_atomic(path: Path, data: bytes) -> dict[str, Any]:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never part.

    The bytes go to a temporary file in the same directory (so the final
    rename cannot cross file systems), are flushed and fsynced, then renamed
    over ``path``. On any failure, including Ctrl-C, the temporary is removed.

    Returns:
        ``{"sha256": ..., "bytes": ...}`` of what was written, for the manifest.

    Raises:
        OutputError: The file could not be written (a full disk, no permission, ...):
            one sentence naming ``path``, with the :class:`OSError` as its cause.
    """
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    try:
        # os.open with mode 0o666 lets the umask decide permissions, as for any new file
        # (tempfile.mkstemp would make them private).
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    except OSError as err:
        raise output_error(err, path) from err
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(err, OSError):
            raise output_error(err, path) from err
        raise
    fsync_dir(path.parent)
    return {"sha256": sha256(data), "bytes": len(data)}


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    """A table as Parquet (zstd), keeping categorical and nullable integer columns as they are."""
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, compression="zstd")
    return buffer.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV bytes, floats in shortest exact form, NaN as an empty field."""
    out = frame.copy()
    for column in out.columns:
        if pd.api.types.is_float_dtype(out[column]):
            out[column] = [_float_text(x) for x in out[column].tolist()]
    return out.to_csv(index=False, lineterminator="\n").encode("utf-8")


def json_bytes(document: Any) -> bytes:
    """JSON as stable, human-readable bytes; NaN and infinities become null (JSON has none)."""
    text = json.dumps(jsonable(document), indent=2, ensure_ascii=False, allow_nan=False)
    return (text + "\n").encode("utf-8")


def _float_text(x: float) -> str:
    return "" if math.isnan(x) else repr(float(x))


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: NaN and infinities as None, numpy scalars and paths as Python's."""
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if hasattr(value, "item") and callable(value.item):  # numpy scalars
        return jsonable(value.item())
    if isinstance(value, Path):
        return str(value)
    return value


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def fsync_dir(path: Path) -> None:
    # Make the rename itself durable; not possible on every platform (Windows).
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
