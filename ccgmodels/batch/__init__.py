"""Running many: provenance (hashes, git state, manifests), executors (kernels, process pool,
dask), reports (planning, index, the batch) and pages (index.html, compare.html). The only
layer that uses papermill, nbconvert, nbformat and jupyter_client.
"""
