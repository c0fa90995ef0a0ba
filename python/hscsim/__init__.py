"""hscsim: read, tabulate and plot hscsim results files (HDF5, schema version 1).

    import hscsim
    res = hscsim.open("output/default.h5")
    res.timeseries()                    # tidy: scenario, replicate, step, year, metric, value
    res.summary()                       # mean and 95% t-interval over replicates
    res.comparisons(by="quintile")      # scenario minus baseline, paired, with intervals
    hscsim.plot_timeseries(res, "emergency_admissions")
    res.cost_effectiveness()            # per replicate: incremental cost and QALYs (discounted)
    sa = hscsim.open("output/default_sensitivity_morris.h5")   # from `hscsim sensitivity`
    sa.indices()                        # Morris mu*, sigma or Sobol' indices, with intervals

Needs h5py, numpy and pandas (matplotlib for the plots): Debian's python3-h5py,
python3-numpy, python3-pandas, python3-matplotlib, with the interpreter that can import
them (/usr/bin/python3 on Debian; see DEVELOPERS.md). The file layout is in
output/README.md.
"""
from .results import FORMAT, SCHEMA_VERSIONS, SENSITIVITY_FORMAT, Results, Sensitivity, open, t_interval  # noqa: F401
from .plots import (INTERVAL_NOTE, plot_acceptability, plot_ce_plane, plot_comparison, plot_costs,  # noqa: F401
                    plot_quintiles, plot_sensitivity, plot_timeseries)

__all__ = ["open", "Results", "Sensitivity", "t_interval", "plot_timeseries", "plot_comparison", "plot_costs",
           "plot_quintiles", "plot_ce_plane", "plot_acceptability", "plot_sensitivity", "FORMAT", "SENSITIVITY_FORMAT",
           "SCHEMA_VERSIONS", "INTERVAL_NOTE"]
