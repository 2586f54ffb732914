"""What people see: summaries (STP summary, headline and key figures), tables, the Excel
workbook, the report and its PDF (``pdf``: headless Chromium, no Python dependency), charts and
the explorer (its state, live charts and widgets). Imports
:mod:`ccgmodels.inputs` and :mod:`ccgmodels.models` only; openpyxl and ipywidgets each in one
module, matplotlib in two (the report charts and the explorer's live charts).
"""
