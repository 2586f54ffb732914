"""Which scenario a scenario varies: the base a what-if ``extends:`` (for the what-if marks of
a report's assumptions register and the comparison page's baseline)."""

from __future__ import annotations

from pathlib import Path

from .loading import _base_file, _read_source, bundled_folder


def extends_of(source: str | Path) -> str | None:
    """The scenario that ``source`` extends, as a bundled name or a resolved file path (the
    baseline a what-if is compared with); None when it extends none or cannot be read (a
    broken ``extends:`` is reported by :func:`check`)."""
    _, file, data, _ = _read_source(source)
    if not isinstance(data, dict) or not isinstance(data.get("extends"), str):
        return None
    here = file.parent if isinstance(file, Path) else None
    roots = tuple(dict.fromkeys(r.resolve() for r in (
        *([here] if here is not None else []), Path.cwd(), bundled_folder())))
    ref, _ = _base_file(data["extends"], here, roots)
    return None if ref is None else str(ref)
