"""Running many: provenance (hashes, git state, manifests, verify), outdir (the one safe writer
of an output folder: lock, ownership markers, atomic installs), kernels (reset, recycling,
dying with the parent), executors (one report, process pool, dask), reports (planning, the
batch), guardian (marks a killed batch interrupted) and pages (index.html, compare.html). The
only layer that uses papermill, nbconvert, nbformat and jupyter_client.
"""
