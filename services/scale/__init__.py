"""Feature computation and risk-model training on a Dask cluster, with the local code."""
