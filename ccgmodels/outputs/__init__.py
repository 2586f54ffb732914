"""What people see: summaries (STP summary, headline and key figures), tables, the Excel
workbook, charts and the explorer's widgets. Imports :mod:`ccgmodels.inputs` and
:mod:`ccgmodels.models` only; matplotlib, openpyxl and ipywidgets each in one module.
"""
