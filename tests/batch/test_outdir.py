"""The one safe writer (``ccgmodels.batch.outdir``) on its own: a folder ccgmodels made is
recognised, resume notices files changed since they were made, a record never removes a path
outside its folder, and a user's edit to a made file is kept. The commands that write through
it (``run``, ``report``, ``verify``) are tested in ``tests/test_cli_outdir.py``.
"""

from __future__ import annotations

import json

import pytest
from outfolders import NAME, fake_report

from ccgmodels.batch import outdir, provenance
from ccgmodels.batch.reports import plan


def test_resume_remakes_a_report_whose_files_changed(tmp_path):
    """Inputs as for the report, so it would be skipped; but its files changed: remade."""
    from ccgmodels.batch.reports import TEMPLATE, input_key
    from ccgmodels.inputs.loading import load_scenario
    from ccgmodels.models.seeds import DEFAULT_SEED
    from ccgmodels.outputs.pdf import chromium

    folder = fake_report(tmp_path)
    m = json.loads((folder / "manifest.json").read_text())
    m["input_key"] = input_key(load_scenario(NAME).model_dump(mode="json"), 0, DEFAULT_SEED,
                               "footprint", provenance.package_state()["package_sha256"],
                               provenance.sha256(TEMPLATE.read_bytes()),
                               pdf=chromium() is not None)
    (folder / "manifest.json").write_text(json.dumps(m))
    outdir.mark(folder, "report", "id")
    assert plan([NAME], tmp_path).unchanged == [NAME]
    (folder / "results.csv").write_text("tampered")
    p = plan([NAME], tmp_path)
    assert p.unchanged == [] and [t.name for t in p.tasks] == [NAME]
    assert "results.csv: changed" in p.tampered[NAME][0]
    (folder / "results.csv").unlink()
    assert "results.csv: missing" in plan([NAME], tmp_path).tampered[NAME][0]


# --- issue 25: a marker names only its own folder's files -----------------------------------


def test_remove_owned_checks_every_path_itself_whatever_the_record_says(tmp_path):
    folder, victim = tmp_path / "f", tmp_path / "victim.txt"
    victim.write_text("precious")
    (folder / "sub").mkdir(parents=True)
    (folder / "sub" / "ours.txt").write_text("x")
    (folder / "link").symlink_to(tmp_path)
    record = {"files": {str(victim): "", "../victim.txt": "", "link/victim.txt": "",
                        "sub/../../victim.txt": "",
                        "sub/ours.txt": outdir._sha(folder / "sub" / "ours.txt"), 7: ""}}
    outdir.remove_owned(folder, record)  # a record handed in directly, never checked before
    assert victim.read_text() == "precious"
    assert not (folder / "sub").exists()
    assert outdir.unsafe_entry(folder, "sub/ours.txt") is None


# --- issue 25: a corrupt record is set aside, never fatal (more in tests/test_cli_outdir.py) -


@pytest.mark.parametrize("index", [[1], {"name": "y"}, {"name": "y", "status": "ok",
                                                        "headline": [1]}, "text"])
def test_a_report_manifest_with_a_broken_index_record_is_set_aside(tmp_path, capsys, index):
    from ccgmodels.batch.pages import collect

    folder = fake_report(tmp_path, "y")
    m = json.loads((folder / "manifest.json").read_text())
    (folder / "manifest.json").write_text(json.dumps({**m, "index": index}))
    said = []
    assert collect(tmp_path, corrupt=lambda path, why: said.append(path)) == []
    assert said == [folder / "manifest.json"]


# --- issue 25: a user's edit to a made file is kept, and said on the terminal ---------------


def test_a_notes_sheet_added_to_a_report_survives_the_next_report(tmp_path):
    import openpyxl

    folder = fake_report(tmp_path)
    book = openpyxl.Workbook()
    book.active.title = "My notes"
    book.save(folder / "report.xlsx")
    assert plan([NAME], tmp_path, force=True).edited == {NAME: ["report.xlsx"]}
    new = outdir.new_staging(tmp_path, NAME)
    (new / "report.xlsx").write_text("remade")
    outdir.mark(new, "report", "id2")
    (kept,) = outdir.install(new, folder, "report")  # what execute does, then says
    assert kept.parent == folder and kept.name.startswith("report.yours-")
    assert openpyxl.load_workbook(kept).sheetnames == ["My notes"]
    assert (folder / "report.xlsx").read_text() == "remade"


def test_a_changed_file_is_never_deleted_even_when_its_marker_lists_it(tmp_path):
    folder = fake_report(tmp_path)
    (folder / "report.html").write_text("edited")
    left = outdir.remove_owned(folder)
    assert left == ["report.html"] and (folder / "report.html").read_text() == "edited"
