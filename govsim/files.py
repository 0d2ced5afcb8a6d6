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
import hashlib
import io
import json
import math
import os
import secrets
from pathlib import Path
from typing import Any

import pandas as pd


def write_atomic(path: Path, data: bytes) -> dict[str, Any]:
    """Write ``data`` to ``path`` so that readers see the old file or the new one, never part.

    The bytes go to a temporary file in the same directory (so the final
    rename cannot cross file systems), are flushed and fsynced, then renamed
    over ``path``. On any failure, including Ctrl-C, the temporary is removed.

    Returns:
        ``{"sha256": ..., "bytes": ...}`` of what was written, for the manifest.
    """
    tmp = path.parent / f".{path.name}.{secrets.token_hex(4)}.tmp"
    # os.open with mode 0o666 lets the umask decide permissions, as for any new file
    # (tempfile.mkstemp would make them private).
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0), 0o666)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)
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
