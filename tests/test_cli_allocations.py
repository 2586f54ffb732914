"""``ccgmodels allocations FILE --icb CODE``: the allocations reader's command (in process)."""

from __future__ import annotations

import pytest
import yaml
from allocation_tables import build_workbook

from ccgmodels.cli import main

pytest.importorskip("openpyxl")


def test_table_and_yaml(tmp_path, capsys):
    book = build_workbook(tmp_path / "alloc.xlsx")
    assert main(["allocations", str(book), "--icb", "QH8"]) == 0
    out = capsys.readouterr().out
    assert "QH8 NHS Mid and South Essex ICB" in out
    assert "2,040,000" in out and "-5.00%" in out  # core 2026/27; PMC distance worked out
    assert main(["allocations", str(book), "--icb", "QH8", "--yaml"]) == 0
    out = capsys.readouterr().out
    assert "# NOTE: allocation.levels left out" in out
    fragment = yaml.safe_load(out)
    assert fragment["allocation"]["base"]["core_services"] == 2_040_000
    # 22,512 x 1000 / 1,200,000
    assert fragment["allocation"]["rca_per_head"] == pytest.approx(18.76)


def test_missing_icb_is_an_input_error(tmp_path, capsys):
    book = build_workbook(tmp_path / "alloc.xlsx")
    assert main(["allocations", str(book), "--icb", "QZZ"]) == 2
    err = capsys.readouterr().err
    assert "alloc.xlsx: no ICB 'QZZ'" in err and "QH8" in err
