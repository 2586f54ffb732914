"""The one safe writer of an output folder, used by ``ccgmodels run`` and ``ccgmodels report``.

Rules (issue #15):

* **One writer at a time.** :func:`locked` holds ``OUT/.lock`` (``flock``) for the whole
  command; ``run`` and ``report`` take the same lock, so neither replaces what the other is
  writing. The lock file is opened without following a symlink and never truncated.
* **Only what ccgmodels made is replaced.** Every folder the package makes carries a marker,
  :data:`~ccgmodels.batch.provenance.MARKER`: its kind (``run``, ``report``, ``failed``,
  ``staging``), its own id, the sha256 of every file it holds, and the sha256 of all that. A
  folder is replaced only when its marker is intact, its kind may be replaced by this command,
  and it holds nothing the marker does not list. A folder written by an earlier version (no
  marker) counts only when its ``manifest.json`` lists exactly its files with their hashes.
  Anything else in the way is refused with :class:`UnsafeOutput` (exit 2) naming it.
* **No symlink is followed out of OUT.** ``.lock``, ``.staging``, ``_failed``, the pages and
  every target folder are checked with ``lstat``; a symlink is refused, named.
* **Nothing the package did not make is deleted or truncated.** Stale staging folders are
  removed only when marked; a replaced folder's files are removed only when its marker lists
  them; the pages are rewritten only when they carry :data:`PAGE_MARK`.
* **A marker names only its own folder's files** (issue #25): every entry is a relative,
  normalised path with no ``..`` and no symbolic link on the way. The marker's hash is
  unkeyed, so anyone can write one: a marker naming anything else is forged, its folder is
  foreign and refused, named; and :func:`remove_owned` checks every path again at the
  deleting itself, so nothing outside the marked folder is ever deleted, whatever a file
  says.
* **Installs stay atomic**: a folder is built in ``OUT/.staging/`` and renamed into place.
"""

from __future__ import annotations

import hashlib
import json
import os
import posixpath
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..inputs.limits import printable
from .folderlock import FolderLock, Held
from .provenance import KEPT, MANIFEST, MARKER, read_manifest

STAGING, FAILED, LOCK = ".staging", "_failed", ".lock"
#: the kinds of folder a marker may say it is
KINDS = ("run", "report", "failed", "staging")
PAGES = ("index.html", "compare.html")
#: the workbook beside the pages; ours when its document properties name ccgmodels
WORKBOOK_PAGES = ("compare.xlsx",)
#: written into every page ccgmodels makes; a page without it is the user's and is kept
PAGE_MARK = '<meta name="generator" content="ccgmodels">'
#: what the pages of earlier versions, written before PAGE_MARK, all carry
LEGACY_PAGE_SIGN = b"Money in \xc2\xa3k; surplus positive, deficits in brackets.</p>"
MARKER_FORMAT = "ccgmodels-folder/1"
#: which kinds of folder each kind may replace
REPLACES = {"report": ("report", "run"), "run": ("run",), "failed": ("failed",)}


class UnsafeOutput(Exception):
    """Something in the output folder that ccgmodels did not make is in the way: exit 2."""


def _sha(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _files(folder: Path) -> list[str]:
    """Every entry below ``folder`` that is not a folder, as relative POSIX paths (symlinks
    are listed, never followed)."""
    out = []
    for root, dirs, files in os.walk(folder):
        rel = Path(root).relative_to(folder)
        out += [(rel / f).as_posix() for f in files]
        out += [(rel / d).as_posix() for d in dirs if (Path(root) / d).is_symlink()]
    return sorted(p for p in out if p != MARKER)


def _digest(record: dict) -> str:
    body = {k: v for k, v in record.items() if k != "sha256"}
    return hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()


def mark(folder: Path, kind: str, ident: str | None = None) -> dict:
    """Write the marker of ``folder``, a folder this package made, listing every file in it."""
    folder = Path(folder)
    record = {"format": MARKER_FORMAT, "kind": kind, "id": ident or uuid.uuid4().hex,
              "files": {f: _sha(folder / f) for f in _files(folder)
                        if not (folder / f).is_symlink()}}
    record["sha256"] = _digest(record)
    (folder / MARKER).write_text(json.dumps(record, indent=1), encoding="utf-8")
    return record


def unsafe_entry(folder: Path, rel: object) -> str | None:
    """Why the marker entry ``rel`` of ``folder`` could name something outside it (None: it
    cannot): not a relative, normalised POSIX path, a ``..`` in it, or a symbolic link (or
    anything but a folder) on the way to it."""
    if not isinstance(rel, str) or not rel or "\0" in rel or "\\" in rel:
        return "is not a plain relative file name"
    if posixpath.isabs(rel) or posixpath.normpath(rel) != rel or rel.startswith("./"):
        return "is not a relative, normalised path inside the folder"
    parts = rel.split("/")
    if any(part in ("", ".", "..") for part in parts):
        return "leads out of the folder (..)"
    if rel == MARKER:
        return "is the marker itself"
    where = Path(folder)
    for part in parts[:-1]:  # every folder on the way must be a real folder inside
        where = where / part
        # os.path: a name too long to exist is simply not there, never an OSError
        if os.path.islink(where) or (os.path.lexists(where) and not os.path.isdir(where)):
            return f"passes through {part!r}: not a folder of its own (a link?)"
    return None


def _read_marker(folder: Path) -> tuple[dict | None, str | None]:
    """``(record, None)`` for an intact marker of ``folder``; ``(None, why)`` for a marker
    ccgmodels cannot have written (it names a file outside the folder: forged); ``(None,
    None)`` for none, an unreadable one or one not matching its hash."""
    path = folder / MARKER
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None, None
    if not (isinstance(record, dict) and record.get("format") == MARKER_FORMAT
            and isinstance(record.get("files"), dict)):
        return None, None
    for rel in record["files"]:
        why = unsafe_entry(folder, rel)
        if why is not None:
            return None, (f"{path} names {printable(repr(rel))}, which {why}: ccgmodels "
                          "never writes such a marker")
    if record.get("kind") not in KINDS or record.get("sha256") != _digest(record):
        return None, None
    return record, None


def marker(folder: Path) -> dict | None:
    """The intact marker of ``folder``, or None: none, unreadable, not matching its hash, or
    naming anything outside ``folder`` (:func:`unsafe_entry`).

    A folder of an earlier version, with no marker, gets one built from its manifest when the
    manifest lists exactly the folder's files with their hashes.
    """
    folder = Path(folder)
    path = folder / MARKER
    if path.is_symlink() or folder.is_symlink():
        return None
    if path.is_file():
        return _read_marker(folder)[0]
    m = read_manifest(folder)
    hashes = m.get("files_sha256")
    if not isinstance(hashes, dict) or m.get("kind") not in ("run", "report"):
        return None
    listed = {**hashes, MANIFEST: None}
    if set(_files(folder)) != set(listed):
        return None
    try:
        if any(_sha(folder / f) != h for f, h in hashes.items()):
            return None
    except OSError:
        return None
    return {"format": MARKER_FORMAT, "kind": m["kind"], "id": None,
            "files": {**hashes, MANIFEST: _sha(folder / MANIFEST)}, "legacy": True}


def forged(folder: Path) -> str | None:
    """Why the marker of ``folder`` is forged (it names something outside the folder), or
    None."""
    folder = Path(folder)
    if folder.is_symlink() or (folder / MARKER).is_symlink() or not (folder / MARKER).is_file():
        return None
    return _read_marker(folder)[1]


def foreign(folder: Path, record: dict) -> list[str]:
    """Entries in ``folder`` that its marker ``record`` does not list: someone else's (a
    user's edited copy that :func:`install` kept is known, and carried forward)."""
    return [f for f in _files(folder) if f not in record["files"] and not _kept_copy(f)]


def _kept_copy(rel: str) -> bool:
    return bool(KEPT.match(rel.rsplit("/", 1)[-1]))


def edited(folder: Path, record: dict) -> list[str]:
    """The files of ``folder`` its marker lists that were changed since (a notes sheet added
    to ``report.xlsx``), or swapped for a link, folder or anything but the file made."""
    out = []
    for rel, digest in record["files"].items():
        if rel == MANIFEST and record.get("legacy") or unsafe_entry(folder, rel):
            continue
        path = folder / rel
        if not os.path.lexists(path):
            continue  # deleted: nothing of the user's to keep
        try:
            same = (not path.is_symlink() and path.is_file() and _sha(path) == digest)
        except OSError:
            same = False
        if not same:
            out.append(rel)
    return out


def _kept_name(folder: Path, rel: str, stamp: str) -> str:
    """A free name in ``folder`` for the user's copy of ``rel``: ``report.yours-<UTC>.xlsx``."""
    stem, dot, suffix = rel.rpartition(".")
    if not stem or "/" in suffix:
        stem, dot, suffix = rel, "", ""
    for n in range(1, 1000):
        name = f"{stem}.yours-{stamp}{'' if n == 1 else f'-{n}'}{dot}{suffix}"
        if not os.path.lexists(folder / name):
            return name
    raise UnsafeOutput(f"{folder}: too many kept copies of {rel}")


def check_target(target: Path, kind: str) -> None:
    """Refuse (:class:`UnsafeOutput`) unless ``target`` is absent or a folder of a kind that
    ``kind`` may replace, holding only what its marker lists."""
    if target.is_symlink():
        raise UnsafeOutput(f"{target} is a symbolic link: ccgmodels never writes through one; "
                           "remove it or use another --out")
    if not target.exists():
        return
    if not target.is_dir():
        raise UnsafeOutput(f"{target} exists and is not a folder ccgmodels made; refusing to "
                           "replace it: move it or use another --out")
    record = marker(target)
    why = forged(target) if record is None else None
    if why is not None:
        raise UnsafeOutput(f"{target} is not a folder ccgmodels made: {why}; refusing to "
                           "replace it: move it or use another --out")
    if record is None:
        raise UnsafeOutput(f"{target} exists and is not a folder ccgmodels made (no intact "
                           f"{MARKER} marker); refusing to replace it: move it or use another "
                           "--out")
    if record["kind"] not in REPLACES[kind]:
        raise UnsafeOutput(f"{target} holds a ccgmodels {record['kind']} output, which a {kind} "
                           "does not replace: use another --out")
    extra = foreign(target, record)
    if extra:
        shown = ", ".join(extra[:5]) + (f" and {len(extra) - 5} more" if len(extra) > 5 else "")
        raise UnsafeOutput(f"{target} holds files ccgmodels did not make ({shown}); refusing to "
                           "delete them: move them out first")


def remove_owned(folder: Path, record: dict | None = None) -> list[str]:
    """Delete the files of ``folder`` that its marker lists, then the marker and any folders
    left empty; returns what is left (someone else's files, kept).

    Every listed path is checked again here, whatever the marker says: a path that is not
    plainly inside ``folder`` (:func:`unsafe_entry`), or whose folder resolves anywhere else,
    is never deleted, nor is a file changed since it was made (:func:`edited`).
    """
    folder = Path(folder)
    record = record or marker(folder)
    if record is None or folder.is_symlink() or not folder.is_dir():
        return _files(folder) if folder.is_dir() else []
    root = os.path.realpath(folder)
    changed = set(edited(folder, record))  # changed since made: the user's now, kept
    for rel in record["files"]:
        if unsafe_entry(folder, rel) is not None:
            continue
        path = folder / rel
        inside = os.path.join(root, *rel.split("/")[:-1]) if "/" in rel else root
        if os.path.realpath(path.parent) != inside:
            continue  # the folder on the way was swapped for a link: not ours to follow
        if os.path.isfile(path) and not os.path.islink(path) and rel not in changed:
            path.unlink()
    (folder / MARKER).unlink(missing_ok=True)
    for root_dir, dirs, _ in os.walk(folder, topdown=False):
        for d in dirs:
            p = Path(root_dir) / d
            if not p.is_symlink():
                try:
                    p.rmdir()
                except OSError:
                    pass
    left = _files(folder)
    if not left:
        try:
            folder.rmdir()
        except OSError:
            pass
    return left


def write_atomic(path: Path, write: Callable[[Path], object], mode: int = 0o644) -> Path:
    """Write ``path`` through ``write(tmp)`` on a temporary file beside it, moved into place
    (``os.replace``) when complete: an interrupted write never leaves half a file, and a
    failed one leaves the old file as it was."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def install(tmp: Path, target: Path, kind: str) -> list[Path]:
    """Move the complete, marked folder ``tmp`` to ``target``, replacing what was there only
    when :func:`check_target` allows; both renames are inside one file system.

    A file of the old folder that was changed since it was made (a user's notes sheet in
    ``report.xlsx``) is kept beside the remade one as ``report.yours-<UTC time>.xlsx``, and
    copies kept so before are carried forward: nothing of the user's is lost. Returns the
    copies kept now, for the caller to say so on the terminal.
    """
    check_target(target, kind)
    if not target.parent.is_dir() or target.parent.is_symlink():
        target.parent.mkdir(parents=True, exist_ok=True)
        if target.parent.is_symlink():
            raise UnsafeOutput(f"{target.parent} is a symbolic link")
    kept: list[Path] = []
    if target.exists():
        from datetime import UTC, datetime

        record = marker(target)
        changed = edited(target, record) if record is not None else []
        carried = [f for f in _files(target) if _kept_copy(f)]
        old = tmp.parent / f"{tmp.name}.old"
        os.replace(target, old)
        os.replace(tmp, target)
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
        for rel in carried + changed:
            name = rel if rel in carried else _kept_name(target, rel, stamp)
            dest = target / name
            if os.path.lexists(dest):  # a new file of the same name: never overwrite either
                name = _kept_name(target, rel, stamp)
                dest = target / name
            dest.parent.mkdir(parents=True, exist_ok=True)
            os.replace(old / rel, dest)
            if rel in changed:
                kept.append(dest)
        remove_owned(old)
    else:
        os.replace(tmp, target)
    return kept


def new_staging(out: Path, name: str) -> Path:
    """A fresh, marked folder in ``out/.staging`` to build one output in (a new path on every
    attempt, so a retry never meets what an earlier attempt left)."""
    staging = Path(out) / STAGING
    staging.mkdir(parents=True, exist_ok=True)
    if staging.is_symlink():
        raise UnsafeOutput(f"{staging} is a symbolic link: ccgmodels never writes through one")
    tmp = Path(tempfile.mkdtemp(prefix=f"{name[:80]}-", dir=staging))
    tmp.chmod(0o755)
    mark(tmp, "staging")
    return tmp


def clear_staging(out: Path, refuse: bool = False) -> None:
    """Remove the staging folders ccgmodels left in ``out/.staging``; keep anything else.

    ``refuse``: raise :class:`UnsafeOutput` naming a folder there whose marker is forged
    (names a file outside its folder) rather than keep it quietly; :func:`locked` refuses so
    before it writes anything.
    """
    staging = Path(out) / STAGING
    if not staging.is_dir() or staging.is_symlink():
        return
    for entry in staging.iterdir():
        if entry.is_dir() and not entry.is_symlink():
            record = marker(entry)
            if record is None:
                why = forged(entry) if refuse else None
                if why is not None:
                    raise UnsafeOutput(f"{entry} is not a folder ccgmodels made: {why}; "
                                       "remove it, or use another --out")
            elif record.get("kind") == "staging":
                shutil.rmtree(entry, ignore_errors=True)
            else:  # a folder moved aside while being replaced
                remove_owned(entry, record)
    try:
        staging.rmdir()  # only when empty
    except OSError:
        pass


def _refuse_links(out: Path) -> None:
    for name in (LOCK, STAGING, FAILED, *PAGES, *WORKBOOK_PAGES):
        if (out / name).is_symlink():
            raise UnsafeOutput(f"{out / name} is a symbolic link: ccgmodels never writes "
                               "through one; remove it or use another --out")
    for name in (STAGING, FAILED):  # folders ccgmodels writes into: never a file in the way
        if os.path.lexists(out / name) and not (out / name).is_dir():
            raise UnsafeOutput(f"{out / name} is not a folder: ccgmodels keeps its work there; "
                               "move it or use another --out")
    failed = out / FAILED
    if failed.is_dir():
        for entry in failed.iterdir():
            if entry.is_symlink():
                raise UnsafeOutput(f"{entry} is a symbolic link: ccgmodels never writes "
                                   "through one; remove it or use another --out")


def check_pages(out: Path) -> None:
    """Refuse when ``out/index.html`` or ``out/compare.html`` exists and is not one ccgmodels
    wrote (its first 16 KB carry :data:`PAGE_MARK`, or the sign of an earlier version's page)."""
    for name in (*PAGES, *WORKBOOK_PAGES):
        page = out / name
        if os.path.lexists(page) and not page.is_symlink() and not page.is_file():
            # a FIFO would block the read below; a device or folder is no page of ours
            raise UnsafeOutput(f"{page} is not a regular file (a folder, FIFO or device); "
                               "refusing to write over it: move it or use another --out")
    for name in PAGES:
        page = out / name
        if page.exists() and not page.is_symlink():
            try:
                with open(page, "rb") as fh:
                    head = fh.read(16384)
            except OSError:
                head = b""
            if PAGE_MARK.encode() not in head and LEGACY_PAGE_SIGN not in head:
                raise UnsafeOutput(f"{page} was not written by ccgmodels; refusing to overwrite "
                                   "it: move it or use another --out")
    for name in WORKBOOK_PAGES:
        book = out / name
        if book.exists() and not book.is_symlink() and not _our_workbook(book):
            raise UnsafeOutput(f"{book} was not written by ccgmodels; refusing to overwrite "
                               "it: move it or use another --out")


def _our_workbook(path: Path, unedited: bool = False) -> bool:
    """Whether ``path`` is a workbook ccgmodels wrote (creator and keywords ``ccgmodels`` in
    its document properties); ``unedited``: and last saved by ccgmodels too (Excel and
    LibreOffice write their user's name as ``lastModifiedBy`` when they save)."""
    import zipfile
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(path) as z:
            with z.open("docProps/core.xml") as fh:
                core = ElementTree.fromstring(fh.read(65536))
    except (OSError, KeyError, zipfile.BadZipFile, ElementTree.ParseError):
        return False
    # parsed, not matched as bytes: writers differ in where they declare the namespaces
    cp = "{http://schemas.openxmlformats.org/package/2006/metadata/core-properties}"
    creator = core.findtext("{http://purl.org/dc/elements/1.1/}creator")
    keywords = core.findtext(f"{cp}keywords")
    saved_by = core.findtext(f"{cp}lastModifiedBy")
    return (creator == "ccgmodels" and keywords == "ccgmodels"
            and (not unedited or saved_by in (None, "", "ccgmodels")))


@contextmanager
def locked(out: Path, command: str = "ccgmodels") -> Iterator[Path]:
    """Hold ``out/.lock`` while writing into ``out``; refuse symlinks where ccgmodels writes;
    clear what an earlier, interrupted command left in ``out/.staging``."""
    out = Path(out)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UnsafeOutput(f"{out}: cannot create the output folder: {exc.strerror}") from None
    _refuse_links(out)
    if (out / LOCK).is_symlink():
        raise UnsafeOutput(f"{out / LOCK}: cannot take the lock: is a symbolic link")
    lock = FolderLock(out / LOCK)  # flock on POSIX, msvcrt on Windows
    try:
        lock.acquire(timeout=0)
    except Held:
        raise UnsafeOutput(f"{out}: another ccgmodels command is writing to this folder "
                           f"(this {command} waits for nothing: try again when it is done)"
                           ) from None
    except OSError as exc:
        raise UnsafeOutput(f"{out / LOCK}: cannot take the lock: {exc.strerror}") from None
    try:
        clear_staging(out, refuse=True)
        try:
            yield out
        finally:
            clear_staging(out)
    finally:
        lock.release()
