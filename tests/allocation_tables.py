"""Small allocation tables in NHS England's published shape, for the allocations reader's tests.

The shape (see ccgmodels.inputs.allocations for where it comes from): one sheet per stream under
a title block, the header on row 3, region in B, ICB code in C, ICB name in D, money in £000s,
region and England total rows among the ICBs, a notes sheet. The ICB codes and names are real
(East of England); every figure is made up, chosen so expected values can be worked by hand.
"""

from __future__ import annotations

EAST = "East of England"
# code, name, core 26/27 recurrent, core 26/27 combined, 27/28, 28/29, target 26/27, distance
ICBS = [
    ("QH8", "NHS Mid and South Essex ICB", 2_030_000, 2_040_000, 2_100_000, 2_160_000,
     2_000_000, 0.02),
    ("QHG", "NHS Bedfordshire, Luton and Milton Keynes ICB", 1_500_000, 1_510_000, 1_550_000,
     1_600_000, 1_540_000, -0.0195),
    ("QJG", "NHS Suffolk and North East Essex ICB", 1_200_000, 1_205_000, 1_240_000, 1_280_000,
     1_190_000, 0.0126),
]


def _title(ws, title: str) -> None:
    ws.append(["", title])
    ws.append(["", "£000s"])


def build_workbook(path, *, core_code_header: str = "ICB code", pmc_cell=None,
                   specialised: bool = True):
    """The fixture workbook: Notes, core services, PMC, other primary care, specialised and
    running cost allowance sheets, as the published workbook lays them out."""
    import openpyxl

    wb = openpyxl.Workbook()
    notes = wb.active
    notes.title = "Notes"
    notes.append(["ICB allocations 2026/27 to 2028/29: test fixture, figures made up"])

    core = wb.create_sheet("ICB Core Allocations")
    _title(core, "ICB core services allocations 2026/27 to 2028/29")
    core.append(["", "Region", core_code_header, "ICB name", "GP registered population 2026/27",
                 "Weighted population 2026/27", "2026/27 Recurrent allocation (£000s)",
                 "2026/27 Combined allocation (£000s)", "2027/28 Combined allocation (£000s)",
                 "2028/29 Combined allocation (£000s)", "2026/27 Target allocation (£000s)",
                 "2026/27 Distance from target (%)"])
    core.append(["", EAST, "Y61", EAST, 3_900_000, 3_950_000, 4_730_000, 4_755_000, 4_890_000,
                 5_040_000, 4_730_000, 0.005])
    for code, name, rec, comb, y2, y3, target, dist in ICBS:
        core.append(["", EAST, code, name, 1_200_000, 1_230_000, rec, comb, y2, y3, target,
                     dist])
    core.append(["", "ENGLAND", "", "ENGLAND", 60_000_000, 60_000_000, 1, 1, 1, 1, 1, 0])
    for row in core.iter_rows(min_row=4, min_col=12, max_col=12):
        row[0].number_format = "0.00%"

    pmc = wb.create_sheet("PMC Allocations")
    _title(pmc, "Primary medical care allocations")
    pmc.append(["", "Region", "ICB code", "ICB name", "2026/27 Allocation", "2027/28 Allocation",
                "2028/29 Allocation", "2026/27 Target allocation"])
    pmc.append(["", EAST, "QH8", "NHS Mid and South Essex ICB", 190_000, 196_000, 202_000,
                200_000])
    pmc.append(["", EAST, "QHG", "NHS Bedfordshire, Luton and Milton Keynes ICB", 150_000,
                155_000, 160_000, 150_000])
    if pmc_cell is not None:
        pmc[pmc_cell[0]] = pmc_cell[1]

    other = wb.create_sheet("Other Primary Care")
    _title(other, "Delegated pharmacy, optometry and dental")
    other.append(["", "Region", "ICB code", "ICB name", "2026/27 allocation", "2027/28 allocation",
                  "2028/29 allocation"])
    other.append(["", EAST, "QH8", "NHS Mid and South Essex ICB", "120,000", "123,000", "-"])

    spec = wb.create_sheet("Specialised Services") if specialised else openpyxl.Workbook().active
    _title(spec, "Delegated specialised services (£m)")
    spec.append(["", "Region", "ICB code", "ICB name", "2026/27 allocation (£m)"])
    spec.append(["", EAST, "QHG", "NHS Bedfordshire, Luton and Milton Keynes ICB", 310.5])
    spec.append(["", EAST, "QH8", "NHS Mid and South Essex ICB", 420.25])

    rca = wb.create_sheet("ICB running cost allowance")
    _title(rca, "ICB running cost allowance")
    rca.append(["", "Region", "ICB code", "ICB name", "2026/27 RCA (£000s)",
                "2027/28 RCA (£000s)", "2028/29 RCA (£000s)", "2026/27 RCA £ per head"])
    rca.append(["", EAST, "QH8", "NHS Mid and South Essex ICB", 22_512, 22_512, 22_512, 18.76])
    wb.save(path)
    return path



CSV = "\n".join([
    "ICB core services allocations 2026/27,,,,,,",
    "£000s,,,,,,",
    "Region,ICB code,ICB name,GP registered population,2026/27 Allocation,"
    "2026/27 Target allocation,Distance from target (%)",
    'East of England,QH8,NHS Mid and South Essex ICB,"1,200,000","2,040,000","2,000,000",2.0%',
    'East of England,QHG,"NHS Bedfordshire, Luton and Milton Keynes ICB","1,000,000",'
    '"1,510,000","1,540,000",(1.95)%',
    ""])
