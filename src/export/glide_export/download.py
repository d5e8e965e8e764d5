"""Opt-in download of the official checkpoints (glide-spec §3.3), with SHA-256 verification.

The reference publishes no checksums, so trust is established on first use: every downloaded file's SHA-256 is
recorded in `SHA256SUMS` in the destination, later downloads and `--sha256 FILE=HEX` pins are checked against it,
and a mismatch deletes the download. Nothing here runs during tests.
"""

from __future__ import annotations

import hashlib
import os
import socket
import urllib.error
import urllib.request
from typing import Callable, Dict, Iterable, Optional

from .models import CHECKPOINT_BASE_URL, CHECKPOINT_FILES, CheckpointError

SUMS_FILE = "SHA256SUMS"


def read_sums(dest: str) -> Dict[str, str]:
    path = os.path.join(dest, SUMS_FILE)
    sums: Dict[str, str] = {}
    if os.path.isfile(path):
        with open(path, encoding="utf-8") as f:
            for line in f:
                parts = line.split()
                if len(parts) == 2:
                    sums[parts[1]] = parts[0].lower()
    return sums


def write_sums(dest: str, sums: Dict[str, str]) -> None:
    with open(os.path.join(dest, SUMS_FILE), "w", encoding="utf-8") as f:
        for name in sorted(sums):
            f.write(f"{sums[name]}  {name}\n")


def files_for(models: Iterable[str]) -> Dict[str, str]:
    out: Dict[str, str] = {}
    for m in models:
        names = ["clip-text", "clip-image"] if m == "clip" else [m]
        for n in names:
            out[n] = CHECKPOINT_FILES[n]
    return out


def download(models: Iterable[str], dest: str, pins: Optional[Dict[str, str]] = None, timeout: float = 30.0,
             log: Callable[[str], None] = print) -> Dict[str, str]:
    """Fetch the checkpoints of `models` into `dest`; returns file name → sha256."""
    os.makedirs(dest, exist_ok=True)
    known = read_sums(dest)
    for name, digest in (pins or {}).items():
        known[name] = digest.lower()
    result: Dict[str, str] = {}
    for _, file in files_for(models).items():
        path = os.path.join(dest, file)
        if os.path.isfile(path):
            digest = _sha256(path)
            _check(file, digest, known.get(file))
            log(f"{file}: present, sha256 {digest}")
            result[file] = digest
            continue
        url = CHECKPOINT_BASE_URL + file
        part = path + ".part"
        log(f"downloading {url} …")
        try:
            with urllib.request.urlopen(url, timeout=timeout) as resp, open(part, "wb") as out:
                h = hashlib.sha256()
                for chunk in iter(lambda: resp.read(1 << 20), b""):
                    h.update(chunk)
                    out.write(chunk)
            digest = h.hexdigest()
            _check(file, digest, known.get(file))
        except (urllib.error.URLError, socket.timeout, ConnectionError) as e:
            _remove(part)
            raise CheckpointError(
                f"cannot download {url}: {getattr(e, 'reason', e)}. This machine may be offline: fetch the file "
                f"elsewhere, put it in {dest}, and run `convert --checkpoints {dest}`.") from None
        except BaseException:
            _remove(part)
            raise
        os.replace(part, path)
        log(f"{file}: sha256 {digest}")
        result[file] = digest
    known.update(result)
    write_sums(dest, known)
    return result


def _check(file: str, digest: str, expected: Optional[str]) -> None:
    if expected and expected != digest:
        raise CheckpointError(f"{file}: sha256 {digest} does not match the expected {expected}")


def _sha256(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
