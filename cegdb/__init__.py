"""cegdb from Python: the catalog as pandas DataFrames.

    import cegdb
    cat = cegdb.open("cegdb.sqlite")          # a built catalog, a release folder or a release URL
    cat.models(organization="deepseek", year=(2023, 2025))
    cat.ceg(innovation="transformer")
    points, series = cegdb.ceg(my_runs_dataframe)   # your own sweep, the engine of `cegdb ceg`

Every DataFrame carries its columns' units in `df.attrs["units"]` (column -> unit or None), their
descriptions in `df.attrs["descriptions"]`, and where the rows came from in `df.attrs["source"]`.
"""

from importlib import import_module

__all__ = ["Catalog", "CatalogError", "ChecksumMismatch", "QueryRefused", "RunsCeg", "ceg", "open"]
_HOME = {"Catalog": "cegdb.api", "open": "cegdb.api", "CatalogError": "cegdb.errors",
         "ChecksumMismatch": "cegdb.errors", "QueryRefused": "cegdb.errors", "RunsCeg": "cegdb.runs",
         "ceg": "cegdb.runs"}


def __getattr__(name: str):
    # Lazy: the `cegdb` command (cegdb/cli.py) lives in this package and must not pay for
    # importing pandas on every start; the Python API loads it on first use.
    if name in _HOME:
        return getattr(import_module(_HOME[name]), name)
    raise AttributeError(f"module 'cegdb' has no attribute {name!r}")
