"""A corpus of hostile and clumsy inputs, generated into a folder: alias bombs, deep nesting,
special files, ``extends:`` cycles and escapes, encodings, limits and YAML 1.1 coercions.

:func:`corpus` returns :class:`Case` rows: the command-line arguments of ``ccgmodels`` and the
text its error output must hold. Every case is a refusal: exit status 2, a few lines naming the
file and field, no traceback. ``tests/test_cli_hostile.py`` asserts each in-process, and
``benchmarks/hostile_corpus.py`` counts tried / clean / hang / traceback / wrongly accepted over
it in subprocesses.
"""

from __future__ import annotations

import os
import socket
import stat
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import yaml

GROWTH = "organisations.cpr_ccg.allocation.growth.programme"
PROGRAMME = "organisations.cpr_ccg.allocation.base.programme"


@dataclass(frozen=True)
class Case:
    name: str
    kind: str
    make: Callable[[Path], list[str]]  # folder -> ccgmodels arguments
    expect: tuple[str, ...]  # text each expected in the error output


def _write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def _variant(folder: Path, name: str, body: str) -> list[str]:
    """``validate`` of a file extending cpr_2019_20 with ``body`` appended."""
    text = "extends: cpr_2019_20\nname: hostile\n" + body
    return ["validate", str(_write(folder, name, text))]


def _bomb(levels: int = 9, fanout: int = 9) -> str:
    lines = ["a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        refs = ", ".join([f"*a{i - 1}"] * fanout)
        lines.append(f"a{i}: &a{i} [{refs}]")
    return "\n".join(lines) + "\n"


def _bomb_in(folder: Path, name: str, where: str) -> list[str]:
    anchors = _bomb().replace("a0:", "x0:").splitlines()
    body = "\n".join(f"  {line}" for line in anchors)
    top = f"description: x\n_anchors:\n{body}\n"
    tail = {"title": "title: *a8\n",
            "overrides": f"overrides:\n  {GROWTH}: *a8\n",
            "uncertainty": "uncertainty: {x: *a8}\n",
            "sources": "sources: *a8\n"}[where]
    return _variant(folder, name, top + tail)


def _deep(n: int) -> str:
    return "[" * n + "]" * n


def _fifo(folder: Path) -> Path:
    path = folder / "pipe.yaml"
    if not path.exists():
        os.mkfifo(path)
    return path


def _socket(folder: Path) -> Path:
    path = folder / "sock.yaml"
    if not path.exists():
        s = socket.socket(socket.AF_UNIX)
        s.bind(str(path))
        s.close()
    return path


def _chain(folder: Path, n: int) -> list[str]:
    for i in range(n):
        base = f"c{i + 1}.yaml" if i + 1 < n else "cpr_2019_20"
        _write(folder / "chain", f"c{i}.yaml", f"extends: {base}\nname: c{i}\n")
    return ["validate", str(folder / "chain" / "c0.yaml")]


def _cycle_via_dotdot(folder: Path) -> list[str]:
    (folder / "cyc" / "sub").mkdir(parents=True, exist_ok=True)
    _write(folder / "cyc", "a.yaml", "extends: sub/../b.yaml\nname: a\n")
    _write(folder / "cyc", "b.yaml", "extends: ./sub/../a.yaml\nname: b\n")
    return ["validate", str(folder / "cyc" / "a.yaml")]


def _outside(folder: Path) -> list[str]:
    _write(folder / "elsewhere", "base.yaml", (Path(__file__).parents[1] / "ccgmodels" / "data"
                                              / "scenarios" / "cpr_2019_20.yaml").read_text())
    return ["validate", str(_write(folder / "here", "s.yaml",
                                   "extends: ../elsewhere/base.yaml\nname: s\n"))]


def _symlink_loop(folder: Path) -> list[str]:
    link = folder / "loop.yaml"
    if not link.is_symlink():
        link.symlink_to(link)
    return ["validate", str(_write(folder, "to_loop.yaml", "extends: loop.yaml\nname: s\n"))]


def _bridge_years(folder: Path) -> list[str]:
    year = {"income": 1, "expenditure": 1}
    bridge = yaml.safe_dump({"years": {"2019/20": year, "2019-20": year}})
    body = "overrides:\n  organisations.cpr_ccg.primary_care_bridge: " + \
        yaml.safe_dump(yaml.safe_load(bridge), default_flow_style=True)
    return _variant(folder, "dup_years.yaml", body)


def _forged(folder: Path, where: str, *names: str, kind: str = "run") -> Path:
    """A marker as anyone can write one (its hash is unkeyed), naming ``names``."""
    import hashlib
    import json

    target = folder / "out" / where
    target.mkdir(parents=True, exist_ok=True)
    record = {"format": "ccgmodels-folder/1", "kind": kind, "id": "x",
              "files": {n: "0" * 64 for n in names}}
    body = json.dumps(record, sort_keys=True).encode()
    record["sha256"] = hashlib.sha256(body).hexdigest()
    (target / ".ccgmodels.json").write_text(json.dumps(record))
    return target


def _marker_case(folder: Path, where: str, how: str) -> list[str]:
    victim = _write(folder, "victim.txt", "precious")
    names = {"absolute": [str(victim)], "dotdot": ["../" * (where.count("/") + 2) + "victim.txt"],
             "normalised away": ["a/../../" + "../" * (where.count("/") + 1) + "victim.txt"],
             "backslash": ["..\\..\\victim.txt"], "empty": [""], "nul": ["a\0b"],
             "link": ["d/victim.txt"]}[how]
    target = _forged(folder, where, *names)
    if how == "link" and not (target / "d").is_symlink():
        (target / "d").symlink_to(folder)
    return ["run", "cpr_2019_20", "--out", str(folder / "out")]


def _corrupt_record(folder: Path, body: bytes | None) -> list[str]:
    record = folder / "out" / "_failed" / "x" / "failure.json"
    record.parent.mkdir(parents=True, exist_ok=True)
    record.mkdir() if body is None else record.write_bytes(body)
    bad = _write(folder, "bad.yaml", "extends: cpr_2019_20\nname: bad\nnonsense: 1\n")
    return ["report", str(bad), "--out", str(folder / "out"), "--no-pdf"]


def _export(folder: Path) -> Path:
    from ccgmodels.inputs.book.writer import export_book
    from ccgmodels.inputs.loading import load_scenario

    book = folder / "p.xlsx"
    if not book.exists():
        export_book(load_scenario("cpr_2019_20"), book)
        book.chmod(0o644)
    return book


def _target(folder: Path, what: str) -> Path:
    path = folder / {"fifo": "pipe.xlsx", "folder": "dir.xlsx", "user's file": "mine.xlsx",
                     "link": "link.xlsx", "device": "dev.xlsx"}[what]
    if what == "fifo" and not path.exists():
        os.mkfifo(path)
    elif what == "folder":
        path.mkdir(exist_ok=True)
    elif what == "user's file":
        path.write_text("mine")
    elif what == "link" and not path.is_symlink():
        path.symlink_to(_write(folder, "mine.txt", "mine"))
    elif what == "device":
        # a device node of our own (the null device's numbers) in the case's folder, never
        # /dev/null itself: code that wrongly replaced a device must not break the machine
        try:
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except (PermissionError, AttributeError):  # not root: a FIFO is the special file
            os.mkfifo(path)
    return path
def _schemes_file(folder: Path, name: str, n: int, tail: str = "") -> list[str]:
    """``validate`` of cpr_2019_20 with ``n`` small schemes (one flow line each) and ``tail``
    appended: a scenario within every stated limit, sized to make a slow check show."""
    rows = "".join(f"    - {{id: s{i:05d}, name: Scheme {i}, category: acute, net_saving: 0.01, "
                   "status: in_progress}\n" for i in range(n))
    text = ("extends: cpr_2019_20\nname: many\noverrides:\n"
            "  organisations.cpr_ccg.qipp.schemes:\n" + rows + tail)
    return ["validate", str(_write(folder, name, text))]


def _control(folder: Path, name: str, body: str) -> list[str]:
    """``validate`` of a cpr_2019_20 variant whose ``body`` writes a control character as a YAML
    escape (a raw one is refused by the YAML reader before it is a value)."""
    return _variant(folder, name, body)


def corpus() -> list[Case]:
    """Every hostile case (see the module docstring)."""
    c: list[Case] = []

    def add(name, kind, make, *expect):
        c.append(Case(name, kind, make, tuple(expect)))

    # bombs and size
    for where in ("title", "overrides", "uncertainty", "sources"):
        add(f"alias bomb in {where}", "bomb",
            lambda f, w=where: _bomb_in(f, f"bomb_{w}.yaml", w), "alias bomb", "line")
    add("alias bomb in --set", "bomb",
        lambda f: ["validate", "cpr_2019_20", "--set",
                   "title=" + "{" + _bomb().replace("\n", ", ").rstrip(", ") + "}"],
        "alias bomb")
    add("50 MB file", "size",
        lambda f: ["validate", str(_write(f, "big.yaml", "title: x\n" + "#" * 50_000_000))],
        "big.yaml", "bytes")
    add("1 MB title", "size",
        lambda f: _variant(f, "long_title.yaml", "title: " + "x" * 1_000_000 + "\n"),
        "long_title.yaml", "characters")
    add("100 KB --set value", "size",  # the most one argument can hold is 128 KB
        lambda f: ["validate", "cpr_2019_20", "--set", "title=" + "y" * 100_000],
        "title", "characters")
    add("40,000 problems", "size",
        lambda f: _variant(f, "problems.yaml", "".join(f"bad_{i}: 1\n" for i in range(40_000))),
        "problems.yaml", "more not shown")
    # depth
    add("list 500 deep", "depth", lambda f: _variant(f, "deep.yaml", f"title: {_deep(500)}\n"),
        "deep.yaml", "nested")
    add("mapping 500 deep", "depth",
        lambda f: _variant(f, "deepmap.yaml", "title: " + "{a: " * 500 + "1" + "}" * 500 + "\n"),
        "deepmap.yaml", "nested")
    add("deep --set", "depth",
        lambda f: ["validate", "cpr_2019_20", "--set", f"title={_deep(500)}"], "nested")
    add("100,000 deep (composer)", "depth",
        lambda f: _variant(f, "deeper.yaml", f"title: {_deep(100_000)}\n"), "nest")
    # special files
    for dev in ("/dev/zero", "/dev/urandom", "/dev/null"):
        add(f"extends {dev}", "special",
            lambda f, d=dev: ["validate", str(_write(f, "dev.yaml", f"extends: {d}\nname: x\n"))],
            "extends", dev)
    add("extends a FIFO", "special",
        lambda f: [_fifo(f), "validate", str(_write(f, "to_fifo.yaml",
                                                    "extends: pipe.yaml\nname: x\n"))][1:],
        "extends", "regular file")
    add("a FIFO given", "special", lambda f: ["validate", str(_fifo(f))], "pipe.yaml",
        "regular file")
    add("a socket given", "special", lambda f: ["validate", str(_socket(f))], "sock.yaml",
        "regular file")
    add("a folder extended", "special",
        lambda f: [(f / "adir").mkdir(exist_ok=True), "validate",
                   str(_write(f, "to_dir.yaml", "extends: adir\nname: x\n"))][1:],
        "extends", "folder")
    # extends
    add("extends itself", "cycle",
        lambda f: ["validate", str(_write(f, "self.yaml", "extends: self.yaml\nname: x\n"))],
        "extends", "loop")
    add("cycle through sub/../", "cycle", _cycle_via_dotdot, "extends", "loop")
    add("chain of 2,000", "cycle", lambda f: _chain(f, 2000), "extends", "chain")
    add("symlink loop", "cycle", _symlink_loop, "extends", "resolved")
    add("extends outside the folders", "cycle", _outside, "extends", "outside")
    add("extends /etc/passwd", "cycle",
        lambda f: ["validate", str(_write(f, "etc.yaml", "extends: /etc/passwd\nname: x\n"))],
        "extends", "outside")
    # encodings
    add("lone surrogate in title", "encoding",
        lambda f: _variant(f, "surrogate.yaml", 'title: "\\ud800 x"\n'),
        "surrogate.yaml", "Unicode")
    add("lone surrogate in a key", "encoding",
        lambda f: _variant(f, "surrogate_key.yaml", 'sources: {"\\udfff": x}\n'),
        "surrogate_key.yaml", "surrogate")
    add("lone surrogate in --set", "encoding",
        lambda f: ["validate", "cpr_2019_20", "--set", "title=\udc80x"], "title", "surrogate")
    add("latin-1 file", "encoding",
        lambda f: ["validate", str(_write(f, "latin1.yaml", "title: caf\xe9\n".encode("latin-1")))],
        "latin1.yaml", "UTF-8")
    add("utf-16 file", "encoding",
        lambda f: ["validate", str(_write(f, "utf16.yaml", "title: x\n".encode("utf-16")))],
        "utf16.yaml", "UTF-8")
    # YAML coercions and structure
    add("unhashable key", "coercion", lambda f: _variant(f, "key.yaml", "? [a, b]\n: 1\n"),
        "key.yaml", "key")
    add("!!int abc", "coercion", lambda f: _variant(f, "tag.yaml", 'title: !!int "abc"\n'),
        "tag.yaml", "cannot be read")
    add("duplicate key", "coercion", lambda f: _variant(f, "dup.yaml", "title: a\ntitle: b\n"),
        "dup.yaml", "duplicate key")
    for key in ("1", "null", "true"):
        add(f"override key {key}", "coercion",
            lambda f, k=key: _variant(f, f"okey_{k}.yaml", f"overrides: {{{k}: 2}}\n"),
            f"okey_{key}.yaml", "dotted path")
    add("true as a number (file)", "coercion",
        lambda f: _variant(f, "true.yaml", f"overrides: {{{GROWTH}: true}}\n"), GROWTH, "number")
    for value, why in (("true", "number"), ("1:30", "base-60"), ("010", "octal"),
                       ("0x1f", "hexadecimal"), ("1_000", "underscores")):
        add(f"--set {value}", "coercion",
            lambda f, v=value: ["validate", "cpr_2019_20", "--set", f"{GROWTH}={v}"],
            GROWTH, why)
    add("1:30 in a file", "coercion",
        lambda f: _variant(f, "sexa.yaml", f"overrides: {{{GROWTH}: 1:30}}\n"), "sexa.yaml",
        "base-60", "line")
    add("yes as a boolean", "coercion",
        lambda f: _variant(f, "yes.yaml", "overrides: {organisations.cpr_ccg.primary_care_bridge"
                                           ".stf_arrives: yes}\n"), "yes.yaml", "boolean")
    add("bridge years twice in two spellings", "coercion", _bridge_years,
        "dup_years.yaml", "2019/20", "twice")
    add("mitigation lines repeated", "coercion",
        lambda f: _variant(f, "eff.yaml", "overrides: {organisations.cpr_ccg.solutions"
                                          ".mitigation_lines: [acute, acute, acute]}\n"),
        "eff.yaml", "mitigation_lines", "twice")
    add("slug ending in a newline", "coercion",
        lambda f: ["validate", str(_write(f, "nl.yaml", 'extends: cpr_2019_20\nname: "abc\\n"\n'))],
        "nl.yaml", "name", "valid id")
    # limits and what the model cannot compute
    for field, year in (("end_year", "9999/00"), ("base_year", "1800/01")):
        add(f"{field} {year}", "limit",
            lambda f, k=field, y=year: ["validate", "cpr_2019_20", "--set", f"{k}={y}"],
            field, "between")
    add("horizon of 60 years", "limit",
        lambda f: ["validate", "cpr_2019_20", "--set", "end_year=2078/79"], "end_year",
        "horizon")
    add("programme 1e308", "model",
        lambda f: ["run", "cpr_2019_20", "--out", str(f / "runs"), "--set", f"{PROGRAMME}=1e308"],
        PROGRAMME, "too large")
    add("population growth -1", "model",
        lambda f: ["run", "cpr_2019_20", "--out", str(f / "runs"), "--set",
                   'organisations.cpr_ccg.demand.population_growth='
                   '{"0-64": -1, "65-84": -1, "85+": -1}'],
        "population_growth", "100%")
    add("organisation id footprint", "model",
        lambda f: ["run", "cpr_2019_20", "--out", str(f / "runs"), "--set",
                   "organisations.cpr_ccg.id=footprint"], "footprint", "reserved")
    add("300-character slug", "model",
        lambda f: ["run", "cpr_2019_20", "--out", str(f / "runs"), "--set", "name=" + "a" * 300],
        "name", "at most 64")
    # issue 25: markers that name anything outside their own folder are forged
    for where in (".staging/x", "cpr_2019_20"):
        for how in ("absolute", "dotdot", "normalised away", "backslash", "empty", "nul",
                    "link"):
            add(f"marker in {where} naming a {how} path", "marker",
                lambda f, w=where, h=how: _marker_case(f, w, h), ".ccgmodels.json")
    # issue 25: corrupt records in --out are named and set aside (the batch exits 2 for the
    # invalid scenario it was given, not for the record)
    for name, body in (("empty", b""), ("{}", b"{}"), ("a list", b"[1]"),
                       ("non-UTF-8", b"\xff\xfe"), ("a folder", None),
                       ("wrong types", b'{"name": 5, "status": [], "error": "x"}'),
                       ("error text", b'{"name": "x", "status": "failed", "error": "x"}'),
                       ("unhashable key", b'{"name": "x", "key": [1], "status": "failed"}'),
                       ("report a number", b'{"name": "x", "status": "ok", "report": 5}')):
        add(f"failure.json: {name}", "record", lambda f, b=body: _corrupt_record(f, b),
            "failure.json: set aside")
    # issue 25: workbook -o never replaces what is not its own, nor writes through anything
    for what in ("fifo", "folder", "user's file", "link", "device"):
        for action in ("export", "import", "new"):
            def make(f, w=what, a=action):
                out = str(_target(f, w))
                return {"export": ["workbook", "export", "cpr_2019_20", "-o", out],
                        "import": ["workbook", "import", str(_export(f)), "-o", out],
                        "new": ["workbook", "new", "-o", out]}[a]
            add(f"workbook {action} -o a {what}", "output", make, "-o ")
    add("workbook export -o its own source", "output",
        lambda f: ["workbook", "export", str(_export(f)), "-o", str(_export(f)), "--force"],
        "reads")
    add("workbook import -o its own source", "output",
        lambda f: ["workbook", "import", str(_export(f)), "-o", str(_export(f)), "--force"],
        "reads")
    # issue 25: names and values that once gave a traceback
    long = "a" * 300
    add("scenario file name of 300 characters", "name",
        lambda f: ["validate", str(f / f"{long}.yaml")], "too long")
    add("bundled-looking name of 300 characters", "name", lambda f: ["validate", long],
        "too long")
    add("workbook name of 300 characters", "name",
        lambda f: ["validate", str(f / f"{long}.xlsx")], "too long")
    add("extends a name of 300 characters", "name",
        lambda f: ["validate", str(_write(f, "ext.yaml", f"extends: {long}.yaml\nname: x\n"))],
        "extends")
    add("report of a name of 300 characters", "name",
        lambda f: ["report", f"{long}.yaml", "--out", str(f / "out")], "too long")
    add("verify a name of 300 characters", "name", lambda f: ["verify", long], "folder")
    add("-o a name of 300 characters", "name",
        lambda f: ["workbook", "new", "-o", str(f / f"{long}.xlsx")], "too long")
    for digit in ("\u2460", "\u00b2", "\u0663", "\uff11"):
        add(f"--set through the digit {digit!r}", "name",
            lambda f, d=digit: ["validate", "cpr_2019_20", "--set", f"organisations.{d}.name=x"],
            "no element")
    # issue 25: text that would act on the terminal or forge a line is shown escaped
    add("key holding a newline", "terminal",
        lambda f: _variant(f, "nl_key.yaml", 'sources: {"a\\nforged: line": 1}\n'),
        "a\\nforged")
    add("key holding an escape sequence", "terminal",
        lambda f: _variant(f, "esc_key.yaml", 'sources: {"\\e[2J\\e]0;x\\a": 1}\n'),
        "\\x1b[2J")
    add("--set path holding a bidi override", "terminal",
        lambda f: ["validate", "cpr_2019_20", "--set", "organisations.\u202ex.name=1"],
        "\\u202e")
    # command-line options
    add("unknown --org", "option",
        lambda f: ["report", "cpr_2019_20", "--out", str(f / "reports"), "--org", "nope"],
        "--org", "nope")
    add("negative --timeout", "option",
        lambda f: ["report", "cpr_2019_20", "--out", str(f / "reports"), "--timeout", "-5"],
        "--timeout")
    workbook_cases(add)
    # control characters in text: refused at validation, naming the field (issue #25)
    esc = "organisations.cpr_ccg"
    for label, body, field in (
            ("ESC sequence in title", 'title: "Plan \\e[31mred\\e[0m"\n', "title"),
            ("BEL in a scheme name",
             f'overrides: {{{esc}.qipp.schemes.avastin.name: "Ava\\astin"}}\n', "name"),
            ("NUL in description", 'description: "a\\0b"\n', "description"),
            ("C1 CSI in an organisation name", f'overrides: {{{esc}.name: "CPR \\x9b2J"}}\n',
             "name"),
            ("DEL in a source", f'sources: {{{GROWTH}: "000:L1\\x7f"}}\n', "sources"),
            ("line separator in title", 'title: "one\\Ltwo"\n', "title"),
            ("carriage return in title", 'title: "real title\\rforged"\n', "title"),
            ("newline in a sources key", 'sources: {"a\\nb": x}\n', "sources"),
            ("tab in an uncertainty key",
             'uncertainty: {"organisations\\t.x": {dist: uniform, low: 0, high: 1}}\n',
             "uncertainty")):
        add(label, "control", lambda f, n=label, b=body: _control(
            f, n.replace(" ", "_") + ".yaml", b), field, "control character")
    add("ESC in --set title", "control",
        lambda f: ["validate", "cpr_2019_20", "--set", "title=\x1b]0;pwned\x07"], "title",
        "control character")
    add("ESC title into workbook export", "control",
        lambda f: ["workbook", "export", str(_write(f, "esc_export.yaml",
                   'extends: cpr_2019_20\nname: x\ntitle: "\\e[2J"\n')),
                   "-o", str(f / "esc.xlsx")], "title", "control character")
    # work that grew faster than the input, within every stated limit (issue #25): refused in
    # well under the 2 s bound
    wild = "{dist: uniform, low: 0, high: 1}"
    add("9,000 schemes with a wildcard range", "cost",
        lambda f: _schemes_file(f, "wild.yaml", 9000, "uncertainty:\n  "
                                f"{esc}.qipp.schemes.*.net_saving: {wild}\n"),
        "wild.yaml", "not supported")
    add("100 wildcard ranges over 9,000 schemes", "cost",
        lambda f: _schemes_file(f, "wild100.yaml", 9000, "uncertainty:\n" + "".join(
            f"  {esc}.qipp.schemes.*.x{i}: {wild}\n" for i in range(100))),
        "wild100.yaml", "places in all")
    add("9,000 sources naming missing schemes", "cost",
        lambda f: _schemes_file(f, "src.yaml", 9000, "sources:\n" + "".join(
            f"  {esc}.qipp.schemes.t{i:05d}.net_saving: x\n" for i in range(9000))),
        "src.yaml", "names no assumption", "more not shown")
    add("9,000 overrides naming missing schemes", "cost",
        lambda f: _schemes_file(f, "ovr.yaml", 9000, "".join(
            f"  {esc}.qipp.schemes.t{i:05d}.net_saving: 1\n" for i in range(9000))),
        "ovr.yaml", "cannot override", "more not shown")
    add("a 10,000-character text repeated 400,000 times by aliases", "cost",
        lambda f: _variant(f, "textbomb.yaml", "_a: &s " + "x" * 10_000 + "\n_b: &l1 ["
                           + ", ".join(["*s"] * 100) + "]\n_c: &l2 [" + ", ".join(["*l1"] * 100)
                           + "]\n_d: [" + ", ".join(["*l2"] * 40) + "]\n"),
        "textbomb.yaml", "bytes of text")
    add("a council pooling 20,000 names", "cost",
        lambda f: ["validate", str(_write(f, "pool.yaml", (
            "extends: mid_south_essex_system_2019_20\nname: pool\noverrides:\n"
            "  organisations.essex_cc.bcf_from: ["
            + ", ".join(f"c{i}" for i in range(20_000)) + "]\n")))],
        "pool.yaml", "bcf_from", "more not shown")
    return c


# --- assumptions workbooks (issue 25: sheets lost without a word, slow refusals) -------------

_BOOKS: dict[str, bytes] = {}


def exported_book(folder: Path, name: str = "plan.xlsx",
                  scenario: str = "mid_south_essex_system_2019_20") -> Path:
    """The bundled ``scenario``'s assumptions workbook as ``folder/name`` (exported once, then
    copied)."""
    if scenario not in _BOOKS:
        from ccgmodels.inputs.book.writer import export_book
        from ccgmodels.inputs.loading import load_scenario

        tmp = folder / f".{scenario}.xlsx"
        export_book(load_scenario(scenario), tmp)
        _BOOKS[scenario] = tmp.read_bytes()
        tmp.unlink()
    return _write(folder, name, _BOOKS[scenario])


def _sheet_part(path: Path, sheet: str) -> str:
    """The zip entry of ``sheet`` in a workbook written by openpyxl (sheets in order)."""
    import openpyxl

    names = openpyxl.load_workbook(path, read_only=True).sheetnames
    return f"xl/worksheets/sheet{names.index(sheet) + 1}.xml"


def sheet_book(folder: Path, name: str, sheet: str, body) -> Path:
    """An exported workbook whose ``sheet`` XML holds the byte strings of ``body`` (an
    iterable) as its sheet data, written as a stream."""
    import zipfile

    src = exported_book(folder, f".src_{name}")
    part = _sheet_part(src, sheet)
    out = folder / name
    ns = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED,
                                                      compresslevel=6) as zout:
        for info in zin.infolist():
            if info.filename != part:
                zout.writestr(info, zin.read(info.filename))
                continue
            with zout.open(part, "w", force_zip64=True) as fh:
                fh.write(f'<worksheet xmlns="{ns}"><sheetData>'.encode())
                for chunk in body:
                    fh.write(chunk)
                fh.write(b"</sheetData></worksheet>")
    src.unlink()
    return out


def padded_book(folder: Path, name: str, sheet: str, rows: int, cells: int = 1,
                first_row: int = 1, step: int = 1) -> Path:
    """An exported workbook whose ``sheet`` is replaced by ``rows`` rows of ``cells`` numbers
    each (row numbers ``first_row``, ``first_row + step``, ...): a million-row sheet, or a
    workbook that unpacks to hundreds of MiB."""
    from openpyxl.utils import get_column_letter

    letters = [get_column_letter(j + 1) for j in range(cells)]

    def body():
        for i in range(rows):
            r = first_row + i * step
            yield (f'<row r="{r}">' + "".join(f'<c r="{c}{r}"><v>{(r + j) % 9973}</v></c>'
                                              for j, c in enumerate(letters))
                   + "</row>").encode()

    return sheet_book(folder, name, sheet, body())


def _book_case(folder: Path, name: str, change) -> list[str]:
    """``validate`` of mid_south_essex's exported workbook changed by ``change(book)``."""
    import openpyxl

    path = exported_book(folder, name)
    book = openpyxl.load_workbook(path)
    change(book)
    book.save(path)
    return ["validate", str(path)]


def _empty(sheet: str, first: str | None = None):
    """A change emptying the register ``sheet`` (of organisation ``first``'s rows only)."""
    def change(book):
        ws = book[sheet]
        for r in reversed(range(5, ws.max_row + 1)):
            if first is None or ws.cell(r, 1).value == first:
                ws.delete_rows(r)
    return change


def _delete(*sheets):
    def change(book):
        for s in sheets:
            del book[s]
    return change


def _rename(old, new):
    def change(book):
        book[old].title = new
    return change


def _delete_col(sheet, col):
    def change(book):
        book[sheet].delete_cols(col)
    return change


def workbook_cases(add) -> None:
    """The assumptions workbook's cases (issue 25): a sheet, column or register lost, and a
    workbook past its size limits, each refused by name before its values (exit 2)."""
    sheet = "workbook sheet"
    add("QIPP and Sources deleted", sheet,
        lambda f: _book_case(f, "no_qipp.xlsx", _delete("QIPP", "Sources")),
        "no_qipp.xlsx", "sheet 'QIPP' is missing", "sheet 'Sources' is missing")
    add("Solutions renamed", sheet,
        lambda f: _book_case(f, "renamed.xlsx", _rename("Solutions", "Solutions (2)")),
        "renamed.xlsx", "sheet 'Solutions' is missing", "renamed 'Solutions (2)'")
    for name in ("Uncertainty", "Scenario", "Organisations", "Providers", "Councils",
                 "System opportunities"):
        add(f"{name} deleted", sheet,
            lambda f, n=name: _book_case(f, f"no_{n[:5]}.xlsx", _delete(n)),
            f"no_{name[:5]}.xlsx", f"sheet {name!r} is missing")
    add("a register emptied (Uncertainty)", sheet,
        lambda f: _book_case(f, "empty_unc.xlsx", _empty("Uncertainty")),
        "empty_unc.xlsx", "Uncertainty!A5: no rows", "(none)")
    add("one commissioner's schemes deleted", sheet,
        lambda f: _book_case(f, "empty_qipp.xlsx", _empty("QIPP", "cpr_ccg")),
        "empty_qipp.xlsx", "QIPP!A5: no rows for commissioner 'cpr_ccg'")
    add("a column deleted (QIPP Investment line)", sheet,
        lambda f: _book_case(f, "no_col.xlsx", _delete_col("QIPP", 7)),
        "no_col.xlsx", "QIPP!A4: the header row lacks 'Investment line'")
    add("a year column deleted (Plan 2021/22)", sheet,
        lambda f: _book_case(f, "no_year.xlsx", _delete_col("Plan", 10)),
        "no_year.xlsx", "Plan!A4: the header row lacks '2021/22'")
    add("the Field column deleted (Scenario)", sheet,
        lambda f: _book_case(f, "no_field.xlsx", _delete_col("Scenario", 3)),
        "no_field.xlsx", "Scenario!A4: the header row lacks 'Field'")
    add("a header row deleted (Sources)", sheet,
        lambda f: _book_case(f, "no_head.xlsx", lambda b: b["Sources"].delete_rows(4)),
        "no_head.xlsx", "Sources!A1: no header row")
    size = "workbook size"
    add("60,000 rows", size,
        lambda f: ["validate", str(padded_book(f, "rows.xlsx", "Sources", 60_000))],
        "rows.xlsx", "Sources: has", "limits.MAX_BOOK_ROWS")
    add("one cell at row 1,000,000", size,
        lambda f: ["validate", str(padded_book(f, "far.xlsx", "Sources", 1, 1, 1_000_000))],
        "far.xlsx", "Sources: has 1,000,000 rows", "limits.MAX_BOOK_ROWS")
    add("a cell in column XFD", size,
        lambda f: ["validate", str(sheet_book(f, "wide.xlsx", "Sources",
                                              [b'<row r="1"><c r="XFD1"><v>1</v></c></row>']))],
        "wide.xlsx", "Sources: uses column 16,384", "limits.MAX_BOOK_COLUMNS")
    add("1,040,000 empty cells", size,
        lambda f: ["validate", str(sheet_book(f, "cells.xlsx", "Sources",
                                              (b"<row>" + b"<c/>" * 26 + b"</row>"
                                               for _ in range(40_000))))],
        "cells.xlsx", "limits.MAX_BOOK_CELLS")
    add("70 MiB of spaces in a sheet", size,
        lambda f: ["validate", str(sheet_book(f, "spaces.xlsx", "Sources",
                                              (b" " * (1 << 20) for _ in range(70))))],
        "spaces.xlsx", "unpacks to", "limits.MAX_BOOK_UNPACKED")
    add("namespaced rows (x:row)", size,
        lambda f: ["validate", str(sheet_book(f, "ns.xlsx", "Sources",
                                              (f'<x:row r="{i}"/>'.encode()
                                               for i in range(1, 60_002))))],
        "ns.xlsx", "Sources: has", "limits.MAX_BOOK_ROWS")
