"""The installed package's version: the bottom layer, so the package root (``__version__``),
manifests, the batch log and ``ccgmodels --version`` all read it from here."""

from __future__ import annotations

from importlib import metadata


def version() -> str:
    """The installed package's version, from its metadata (pyproject.toml is the one place it
    is written)."""
    try:
        return metadata.version("ccgmodels")
    except metadata.PackageNotFoundError:  # a source tree on sys.path, never installed
        return "0+unknown"
