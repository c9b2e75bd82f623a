"""Cache entries under out/.cache: written atomically (a temporary file renamed into place) with
the sha256 of their payload in a header line, so that a cut or altered entry is detected, never
trusted."""

from __future__ import annotations

import hashlib
import os
import uuid
from pathlib import Path

HEADER = b"planextract-cache sha256="


class DamagedEntry(Exception):
    """A cache entry whose header or checksum does not match its payload."""


def write_entry(path: Path, payload: bytes) -> None:
    """Write `payload` to `path` so that a reader sees either the old entry, none, or the whole new
    one (a killed writer leaves only a *.tmp file, removed by the next run)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f"{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        with tmp.open("wb") as f:
            f.write(HEADER + hashlib.sha256(payload).hexdigest().encode() + b"\n")
            f.write(payload)
        tmp.replace(path)
    finally:
        tmp.unlink(missing_ok=True)


def read_entry(path: Path) -> bytes | None:
    """The payload of the entry at `path`; None when there is none; DamagedEntry when it is not
    what was written."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    head, sep, payload = data.partition(b"\n")
    if not sep or not head.startswith(HEADER):
        raise DamagedEntry(f"{path.name}: no checksum header")
    if hashlib.sha256(payload).hexdigest().encode() != head[len(HEADER):]:
        raise DamagedEntry(f"{path.name}: checksum does not match (cut or altered)")
    return payload
