"""The commands ``run``, ``report`` and ``verify`` over the one safe writer
(``ccgmodels.batch.outdir``, tested on its own in ``tests/batch/test_outdir.py``): nothing
ccgmodels did not make is replaced, deleted, truncated or written through a symlink, and resume
and ``verify`` notice files changed since they were made.

No kernel starts here: ``report`` is run with scenarios that fail validation, or stopped by a
refusal before any report is made; the batch tests with kernels are in
``tests/batch/test_reports.py``.
"""

from __future__ import annotations

import fcntl
import json
import os

import pytest
import yaml
from outfolders import NAME, fake_report

from ccgmodels.batch import outdir, provenance
from ccgmodels.batch.reports import plan, run_batch, safe_key
from ccgmodels.cli import main


def run(out, *extra) -> int:
    return main(["run", NAME, "--out", str(out), *extra])


def test_run_writes_to_its_own_default_folder(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["run", NAME]) == 0
    assert (tmp_path / "runs" / NAME / "results.csv").is_file()
    assert not (tmp_path / "reports").exists()
    assert outdir.marker(tmp_path / "runs" / NAME)["kind"] == "run"


def test_run_replaces_its_own_earlier_run_only(tmp_path, capsys):
    assert run(tmp_path) == 0
    first = outdir.marker(tmp_path / NAME)["id"]
    assert run(tmp_path) == 0
    assert outdir.marker(tmp_path / NAME)["id"] != first
    assert sorted(p.name for p in (tmp_path / NAME).iterdir()) == [
        outdir.MARKER, "manifest.json", "results.csv"]
    assert not (tmp_path / ".staging").exists()


def test_run_over_a_finished_report_is_refused_and_deletes_nothing(tmp_path, capsys):
    folder = fake_report(tmp_path)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert run(tmp_path) == 2
    err = capsys.readouterr().err
    assert str(folder) in err and "report output" in err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_a_users_file_in_an_output_folder_is_never_deleted(tmp_path, capsys):
    assert run(tmp_path) == 0
    (tmp_path / NAME / "analysis.txt").write_text("mine")
    assert run(tmp_path) == 2
    err = capsys.readouterr().err
    assert "analysis.txt" in err and str(tmp_path / NAME) in err
    assert (tmp_path / NAME / "analysis.txt").read_text() == "mine"


def test_a_folder_holding_some_manifest_is_not_taken_for_ours(tmp_path, capsys):
    folder = tmp_path / NAME
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps({"format": provenance.FORMAT,
                                                      "kind": "run", "files_sha256": {}}))
    (folder / "thesis.docx").write_text("years of work")
    assert run(tmp_path) == 2
    assert "not a folder ccgmodels made" in capsys.readouterr().err
    assert (folder / "thesis.docx").read_text() == "years of work"


def test_a_tampered_marker_is_not_ours(tmp_path, capsys):
    assert run(tmp_path) == 0
    path = tmp_path / NAME / outdir.MARKER
    rec = json.loads(path.read_text())
    rec["files"]["notes.txt"] = "0" * 64  # claim a user's file as ours
    path.write_text(json.dumps(rec))
    (tmp_path / NAME / "notes.txt").write_text("mine")
    assert run(tmp_path) == 2
    assert (tmp_path / NAME / "notes.txt").read_text() == "mine"


def test_a_folder_of_an_earlier_version_counts_when_its_manifest_matches(tmp_path, capsys):
    assert run(tmp_path) == 0
    (tmp_path / NAME / outdir.MARKER).unlink()  # as an earlier version wrote it
    assert outdir.marker(tmp_path / NAME)["kind"] == "run"
    assert run(tmp_path) == 0
    (tmp_path / NAME / outdir.MARKER).unlink()
    (tmp_path / NAME / "results.csv").write_text("edited")  # no longer matches: not ours
    assert outdir.marker(tmp_path / NAME) is None


def test_run_and_report_share_one_lock(tmp_path, capsys):
    tmp_path.joinpath(outdir.LOCK).touch()
    fd = os.open(tmp_path / outdir.LOCK, os.O_WRONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)  # as a running report holds it
    try:
        assert run(tmp_path) == 2
        assert "another ccgmodels command" in capsys.readouterr().err
        assert main(["report", NAME, "--out", str(tmp_path)]) == 2
        assert "another ccgmodels command" in capsys.readouterr().err
    finally:
        os.close(fd)
    assert not (tmp_path / NAME).exists()


@pytest.mark.parametrize("link", [outdir.LOCK, outdir.STAGING, outdir.FAILED, NAME,
                                  "index.html"])
def test_no_symlink_is_followed_out_of_out(tmp_path, capsys, link):
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    victim = elsewhere / "precious.txt"
    victim.write_text("keep")
    target = victim if link in (outdir.LOCK, "index.html") else elsewhere
    (out / link).symlink_to(target)
    code = run(out) if link != "index.html" else main(["report", NAME, "--out", str(out)])
    assert code == 2
    err = capsys.readouterr().err
    assert str(out / link) in err and "symbolic link" in err
    assert victim.read_text() == "keep"
    assert sorted(p.name for p in elsewhere.iterdir()) == ["precious.txt"]


def test_a_symlinked_failure_folder_is_refused(tmp_path, capsys):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x").write_text("keep")
    (tmp_path / "out" / outdir.FAILED).mkdir(parents=True)
    (tmp_path / "out" / outdir.FAILED / NAME).symlink_to(elsewhere)
    assert main(["report", NAME, "--out", str(tmp_path / "out")]) == 2
    assert "symbolic link" in capsys.readouterr().err
    assert (elsewhere / "x").read_text() == "keep"


def test_the_users_own_pages_are_never_overwritten(tmp_path, capsys):
    for page in outdir.PAGES:
        (tmp_path / page).write_text("<html>my page</html>")
        assert main(["report", NAME, "--out", str(tmp_path)]) == 2
        assert f"{tmp_path / page} was not written by ccgmodels" in capsys.readouterr().err
        assert (tmp_path / page).read_text() == "<html>my page</html>"
        (tmp_path / page).unlink()


def test_user_files_in_staging_and_failed_are_kept(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"extends": NAME, "name": "bad", "title": 1.5,
                                   "nonsense": 1}))
    out = tmp_path / "out"
    (out / outdir.STAGING).mkdir(parents=True)
    (out / outdir.STAGING / "work.txt").write_text("mine")
    assert main(["report", str(bad), "--out", str(out)]) == 2
    failed = out / outdir.FAILED / safe_key(str(bad))
    assert (failed / "failure.json").is_file()
    (failed / "notes.txt").write_text("my notes")
    bad.write_text(yaml.safe_dump({"extends": NAME, "name": "bad", "nonsense": 1}))
    assert main(["report", str(bad), "--out", str(out)]) == 2  # replaced? it holds my notes
    assert (failed / "notes.txt").read_text() == "my notes"
    assert "could not be written" in (out / "index.html").read_text()
    assert (out / outdir.STAGING / "work.txt").read_text() == "mine"
    # fixed: the failure record goes, the notes stay
    bad.write_text(yaml.safe_dump({"extends": NAME, "name": "bad"}))
    p = plan([str(bad)], out)
    assert p.tasks and not p.invalid
    outdir.remove_owned(failed)
    assert sorted(f.name for f in failed.iterdir()) == ["notes.txt"]


def test_a_non_utf8_file_name_fails_nothing(tmp_path, capsys):
    name = os.fsdecode(b"caf\xe9.yaml")  # Latin-1 bytes: not UTF-8
    (tmp_path / name).write_text(yaml.safe_dump({"extends": NAME, "name": "cafe",
                                                 "nonsense": 1}))
    out = tmp_path / "out"
    summary = run_batch([str(tmp_path / name)], out, log=lambda line: None)
    assert summary.counts["invalid"] == 1
    assert "caf\\udce9.yaml" in (out / "index.html").read_text(encoding="utf-8")
    assert main(["validate", str(tmp_path / name)]) == 2
    assert "caf\\udce9.yaml" in capsys.readouterr().err


def test_verify_finds_changed_missing_and_extra_files(tmp_path, capsys):
    assert run(tmp_path) == 0
    assert main(["verify", str(tmp_path)]) == 0
    assert "1 folder checked, 0 differ" in capsys.readouterr().out
    (tmp_path / NAME / "results.csv").write_text("tampered")
    (tmp_path / NAME / "extra.txt").write_text("x")
    assert main(["verify", str(tmp_path / NAME)]) == 1
    err = capsys.readouterr().err
    assert "results.csv: changed since it was made" in err
    assert "extra.txt: not recorded" in err
    (tmp_path / NAME / "results.csv").unlink()
    assert main(["verify", str(tmp_path)]) == 1
    assert "results.csv: missing" in capsys.readouterr().err
    assert main(["verify", str(tmp_path / "nothing")]) == 2


def forge_marker(folder, kind, *names):
    """A marker as anyone can write one: the hash is unkeyed, so it is recomputed."""
    folder.mkdir(parents=True, exist_ok=True)
    record = {"format": outdir.MARKER_FORMAT, "kind": kind, "id": "x",
              "files": {n: "0" * 64 for n in names}}
    record["sha256"] = outdir._digest(record)
    (folder / outdir.MARKER).write_text(json.dumps(record))


@pytest.mark.parametrize("where, how", [
    (".staging/x", "absolute"), (".staging/x", "dotdot"), (".staging/x", "link"),
    (NAME, "absolute"), (NAME, "dotdot"), (NAME, "link"), (f"{NAME}", "dot-dotdot")])
def test_a_forged_marker_never_deletes_a_file_outside_out(tmp_path, capsys, where, how):
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    victim.write_text("precious")
    folder = out / where
    folder.mkdir(parents=True)
    names = {"absolute": [str(victim)], "dotdot": ["../" * where.count("/") + "../../victim.txt"],
             "link": ["d/victim.txt"], "dot-dotdot": ["./x/../../../victim.txt"]}[how]
    if how == "link":
        (folder / "d").symlink_to(tmp_path)
    forge_marker(folder, "run", *names)
    assert run(out) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(folder) in err[0] and outdir.MARKER in err[0], err
    assert "Traceback" not in "".join(err)
    assert victim.read_text() == "precious"


def test_a_forged_failure_marker_deletes_nothing_outside(tmp_path, capsys):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"extends": NAME, "name": "bad", "nonsense": 1}))
    out, victim = tmp_path / "out", tmp_path / "victim.txt"
    victim.write_text("precious")
    forge_marker(out / outdir.FAILED / safe_key(str(bad)), "failed", str(victim))
    assert main(["report", str(bad), "--out", str(out)]) == 2
    bad.write_text(yaml.safe_dump({"extends": NAME, "name": "bad"}))
    plan([str(bad)], out)
    outdir.remove_owned(out / outdir.FAILED / safe_key(str(bad)))
    assert victim.read_text() == "precious"


# --- issue 25: a corrupt record is set aside, never fatal -----------------------------------

CORRUPT = {"empty": b"", "{}": b"{}", "a list": b"[1]", "non-UTF-8": b"\xff\xfe{}",
           "wrong types": json.dumps({"name": 5, "status": [], "error": "x"}).encode(),
           "error not a mapping": json.dumps({"name": "x", "status": "failed",
                                              "error": "x", "report": 5}).encode(),
           "unhashable key": json.dumps({"name": "x", "key": [1], "status": "x"}).encode(),
           "a folder": None}


@pytest.mark.parametrize("variant", CORRUPT)
def test_a_corrupt_failure_record_is_named_and_set_aside(tmp_path, capsys, variant):
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump({"extends": NAME, "name": "bad", "nonsense": 1}))
    out = tmp_path / "out"
    record = out / outdir.FAILED / "x" / "failure.json"
    record.parent.mkdir(parents=True)
    if CORRUPT[variant] is None:
        record.mkdir()
    else:
        record.write_bytes(CORRUPT[variant])
    assert main(["report", str(bad), "--out", str(out)]) == 2  # the invalid scenario: 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and f"{record}: set aside" in err
    assert err.count("set aside") == 1  # said once, though the index is written twice
    assert "1 invalid" in err and (out / "index.html").is_file()
    assert record.is_dir() if CORRUPT[variant] is None else \
        record.read_bytes() == CORRUPT[variant]  # left as it was


@pytest.mark.parametrize("what", ["fifo page", "fifo workbook", "staging file", "failed file"])
def test_a_special_file_where_ccgmodels_writes_is_refused_not_blocked_on(tmp_path, capsys,
                                                                       what):
    out = tmp_path / "out"
    out.mkdir()
    path = out / {"fifo page": "index.html", "fifo workbook": "compare.xlsx",
                  "staging file": outdir.STAGING, "failed file": outdir.FAILED}[what]
    os.mkfifo(path) if what.startswith("fifo") else path.write_text("mine")
    assert main(["report", NAME, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and str(path) in err[0], err


def test_terminal_output_escapes_control_characters(tmp_path, capsys):
    from ccgmodels.inputs.limits import terminal

    assert terminal("a\nb\x1b[31m\u202e\r\x85") == "a\\nb\\x1b[31m\\u202e\\r\\x85"
    s = tmp_path / "s.yaml"
    s.write_text(yaml.safe_dump({"extends": NAME, "name": "esc",
                                 "sources": {"k\nforged: line": 1}}))
    assert main(["validate", str(s)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[-1] == "1 problem found" and len(err) == 2  # no forged line
    assert "k\\nforged: line" in err[0]
    # a title with escape sequences: refused at validation or shown escaped, never raw
    code = run(tmp_path / "out", "--set", "title=\x1b]0;pwned\x07\x1b[31mred")
    printed = capsys.readouterr()
    assert "\x1b" not in printed.out + printed.err
    assert code != 0 or "\\x1b[31mred" in printed.out


def test_an_edited_result_is_kept_beside_the_remade_one_and_said(tmp_path, capsys):
    assert run(tmp_path) == 0
    folder = tmp_path / NAME
    (folder / "results.csv").write_text("my notes")
    capsys.readouterr()
    assert run(tmp_path) == 0
    err = capsys.readouterr().err
    (copy,) = [p for p in folder.iterdir() if ".yours-" in p.name]
    assert copy.read_text() == "my notes" and str(copy) in err and "kept" in err
    assert (folder / "results.csv").read_text() != "my notes"  # remade
    assert main(["verify", str(folder)]) == 0  # the copy is known, not a stranger
    assert run(tmp_path) == 0  # carried forward, not refused, not lost
    assert copy.read_text() == "my notes"
    assert not (tmp_path / outdir.STAGING).exists()
