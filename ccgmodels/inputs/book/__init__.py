"""The assumptions workbook: a scenario as an Excel file a finance team fills in.

One feature, one folder, all at the inputs layer (it imports nothing from ``models`` or above):

* :mod:`.layout`: the sheets, rows and columns, walked from the typed models (no openpyxl);
* :mod:`.eras`: the ICB era's sheets (Places, Efficiency for QIPP) and each era's words;
* :mod:`.writer`: a scenario written as a workbook (``ccgmodels workbook export``);
* :mod:`.blank`: a blank workbook for a new footprint (``ccgmodels workbook new``);
* :mod:`.checks`: the workbook's structure and size checked before any value is read;
* :mod:`.reader`: a workbook read back into the plain data of a scenario
  (``ccgmodels workbook import``, and :func:`ccgmodels.inputs.loading.load_scenario` for an
  ``.xlsx``).

openpyxl is imported only by the writer and the reader, inside the functions that need it (the
``workbook`` extra).
"""
