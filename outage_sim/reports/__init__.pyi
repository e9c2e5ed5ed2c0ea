"""Type-checker view of the facade; `__init__.py` loads the same names lazily."""

from .band import plot_recovery_band
from .figures import bilingual, plot_grid
from .geojson import GEOJSON_FILE, districts_geojson
from .html import REPORT_FILE, html_report, markdown_to_html, write_html_report
from .maps import (
    panel_hours,
    plot_district_map,
    plot_district_panels,
    plot_probability_map,
    worst_hour,
)
from .montecarlo import plot_district_probability, plot_level_probability, plot_shed_histogram
from .recovery import (
    FIGURES,
    RESTORATION_FILES,
    draw_figures,
    figure_writers,
    plot_customers_out,
    plot_district_snapshot,
    plot_levels,
    plot_policies,
    plot_recovery,
    read_run_folder,
    render_figures,
)

__all__ = [
    "FIGURES",
    "GEOJSON_FILE",
    "REPORT_FILE",
    "RESTORATION_FILES",
    "bilingual",
    "districts_geojson",
    "draw_figures",
    "figure_writers",
    "html_report",
    "markdown_to_html",
    "panel_hours",
    "plot_customers_out",
    "plot_district_map",
    "plot_district_panels",
    "plot_district_probability",
    "plot_district_snapshot",
    "plot_grid",
    "plot_level_probability",
    "plot_levels",
    "plot_policies",
    "plot_probability_map",
    "plot_recovery",
    "plot_recovery_band",
    "plot_shed_histogram",
    "read_run_folder",
    "render_figures",
    "worst_hour",
    "write_html_report",
]
