"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .figures import bilingual, plot_grid
from .html import html_report, markdown_to_html, write_html_report
from .montecarlo import plot_district_probability, plot_level_probability, plot_shed_histogram
from .recovery import (
    FIGURES,
    RESTORATION_FILES,
    draw_figures,
    plot_customers_out,
    plot_district_snapshot,
    plot_levels,
    plot_policies,
    plot_recovery,
    read_run_folder,
)

__all__ = [
    "FIGURES",
    "RESTORATION_FILES",
    "bilingual",
    "draw_figures",
    "html_report",
    "markdown_to_html",
    "plot_customers_out",
    "plot_district_probability",
    "plot_district_snapshot",
    "plot_grid",
    "plot_level_probability",
    "plot_levels",
    "plot_policies",
    "plot_recovery",
    "plot_shed_histogram",
    "read_run_folder",
    "write_html_report",
]
