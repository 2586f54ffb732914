"""report.pdf: the report's HTML printed by headless Chromium (no network), A4 pages."""

from __future__ import annotations

import re

import pytest

from ccgmodels.outputs import pdf


def test_no_chromium_is_a_clear_error(tmp_path, monkeypatch):
    monkeypatch.setenv("CCGMODELS_CHROMIUM", str(tmp_path / "no-such-browser"))
    assert pdf.chromium() is None
    with pytest.raises(pdf.PdfError, match="no Chromium found"):
        pdf.print_pdf(tmp_path / "x.html", tmp_path / "x.pdf")


@pytest.fixture
def page(tmp_path):
    html = tmp_path / "page.html"
    html.write_text("<!DOCTYPE html><html><head><style>@page { size: A4; "
                    "@bottom-right { content: 'Page ' counter(page) ' of ' counter(pages); } }"
                    "h1 { break-after: page; }</style></head><body><h1>One</h1><p>Two</p>"
                    "</body></html>", encoding="utf-8")
    return html


def test_prints_a4_pages(page, tmp_path):
    if pdf.chromium() is None:
        pytest.skip("no Chromium here")
    out = pdf.print_pdf(page, tmp_path / "page.pdf")
    data = out.read_bytes()
    assert data.startswith(b"%PDF")
    boxes = re.findall(rb"/MediaBox\s*\[\s*0\s+0\s+([\d.]+)\s+([\d.]+)", data)
    assert len(boxes) == 2  # the heading breaks the page
    for w, h in boxes:  # A4: 595.28 x 841.89 pt
        assert abs(float(w) - 595.28) < 1.5 and abs(float(h) - 841.89) < 1.5


def test_a_print_over_time_stops_and_says_so(page, tmp_path):
    if pdf.chromium() is None:
        pytest.skip("no Chromium here")
    with pytest.raises(pdf.PdfError, match="did not print page.html within"):
        pdf.print_pdf(page, tmp_path / "slow.pdf", timeout=0.01)
