"""Read and check migsim output files (HDF5 outcome cubes, netCDF-4 compatible).

    from migsim_analysis import open_group, provenance, check_contract, summary_table, validation_table
    national = open_group("run.h5", "national")      # xarray.Dataset, in memory
    problems = check_contract("run.h5")              # [] when the file follows the contract
    table = summary_table("run.h5")                  # national stock, status x year
    validation = validation_table("run.h5")          # ARD per series against analysis/observed/

Command line: ``python3 -m migsim_analysis check RUN.h5``, ``... summary RUN.h5`` and
``... validate RUN.h5`` (docs/validation.md).
"""

from .contract import FORMAT_VERSION, GROUPS, ROOT_ATTRIBUTES, check_contract
from .load import open_group, provenance, summary_table
from .validate import ard, naive_forecast, validation_table

__all__ = [
    "FORMAT_VERSION",
    "GROUPS",
    "ROOT_ATTRIBUTES",
    "ard",
    "check_contract",
    "naive_forecast",
    "open_group",
    "provenance",
    "summary_table",
    "validation_table",
]
