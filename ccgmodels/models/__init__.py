"""The arithmetic: demand, schemes, primary care, finance (named steps), the tidy results table
with its catalogue and identities, the thin orchestrator ``run`` and the vectorised Monte Carlo
``uncertainty``. Imports :mod:`ccgmodels.inputs` only.
"""
