"""What the pages of a batch output folder share: their stylesheet, the page frame and the
escaping and link rules for untrusted record text (see :mod:`ccgmodels.batch.pages`)."""

from __future__ import annotations

import math
from html import escape
from pathlib import Path
from urllib.parse import quote

from .outdir import PAGE_MARK

ORG = "footprint"

CSS = """
body{font-family:Arial,Helvetica,sans-serif;color:#212B32;margin:0;background:#F0F4F5}
header{background:#005EB8;color:#fff;padding:16px 24px}header h1{margin:0;font-size:1.6em}
main{padding:16px 24px;max-width:1400px}a{color:#005EB8}
table{border-collapse:collapse;background:#fff;margin:8px 0 24px;font-size:0.9em}
th,td{border:1px solid #D8DDE0;padding:6px 8px;text-align:left;vertical-align:top}
th{background:#E8EDEE}td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}
tbody tr:nth-child(even){background:#F8FAFA}.small{color:#4C6272;font-size:0.85em}
.status{display:inline-block;padding:2px 8px;border-radius:4px;color:#fff;font-weight:bold}
.status-good{background:#007F3B}.status-bad{background:#D5281B}.status-other{background:#768692}
tr.reason td{background:#FDF3F2}pre{background:#fff;border:1px solid #D8DDE0;padding:8px;
overflow-x:auto;white-space:pre-wrap;font-size:0.85em}ul{margin:4px 0}img{max-width:100%}
"""


def esc(value: object) -> str:
    """Any record value as HTML-escaped text ("" for None)."""
    return "" if value is None else escape(str(value), quote=True)


def safe_folder(out: Path, folder: object) -> str | None:
    """``folder`` as a plain relative POSIX path inside ``out``, or None if it is not one.

    Rejects anything absolute, with ``..``, a backslash, a colon (scheme or drive), a control
    character, or resolving (through symlinks) outside ``out``.
    """
    if not isinstance(folder, str) or folder.startswith("/") or ".." in folder:
        return None
    if any(c in folder for c in "\\:") or any(ord(c) < 32 or ord(c) == 127 for c in folder):
        return None
    parts = [p for p in folder.split("/") if p not in ("", ".")]
    if not parts:
        return None
    rel = "/".join(parts)
    try:
        (Path(out) / rel).resolve().relative_to(Path(out).resolve())
    except (ValueError, OSError):
        return None
    return rel


def href(rel: str, name: str = "") -> str:
    return esc(quote(f"{rel}/{name}"))


def num(value: object) -> float | None:
    try:
        v = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return None
    return None if math.isnan(v) else v


def page(title: str, body: str, generated: str) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"{PAGE_MARK}\n"
            f"<title>{esc(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
            f"<header><h1>{esc(title)}</h1></header>\n<main>\n"
            f'<p class="small">Generated {esc(generated)}. Money in £k; surplus positive, '
            f"deficits in brackets.</p>\n{body}\n</main>\n</body>\n</html>\n")
