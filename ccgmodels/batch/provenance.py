"""Provenance of what the package writes: versions, hashes, git state and the one manifest
format of ``ccgmodels run`` and ``ccgmodels report`` output folders.

Every output folder holds a ``manifest.json`` built by :func:`manifest` and written by
:func:`write_manifest`: the package version and a hash of its code and data, the git commit and
whether the checkout had uncommitted changes, the scenario (file, hash, resolved assumptions,
overrides), the run settings (organisation, Monte Carlo runs and seed), when and where it ran,
and the sha256 of every other file in the folder. ``kind`` says which command made it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import socket
import subprocess
from datetime import UTC, datetime
from importlib import resources
from pathlib import Path
from typing import Any

from ..version import version

#: the package's own folder (code and data), hashed into every manifest
PACKAGE_DIR = Path(str(resources.files("ccgmodels")))
MANIFEST = "manifest.json"
#: the ownership marker of every folder ccgmodels makes (:mod:`ccgmodels.batch.outdir`)
MARKER = ".ccgmodels.json"
#: the manifest format; a reader refuses another
FORMAT = "ccgmodels-manifest/1"
#: a user's edited copy of a made file, kept beside the remade one
#: (:func:`ccgmodels.batch.outdir.install`): ``report.yours-20250401T093000Z.xlsx``
KEPT = re.compile(r"\A[^/]*\.yours-\d{8}T\d{6}Z(?:-\d{1,3})?(?:\.[^./]+)?\Z")


def now() -> str:
    """The time now, UTC, to the second, ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file directly in ``folder`` but the manifest and the marker, by name."""
    return {f.name: sha256(f.read_bytes()) for f in sorted(Path(folder).iterdir())
            if f.is_file() and not f.is_symlink() and f.name not in (MANIFEST, MARKER)}


def git_state(folder: Path = PACKAGE_DIR) -> dict:
    """Git commit and dirtiness of ``folder``'s checkout, or nulls outside one."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=folder, capture_output=True,
                                text=True, check=True, timeout=10).stdout.strip()
        dirty = bool(subprocess.run(["git", "status", "--porcelain"], cwd=folder,
                                    capture_output=True, text=True, check=True,
                                    timeout=10).stdout.strip())
        return {"git_commit": commit, "git_dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"git_commit": None, "git_dirty": None}


def package_fingerprint() -> str:
    """sha256 over the package's code and data, so an edited model never reuses a report."""
    h = hashlib.sha256()
    for f in sorted(PACKAGE_DIR.rglob("*")):
        if f.is_file() and "__pycache__" not in f.parts:
            h.update(f.relative_to(PACKAGE_DIR).as_posix().encode() + b"\0" + f.read_bytes())
    return h.hexdigest()


def package_state() -> dict:
    """What identifies the code that ran: name, version, code hash, git commit and dirtiness."""
    return {"package": "ccgmodels", "version": version(),
            "package_sha256": package_fingerprint(), **git_state(PACKAGE_DIR)}


def manifest(kind: str, *, scenario: str, title: str, assumptions: dict, scenario_file: str,
             scenario_sha256: str, overrides: dict | None, org: str, runs: int,
             seed: int | None, started: str, finished: str, package: dict | None = None,
             **extra: Any) -> dict:
    """The manifest of one output folder (see the module docstring).

    Parameters
    ----------
    kind : {"run", "report"}
        The command that made the folder.
    package : dict, optional
        :func:`package_state`, when the caller has it already (a batch computes it once).
    extra
        Fields of that command only (a report's run id, template and index row).
    """
    return {"format": FORMAT, "kind": kind, **(package or package_state()),
            "scenario": scenario, "title": title, "scenario_file": scenario_file,
            "scenario_sha256": scenario_sha256, "overrides": dict(overrides or {}),
            "assumptions": assumptions, "org": org, "runs": runs, "seed": seed,
            "started": started, "finished": finished, "host": socket.gethostname(),
            "pid": os.getpid(), **extra}


def write_manifest(folder: Path, record: dict) -> Path:
    """Write ``record`` as ``folder/manifest.json`` with ``files_sha256``, the hash of every
    other file in ``folder``."""
    path = Path(folder) / MANIFEST
    path.write_text(json.dumps({**record, "files_sha256": file_hashes(folder)}, indent=2,
                               default=str), encoding="utf-8")
    return path


def read_manifest(folder: Path) -> dict:
    """The manifest of ``folder``, or ``{}`` when it has none, it cannot be read or it was not
    written by ccgmodels (earlier versions wrote no ``format``, but named the package)."""
    try:
        m = json.loads((Path(folder) / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    ours = isinstance(m, dict) and (m.get("format") == FORMAT or m.get("package") == "ccgmodels")
    return m if ours else {}


def verify(folder: Path) -> list[str]:
    """How the output folder ``folder`` differs from its manifest: one line per difference
    (no manifest, a file changed, missing or not recorded); empty when it matches."""
    folder = Path(folder)
    m = read_manifest(folder)
    hashes = m.get("files_sha256")
    if not isinstance(hashes, dict):
        return [f"{folder}: no ccgmodels manifest.json"]
    out = []
    for name, digest in sorted(hashes.items()):
        if "/" in name or name in ("", ".", ".."):  # files are flat: never read elsewhere
            out.append(f"{folder}: the manifest names {name!r}, not a file of this folder")
            continue
        path = folder / name
        if path.is_symlink() or not path.is_file():
            out.append(f"{path}: missing (recorded in the manifest)")
            continue
        try:
            actual = sha256(path.read_bytes())
        except OSError as exc:
            out.append(f"{path}: cannot be read: {exc.strerror}")
            continue
        if actual != digest:
            out.append(f"{path}: changed since it was made (sha256 {actual[:12]}..., "
                       f"recorded {str(digest)[:12]}...)")
    for f in sorted(folder.iterdir()):
        if f.name not in hashes and f.name not in (MANIFEST, MARKER) and not KEPT.match(f.name):
            out.append(f"{f}: not recorded in the manifest")
    return out
