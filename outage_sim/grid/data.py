"""The grid model's data files: reading and checking them (pandas only, no pandapower).

Kept apart from :mod:`outage_sim.grid.model` so that fast commands (district names for input checks)
do not pay for importing pandapower.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pandas as pd

from outage_sim.errors import DataFileError

DATA_DIR = Path(__file__).parents[1] / "data" / "chongqing"

# Required columns of each shipped data file; a file without them is reported by name.
DATA_FILES: dict[str, tuple[str, ...]] = {
    "districts.csv": ("name", "name_en", "zone", "lat", "lon", "peak_load_mw", "customers",
                      "key_area_default", "source"),
    "substations.csv": ("name", "kind", "district", "vn_kv", "lat", "lon", "station", "source"),
    "line_types.csv": ("name", "vn_kv", "r_ohm_per_km", "x_ohm_per_km", "c_nf_per_km", "max_i_ka",
                       "source"),
    "lines.csv": ("name", "from_bus", "to_bus", "std_type", "length_km", "source"),
    "transformers.csv": ("name", "hv_bus", "lv_bus", "sn_mva", "vn_hv_kv", "vn_lv_kv", "vk_percent",
                         "vkr_percent", "pfe_kw", "i0_percent", "source"),
    "units.csv": ("name", "plant", "district", "bus", "type", "p_max_mw", "p_min_mw", "black_start",
                  "source"),
    "renewables.csv": ("name", "district", "bus", "type", "p_max_mw", "source"),
    "interties.csv": ("name", "kind", "bus", "capacity_mw", "summer_peak_mw", "winter_peak_mw",
                      "valley_mw", "source"),
    "load_levels.csv": ("level", "name_zh", "hydro_availability", "wind_availability",
                        "solar_availability", "loss_factor", "source"),
    "loads.csv": ("name", "bus", "district", "load_class", "shed_priority", "important_user",
                  "peak_p_mw", "customers", "source"),
}


@dataclass(frozen=True)
class GridData:
    """The parsed data files of a grid model (one DataFrame per file, keyed by file stem)."""

    tables: dict[str, pd.DataFrame]
    directory: Path

    def __getitem__(self, stem: str) -> pd.DataFrame:
        return self.tables[stem]


def read_grid_data(data_dir: str | Path | None = None) -> GridData:
    """Read and check every data file of a grid model.

    Parameters
    ----------
    data_dir
        Folder holding the CSV files; the shipped Chongqing model by default.

    Raises
    ------
    DataFileError
        A file is missing, unreadable, lacks a required column or has a row without a source.
    """
    return _read_grid_data(Path(data_dir) if data_dir is not None else DATA_DIR)


@lru_cache(maxsize=4)
def _read_grid_data(directory: Path) -> GridData:
    tables = {}
    for fname, cols in DATA_FILES.items():
        path = directory / fname
        try:
            df = pd.read_csv(path, keep_default_na=False, na_values=[""])
        except FileNotFoundError:
            raise DataFileError(f"{path.name}: data file not found in {directory}") from None
        except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise DataFileError(f"{path.name}: unreadable ({first})") from None
        missing = [c for c in cols if c not in df.columns]
        if missing:
            raise DataFileError(f"{path.name}: missing column(s) {', '.join(missing)}")
        if df["source"].isna().any():
            row = int(df.index[df["source"].isna()][0]) + 2
            raise DataFileError(f"{path.name}: line {row} has no source")
        for c in ("important_user",):
            if c in df:
                df[c] = df[c].fillna("")
        tables[fname.removesuffix(".csv")] = df
    return GridData(tables, directory)


def load_levels(data_dir: str | Path | None = None) -> list[str]:
    """Names of the load levels a model offers (``summer_peak``, ``winter_peak``, ``valley``)."""
    return read_grid_data(data_dir)["load_levels"]["level"].tolist()


def district_names(data_dir: str | Path | None = None) -> list[str]:
    """The Chinese names of the model's districts, in data-file order (38 for Chongqing)."""
    return read_grid_data(data_dir)["districts"]["name"].tolist()
