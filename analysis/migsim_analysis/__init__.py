"""Open, check, compare, plot and report migsim output files (HDF5 outcome cubes, netCDF-4 compatible).

    from migsim_analysis import open_run, open_sweep, compare, to_frame
    run = open_run("run.h5")                         # mapping group -> xarray.Dataset; run.attrs: provenance
    run["national"]["stock"]                         # DataArray (year, status, field, origin), persons
    sweep = open_sweep("sweep.h5")                   # the same groups with a leading `run` dimension
    compare(sweep.variant("baseline"), sweep.variant("caps_lowered"))   # paired differences, intervals
    to_frame(run["national"]["stock"])               # tidy pandas DataFrame
    check_contract("run.h5")                         # [] when the file follows the output contract
    validation_table("run.h5")                       # ARD per series against analysis/observed/

Figures: migsim_analysis.figures; the HTML report: migsim_analysis.report; sensitivity (Morris,
Sobol, seed noise): migsim_analysis.sensitivity. Command line: ``migsim-analysis --help`` (or
``python3 -m migsim_analysis``); docs/analysis.md walks through it.
"""

from .compare import compare, format_comparison, replicates_needed
from .contract import FORMAT_VERSION, GROUPS, ROOT_ATTRIBUTES, check_contract
from .load import (BadFile, Run, Sweep, aggregate, export_csv, file_kind, open_group, open_output, open_run,
                   open_sweep, provenance, summary_table, to_frame)
from .sensitivity import morris, morris_indices, seed_noise_share, sobol, sobol_indices
from .validate import ard, naive_forecast, validation_table

__all__ = [
    "FORMAT_VERSION", "GROUPS", "ROOT_ATTRIBUTES", "BadFile", "Run", "Sweep", "aggregate", "ard", "check_contract",
    "compare", "export_csv", "file_kind", "format_comparison", "morris", "morris_indices", "naive_forecast",
    "open_group", "open_output", "open_run", "open_sweep", "provenance", "replicates_needed", "seed_noise_share",
    "sobol", "sobol_indices", "summary_table", "to_frame", "validation_table",
]
