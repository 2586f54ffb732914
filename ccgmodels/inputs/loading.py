"""From a scenario file (plus overrides) to a valid :class:`~ccgmodels.inputs.scenario.Scenario`,
or to every problem in it at once.

Each problem names the file, the field path, the offending value and what is allowed. Paths are
dotted and address list elements by their ``id`` (``organisations.cpr_ccg.qipp.schemes.avastin
.net_saving``); the same syntax serves ``--set path=value`` overrides and uncertainty keys.
"""

from __future__ import annotations

import copy
import difflib
import os
import stat
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from . import limits
from .limits import printable, shown
from .paths import Ids, set_in_place
from .problems import (  # noqa: F401 (re-exported)
    _ABSENT,
    Problem,
    ScenarioError,
    problems_from_validation,
)
from .scenario import Scenario
from .yamlread import YamlLimit
from .yamlread import dump as dump_yaml
from .yamlread import load as load_yaml_text

#: the files a scenario may be: YAML, or an assumptions workbook (:mod:`.book.reader`)
SCENARIO_SUFFIXES = (".yaml", ".yml", ".xlsx")
BUNDLED_PACKAGE = "ccgmodels"
BUNDLED_FOLDER = ("data", "scenarios")


# --- YAML ------------------------------------------------------------------------------------


def read_text(path: Path | str) -> tuple[str | None, list[Problem]]:
    """The UTF-8 text of the scenario file ``path``, or why it cannot be read.

    Only a regular file of at most :data:`~ccgmodels.inputs.limits.MAX_FILE_BYTES` is read: a
    folder, FIFO, socket or device (``/dev/zero``) is refused before it is opened, and the file
    is opened non-blocking and read no further than the limit.
    """
    name = printable(str(path))
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None, [Problem(name, "", _ABSENT, "file not found")]
    except OSError as exc:
        return None, [Problem(name, "", _ABSENT, f"cannot be read: {exc.strerror}")]
    if stat.S_ISDIR(st.st_mode):
        return None, [Problem(name, "", _ABSENT, "is a folder, not a scenario file")]
    if not stat.S_ISREG(st.st_mode):
        return None, [Problem(name, "", _ABSENT, "is not a regular file (a FIFO, socket or "
                              "device): a scenario is a YAML file")]
    if st.st_size > limits.MAX_FILE_BYTES:
        return None, [Problem(name, "", _ABSENT, f"is {st.st_size:,} bytes: a scenario file "
                              f"is at most {limits.MAX_FILE_BYTES:,}")]
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        with os.fdopen(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):  # swapped since the stat
                return None, [Problem(name, "", _ABSENT, "is not a regular file")]
            raw = fh.read(limits.MAX_FILE_BYTES + 1)
    except OSError as exc:
        return None, [Problem(name, "", _ABSENT, f"cannot be read: {exc.strerror}")]
    if len(raw) > limits.MAX_FILE_BYTES:
        return None, [Problem(name, "", _ABSENT, "grew past "
                              f"{limits.MAX_FILE_BYTES:,} bytes while being read")]
    try:
        return raw.decode("utf-8"), []
    except UnicodeDecodeError as exc:
        return None, [Problem(name, "", _ABSENT, f"is not UTF-8 text: byte {exc.start} "
                              f"({raw[exc.start:exc.start + 1]!r}) cannot be decoded")]


def read_yaml(path: Path | str) -> tuple[dict | None, list[Problem]]:
    """Read a scenario file into plain data, or say why it cannot be read."""
    text, problems = read_text(path)
    if text is None:
        return None, problems
    return parse_yaml(text, printable(str(path)))


def parse_yaml(text: str, name: str) -> tuple[dict | None, list[Problem]]:
    """Parse scenario YAML text within the limits (:mod:`~ccgmodels.inputs.yamlread`);
    ``name`` labels problems."""
    if not text.strip():
        return None, [Problem(name, "", _ABSENT, "file is empty: expected a scenario mapping")]
    if len(text) > limits.MAX_FILE_BYTES:
        return None, [Problem(name, "", _ABSENT, f"is {len(text):,} characters: a scenario "
                              f"is at most {limits.MAX_FILE_BYTES:,} bytes")]
    try:
        data = load_yaml_text(text)
    except YamlLimit as exc:
        return None, [Problem(name, "", _ABSENT, f"refused: {exc}")]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        reason = getattr(exc, "problem", None) or str(exc)
        return None, [Problem(name, "", _ABSENT, f"not valid YAML{where}: {shown(reason)}")]
    if data is None:
        return None, [Problem(name, "", _ABSENT, "file is empty: expected a scenario mapping")]
    if not isinstance(data, dict):
        return None, [
            Problem(name, "", _ABSENT, f"expected a mapping of scenario fields, got a "
                    f"{type(data).__name__}")
        ]
    return data, []


# --- overrides -------------------------------------------------------------------------------


def apply_overrides(
    data: dict, overrides: Mapping[str, Any] | None, name: str
) -> tuple[dict, list[Problem]]:
    """Apply ``{dotted.path: value}`` overrides to plain data; problems for bad paths."""
    problems: list[Problem] = []
    if overrides:
        data = copy.deepcopy(data)  # once: every override then changes this copy
    ids = Ids()  # each list searched once, however many overrides name its elements
    for path, value in (overrides or {}).items():
        if not isinstance(path, str):
            problems.append(Problem(name, printable(str(path)), value, "an override key must "
                                    "be a dotted path such as 'organisations.cpr_ccg.name'"))
            continue
        try:
            set_in_place(data, path, copy.deepcopy(value), ids)
        except KeyError as exc:
            problems.append(Problem(name, path, value, f"cannot override: {exc.args[0]}"))
    return data, problems


def bundled_scenarios() -> dict[str, Any]:
    """Bundled scenario files shipped with the package, by scenario file stem."""
    folder = resources.files(BUNDLED_PACKAGE).joinpath(*BUNDLED_FOLDER)
    return {
        f.name.removesuffix(".yaml"): f
        for f in folder.iterdir()
        if f.name.endswith(".yaml")
    }


#: the bundled current plan (today's rules, 2026/27 to 2028/29): what the app opens on and
#: offers first
CURRENT_PLAN = "west_yorkshire_2026_27"


def bundled_names() -> list[str]:
    """The bundled scenario names as a person is offered them: the current plan first, then
    the others in name order."""
    return sorted(bundled_scenarios(), key=lambda n: (n != CURRENT_PLAN, n))


def bundled_folder() -> Path:
    """The folder of the bundled scenario files."""
    return Path(str(resources.files(BUNDLED_PACKAGE).joinpath(*BUNDLED_FOLDER)))


def resolve(source: str | Path) -> tuple[str, Path | Any]:
    """Map a path or a bundled scenario name to ``(label, file)``."""
    p = Path(source)
    # os.path.exists: a name too long for the file system is simply not there (Path.exists
    # raises ENAMETOOLONG); read_text then says why it cannot be read
    if (os.path.exists(p) or str(source).lower().endswith(SCENARIO_SUFFIXES)
            or "/" in str(source)):
        return printable(str(source)), p
    bundled = bundled_scenarios()
    if str(source) in bundled:
        return f"<bundled>/{source}.yaml", bundled[str(source)]
    return printable(str(source)), p


def validate_data(
    data: dict, name: str, overrides: Mapping[str, Any] | None = None
) -> tuple[Scenario | None, list[Problem]]:
    """Validate plain data (plus overrides). Returns the scenario or every problem.

    Before the typed models, the data is checked against the limits
    (:func:`~ccgmodels.inputs.limits.data_problems`); after them, that no boolean was taken as
    a number, that the horizon is within the limits, and that the resolved scenario (every
    default filled in) is within them too, as the file a report re-reads.
    """
    data, problems = apply_overrides(data, overrides, name)
    if problems:
        return None, problems
    rows = limits.data_problems(data)
    if rows:
        return None, [Problem(name, p, v, m) for p, v, m in rows]
    try:
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        return None, problems_from_validation(exc, data, name)
    # the resolved form (what the batch writes for the report to re-read) within the limits
    rows = (limits.coerced_booleans(data, scenario)  # text such as "1e308" became a number
            + limits.data_problems(scenario.model_dump(mode="json"), written=dump_yaml))
    if rows:
        return None, [Problem(name, p, v, m) for p, v, m in rows]
    return scenario, []


def _read_source(source: str | Path) -> tuple[str, Any, dict | None, list[Problem]]:
    name, file = resolve(source)
    if isinstance(file, Path):
        data, problems = read_yaml(file)
    else:
        data, problems = parse_yaml(file.read_text(encoding="utf-8"), name)
    return name, file, data, problems


def _base_file(ref: str, here: Path | None, roots: tuple[Path, ...]
               ) -> tuple[str | Path | None, str | None]:
    """Where ``extends: ref`` points: a bundled name, or a resolved file under ``roots``;
    else ``(None, why)``."""
    candidate = (here / ref) if here is not None else Path(ref)
    if not os.path.lexists(candidate):  # never raises (a name over 255 characters)
        if ref in bundled_scenarios():
            return ref, None
        if here is not None and os.path.exists(ref):
            candidate = Path(ref)
        else:
            return None, "no such file or bundled scenario"
    try:
        resolved = candidate.resolve(strict=True)
    except (OSError, RuntimeError) as exc:  # a dangling or looping symlink
        return None, f"cannot be resolved ({exc.__class__.__name__})"
    if not any(resolved.is_relative_to(r) for r in roots):
        return None, ("is outside the folders a scenario may extend from (the scenario's own "
                      f"folder, the current folder and the bundled scenarios): {resolved}")
    return resolved, None


def expand(data: dict, name: str, here: Path | None, seen: tuple[str, ...] = (),
           roots: tuple[Path, ...] | None = None) -> tuple[dict | None, list[Problem]]:
    """Resolve ``extends: BASE`` and ``overrides: {path: value}`` in scenario data.

    ``BASE`` is a bundled scenario name or a file path (relative to the extending file). The
    extending file's other top-level fields replace the base's; then its overrides apply.

    A base file is resolved (symlinks and ``..`` followed) and must be a regular file under one
    of ``roots`` (default: the extending file's folder, the current folder and the bundled
    scenarios); a chain longer than :data:`~ccgmodels.inputs.limits.MAX_EXTENDS` or one that
    comes back to a file already in it is refused.
    """
    if roots is None:
        roots = tuple(dict.fromkeys(r.resolve() for r in (
            *([here] if here is not None else []), Path.cwd(), bundled_folder())))
    if "extends" not in data:
        if "overrides" in data:
            return None, [Problem(name, "overrides", data["overrides"],
                                  "overrides need 'extends: <base scenario>'")]
        return data, []
    data = dict(data)
    base_ref = data.pop("extends")
    overrides = data.pop("overrides", None) or {}
    if not isinstance(base_ref, str) or not base_ref:
        return None, [Problem(name, "extends", base_ref, "must name a scenario file or a "
                              "bundled scenario")]
    if not isinstance(overrides, dict):
        return None, [Problem(name, "overrides", overrides, "must be a mapping of "
                              "dotted.path: value")]
    if len(seen) >= limits.MAX_EXTENDS:
        return None, [Problem(name, "extends", base_ref, f"a chain of more than "
                              f"{limits.MAX_EXTENDS} scenarios extending each other")]
    ref, why = _base_file(base_ref, here, roots)
    if ref is None:
        hint = f"; bundled scenarios: {', '.join(sorted(bundled_scenarios()))}"
        return None, [Problem(name, "extends", base_ref, f"base scenario cannot be read: "
                              f"{why}{hint}")]
    if str(ref) in seen:
        return None, [Problem(name, "extends", base_ref, "scenarios extend each other in a "
                              "loop")]
    base_name, base_file, base, problems = _read_source(ref)
    if base is None:
        return None, [Problem(name, "extends", base_ref, f"base scenario cannot be read: "
                              f"{p.message}") for p in problems]
    base_here = base_file.parent if isinstance(base_file, Path) else None
    base, problems = expand(base, base_name, base_here, (*seen, str(ref)), roots)
    if base is None:
        return None, problems
    merged = {**base, **data}
    merged, problems = apply_overrides(merged, overrides, name)
    if problems:  # a bad override path must stop the file, not be dropped
        return None, [Problem(p.file, f"overrides.{p.path}", p.value, p.message)
                      for p in problems]
    return merged, []


def check(
    source: str | Path, overrides: Mapping[str, Any] | None = None
) -> tuple[Scenario | None, dict | None, list[Problem]]:
    """Read and validate one scenario (a YAML file, a bundled name or an assumptions workbook);
    returns ``(scenario, plain data, problems)``.

    A problem with an override is reported as the ``--set`` argument's (its file reads
    ``--set (applied to FILE)``); a name that is neither a file nor a bundled scenario lists
    the closest bundled names.
    """
    if is_workbook(source):
        scenario, data, problems = check_workbook(source, overrides)
        return scenario, data, _blame_overrides(problems, overrides)
    name, file, data, problems = _read_source(source)
    if data is None:
        return None, None, _suggest(source, problems)
    here = file.parent if isinstance(file, Path) else None
    first = (str(file.resolve()),) if isinstance(file, Path) else (str(source),)
    data, problems = expand(data, name, here, first)
    if data is None:
        return None, None, problems
    scenario, problems = validate_data(data, name, overrides)
    return scenario, data, _blame_overrides(problems, overrides)


#: the file name given to a problem of a ``--set`` override
OVERRIDE_FILE = "--set"


def _blame_overrides(problems: list[Problem], overrides: Mapping[str, Any] | None
                     ) -> list[Problem]:
    """Problems at (or below, or above) an override's path, as the override's."""
    keys = list(overrides or {})
    out = []
    for p in problems:
        path = str(p.path)
        if any(path == k or path.startswith(k + ".") or k.startswith(path + ".")
               for k in keys) and path:
            p = Problem(f"{OVERRIDE_FILE} (applied to {p.file})", path, p.value, p.message)
        out.append(p)
    return out


def _suggest(source: str | Path, problems: list[Problem]) -> list[Problem]:
    """A missing name that looks like a bundled scenario's gets the closest bundled names."""

    text = str(source)
    if ("/" in text or text.endswith((".yaml", ".yml")) or os.path.exists(text)
            or [p.message for p in problems] != ["file not found"]):
        return problems
    names = sorted(bundled_scenarios())
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.5)
    hint = (f"did you mean {' or '.join(close)}?" if close
            else f"bundled scenarios: {', '.join(names)}")
    return [Problem(printable(text), "", _ABSENT, "is neither a scenario file nor a bundled "
                    f"scenario; {hint} (ccgmodels list shows them)")]


def is_workbook(source: str | Path) -> bool:
    """Whether ``source`` names an assumptions workbook (``.xlsx``)."""
    return str(source).lower().endswith(".xlsx")


def check_workbook(source: str | Path, overrides: Mapping[str, Any] | None = None
                   ) -> tuple[Scenario | None, dict | None, list[Problem]]:
    """Read an assumptions workbook in memory and validate it as :func:`check` does a file:
    every problem names the sheet and cell its value came from (``plan.xlsx: QIPP!H9:
    organisations.cpr_ccg.qipp.schemes.avastin.net_saving: ...``)."""
    from .book.onepass import every_problem
    from .book.reader import ABSENT, explain, place, read_book, sheet_of

    name = printable(str(source))
    data, cells, rows = read_book(source)
    problems = [Problem(name, where, _ABSENT if value is ABSENT else value, message)
                for where, value, message in rows]
    if data is None:
        return None, None, problems
    # every problem in one import: the rules across fields run on the values that are well
    # typed even where others are not (book.onepass)
    scenario, found = every_problem(data, name, validate_data, overrides)
    for p in found:
        cell = place(p.path, cells) or sheet_of(p.path, cells)  # a deleted row: its sheet
        message = explain(p.path, p.message, data)
        problems.append(Problem(p.file, f"{cell}: {p.path}" if cell else p.path, p.value,
                                message))
    return (None if problems else scenario), data, problems


def load_scenario(
    source: str | Path, overrides: Mapping[str, Any] | None = None
) -> Scenario:
    """Load and validate a scenario file or bundled scenario name.

    Parameters
    ----------
    source : str or Path
        A YAML file, an assumptions workbook (``.xlsx``, read in memory), or the name of a
        bundled scenario (see :func:`bundled_scenarios`).
    overrides : mapping, optional
        ``{dotted.path: value}`` applied before validation, exactly as ``--set`` does.

    Raises
    ------
    ScenarioError
        With every problem found.
    """
    scenario, _, problems = check(source, overrides)
    if problems:
        raise ScenarioError(problems)
    assert scenario is not None
    return scenario

