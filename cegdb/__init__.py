"""cegdb from Python: the catalog as pandas DataFrames.

    import cegdb
    cat = cegdb.open("cegdb.sqlite")          # a built catalog, a release folder or a release URL
    cat.models(organization="deepseek", year=(2023, 2025))
    cat.ceg(innovation="transformer")
    points, series = cegdb.ceg(my_runs_dataframe)   # your own sweep, the engine of `cegdb ceg`

Every DataFrame carries its columns' units in `df.attrs["units"]` (column -> unit or None), their
descriptions in `df.attrs["descriptions"]`, and where the rows came from in `df.attrs["source"]`.
"""

from cegdb.api import Catalog, open
from cegdb.errors import CatalogError, ChecksumMismatch, QueryRefused
from cegdb.runs import RunsCeg, ceg

__all__ = ["Catalog", "CatalogError", "ChecksumMismatch", "QueryRefused", "RunsCeg", "ceg", "open"]
