"""The reader of NHS England's published ICB allocation tables (ccgmodels.inputs.allocations).

The fixture (``tests/allocation_tables.py``) is built in the published workbook's shape, with
made-up figures chosen so the expected values can be worked by hand.
"""

from __future__ import annotations

import subprocess
import sys

import pytest
import yaml
from allocation_tables import CSV, build_workbook

from ccgmodels.inputs.allocation_words import column_role
from ccgmodels.inputs.allocations import AllocationsError, read_allocations
from ccgmodels.inputs.loading import load_scenario
from ccgmodels.inputs.vocab import ICB_ALLOCATION_ITEMS, SERVICE_LINES

pytest.importorskip("openpyxl")


@pytest.fixture
def book(tmp_path):
    return build_workbook(tmp_path / "ICB allocations 2026-27 to 2028-29.xlsx")


def test_reads_every_stream_by_year(book):
    a = read_allocations(book, "QH8")
    assert (a.code, a.name) == ("QH8", "NHS Mid and South Essex ICB")
    # the combined allocation is taken over the recurrent one of the same year
    assert a.streams["core_services"] == {"2026/27": 2_040_000, "2027/28": 2_100_000,
                                          "2028/29": 2_160_000}
    assert a.streams["primary_medical_care"] == {"2026/27": 190_000, "2027/28": 196_000,
                                                 "2028/29": 202_000}
    # text with thousands separators read; a dash is nil
    assert a.streams["delegated_primary_care"] == {"2026/27": 120_000, "2027/28": 123_000,
                                                   "2028/29": 0.0}
    # £m: 420.25 £m = 420,250 £k
    assert a.streams["specialised"] == {"2026/27": pytest.approx(420_250)}
    # the £ per head column is not an allocation
    assert a.streams["running_costs"] == {"2026/27": 22_512, "2027/28": 22_512,
                                          "2028/29": 22_512}
    assert set(a.streams) == set(ICB_ALLOCATION_ITEMS)
    assert a.years == ["2026/27", "2027/28", "2028/29"]


def test_population_target_and_distance(book):
    a = read_allocations(book, "QH8")
    # the registered population, not the weighted one
    assert a.population == {"2026/27": 1_200_000}
    assert a.population_basis == "GP registered population 2026/27"
    assert a.target == {"core_services": {"2026/27": 2_000_000},
                        "primary_medical_care": {"2026/27": 200_000}}
    # core: given in a cell formatted as a percentage, so already a fraction
    assert a.distance_from_target["core_services"] == {"2026/27": pytest.approx(0.02)}
    # PMC: no distance column, so (190,000 - 200,000) / 200,000 = -0.05
    assert a.distance_from_target["primary_medical_care"] == {"2026/27": pytest.approx(-0.05)}
    assert a.cells["distance_from_target.primary_medical_care.2026/27"].startswith("worked out")


def test_cells_are_named(book):
    a = read_allocations(book, "QH8")
    name = book.name
    # header on row 3, the region row 4, QH8 row 5; combined 2026/27 in column H
    assert a.cells["allocation.core_services.2026/27"] == f"{name}: ICB Core Allocations!H5"
    assert a.cells["population..2026/27"] == f"{name}: ICB Core Allocations!E5"
    assert a.cells["allocation.specialised.2026/27"] == f"{name}: Specialised Services!E5"


@pytest.mark.parametrize("icb", ["NHS Mid and South Essex ICB", "mid and south essex", "qh8"])
def test_icb_by_name_or_code(book, icb):
    assert read_allocations(book, icb).streams["core_services"]["2026/27"] == 2_040_000


def test_other_icb_and_missing_streams(book):
    a = read_allocations(book, "QHG")
    assert a.streams["core_services"]["2026/27"] == 1_510_000
    assert a.distance_from_target["core_services"]["2026/27"] == pytest.approx(-0.0195)
    assert "running_costs" not in a.streams  # not on the running cost sheet: not invented
    assert a.streams["specialised"] == {"2026/27": pytest.approx(310_500)}


def test_missing_icb_names_file_and_codes(book):
    with pytest.raises(AllocationsError) as err:
        read_allocations(book, "QXX")
    text = str(err.value)
    assert book.name in text and "'QXX'" in text
    assert "QH8" in text and "QJG" in text and "ICB Core Allocations" in text


def test_non_numeric_cell_names_sheet_cell_column_and_value(tmp_path):
    book = build_workbook(tmp_path / "alloc.xlsx", pmc_cell=("F4", "tbc"))
    with pytest.raises(AllocationsError) as err:
        read_allocations(book, "QH8")
    text = str(err.value)
    assert text.startswith("alloc.xlsx: PMC Allocations!F4:")
    assert "'2027/28 Allocation'" in text and "'tbc'" in text


def test_missing_code_column_names_sheet_and_column(tmp_path):
    book = build_workbook(tmp_path / "alloc.xlsx", core_code_header="Organisation")
    with pytest.raises(AllocationsError) as err:
        read_allocations(book, "QH8")
    text = str(err.value)
    assert "alloc.xlsx: sheet 'ICB Core Allocations'" in text
    assert "no header row naming an ICB code column" in text and "'ICB code'" in text


def test_fragment(book):
    f, notes = read_allocations(book, "QH8").fragment("2026/27")
    assert f["allocation"]["base"] == {
        "core_services": 2_040_000, "primary_medical_care": 190_000,
        "delegated_primary_care": 120_000, "specialised": pytest.approx(420_250)}
    # specialised has 2026/27 only: no levels (a missing year is not nil), and a note says so
    assert "levels" not in f["allocation"]
    assert any("specialised 2027/28" in n for n in notes)
    assert f["population"] == 1_200_000
    # £22,512k x 1000 / 1,200,000 people = £18.76 a head, held for every year (noted)
    assert f["allocation"]["rca_per_head"] == pytest.approx(18.76)
    assert any(n.startswith("allocation.rca_per_head") for n in notes)
    assert f["allocation"]["convergence"] == {"core_services": {"target": 2_000_000},
                                              "primary_medical_care": {"target": 200_000}}
    assert f["sources"]["allocation.base.core_services"].endswith("ICB Core Allocations!H5")
    assert f["sources"]["allocation.convergence.core_services.target"].endswith("!K5")
    with pytest.raises(AllocationsError, match="no allocation for QH8 in 2030/31"):
        read_allocations(book, "QH8").fragment("2030/31")


def test_fragment_levels(tmp_path):
    book = build_workbook(tmp_path / "alloc.xlsx", specialised=False)
    f, notes = read_allocations(book, "QH8").fragment()
    assert f["allocation"]["levels"] == {
        "2027/28": {"core_services": 2_100_000, "primary_medical_care": 196_000,
                    "delegated_primary_care": 123_000},
        "2028/29": {"core_services": 2_160_000, "primary_medical_care": 202_000,
                    "delegated_primary_care": 0.0}}
    assert f["sources"]["allocation.levels.2028/29.core_services"].endswith("!J5")
    assert not any(n.startswith("allocation.levels") for n in notes)


def test_fragment_is_an_icb(tmp_path, book):
    """The fragment, under an ``icb`` organisation with its spend, validates as a scenario,
    its sources included."""
    f, _ = read_allocations(book, "QH8").fragment()
    sources = {f"organisations.qh8.{k}": v for k, v in f.pop("sources").items()}
    org = {"kind": "icb", "id": "qh8", "name": "NHS Mid and South Essex ICB", **f,
           "expenditure": {"base": {line: 1000.0 for line in SERVICE_LINES}}}
    data = {"name": "qh8_test", "title": "QH8 from the allocations reader",
            "base_year": "2026/27", "end_year": "2028/29", "organisations": [org],
            "sources": sources}
    path = tmp_path / "qh8.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    s = load_scenario(path)
    icb = s.org("qh8")
    assert icb.allocation.base.core_services == 2_040_000
    assert icb.allocation.convergence["core_services"].target == 2_000_000
    assert icb.population == 1_200_000


def test_csv(tmp_path):
    path = tmp_path / "icb_core_allocations_2026-27.csv"
    path.write_text(CSV, encoding="utf-8")
    a = read_allocations(path, "QH8")
    assert a.streams == {"core_services": {"2026/27": 2_040_000}}
    assert a.population == {"2026/27": 1_200_000}  # the year from the file name
    assert a.distance_from_target["core_services"]["2026/27"] == pytest.approx(0.02)
    assert a.cells["allocation.core_services.2026/27"] == f"{path.name}: row 4, column 5"
    b = read_allocations(path, "QHG")
    assert b.distance_from_target["core_services"]["2026/27"] == pytest.approx(-0.0195)


def test_csv_bad_value_names_row_and_column(tmp_path):
    path = tmp_path / "core_2026-27.csv"
    path.write_text(CSV.replace('"2,040,000"', "n/a"), encoding="utf-8")
    with pytest.raises(AllocationsError) as err:
        read_allocations(path, "QH8")
    text = str(err.value)
    assert text.startswith(f"{path.name}: row 4, column 5:")
    assert "'2026/27 Allocation'" in text and "'n/a'" in text


def test_csv_without_a_stream_asks_for_one(tmp_path):
    path = tmp_path / "allocations.csv"
    path.write_text(CSV.replace("core services ", ""), encoding="utf-8")
    with pytest.raises(AllocationsError, match="cannot tell which allocation stream"):
        read_allocations(path, "QH8")
    a = read_allocations(path, "QH8", stream="core_services")
    assert a.streams["core_services"]["2026/27"] == 2_040_000
    with pytest.raises(AllocationsError, match="stream 'core' is not one of"):
        read_allocations(path, "QH8", stream="core")


def test_core_imports_without_openpyxl():
    code = ("import sys; import ccgmodels.inputs.allocations; "
            "print('openpyxl' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


def test_not_a_workbook_or_table(tmp_path):
    bad = tmp_path / "alloc.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(AllocationsError, match=r"^alloc\.xlsx: is not an Excel workbook"):
        read_allocations(bad, "QH8")
    other = tmp_path / "alloc.pdf"
    other.write_bytes(b"%PDF")
    with pytest.raises(AllocationsError, match="is neither .xlsx nor .csv"):
        read_allocations(other, "QH8")


def test_an_icb_on_two_rows_is_refused(tmp_path):
    path = tmp_path / "core_2026-27.csv"
    path.write_text(CSV + CSV.splitlines()[3] + "\n", encoding="utf-8")
    with pytest.raises(AllocationsError, match=r"row 6: 'QH8' is on two rows \(4 and 6\)"):
        read_allocations(path, "QH8")


@pytest.mark.parametrize("header, role", [
    ("ICB code", "code"), ("ICB ODS code", "code"), ("Region code", None), ("ICB name", "name"),
    ("2024/25 Combined allocation", "allocation"), ("2024/25 Recurrent allocation (£000s)",
                                                     "allocation"),
    ("2024/25 Non-recurrent allocation", None), ("Convergence adjustment", None),
    ("Closing 2023/24 baseline", None), ("Growth (%)", None), ("Growth £000s", None),
    ("2024/25 allocation per head (£)", None), ("Target allocation 2024/25 £000s", "target"),
    ("Distance from target (%)", "distance_pct"),
    ("Distance from Target (Under)/Over (£'000)", "distance_money"),
    ("Weighted population", "population"), ("2026/27 RCA (£000s)", "allocation"),
])
def test_column_roles(header, role):
    assert column_role(header) == role
