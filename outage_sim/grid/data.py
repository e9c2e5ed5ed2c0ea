"""The grid model's data files: reading and checking them (pandas only, no pandapower).

Kept apart from :mod:`outage_sim.grid.model` so that fast commands (district names for input checks)
do not pay for importing pandapower.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd

from outage_sim.errors import DataFileError, InputError
from outage_sim.grid.schema import Problems, check_references, check_rows
from outage_sim.inputs import MAX_DATA_BYTES, normalise_text, read_text

# interties.csv: the ``control`` values that raise the transfer when supply is lost elsewhere, up to
# ``max_p_mw``: ``synchronous`` AC ties (the synchronous area's response, emergency support) and
# ``emergency_support`` converters (VSC power modulation); ``fixed`` holds its schedule.
RAISING_CONTROLS = ("synchronous", "emergency_support")
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
    # every file read as text, then checked by schema (outage_sim.grid.schema): each row's types,
    # ranges and units, then the references between files, before anything is built from them
    texts, raw = {}, {}
    for fname, cols in DATA_FILES.items():
        texts[fname], raw[fname] = _read_table(directory, fname, cols)
    problems = Problems()
    for fname, frame in raw.items():
        check_rows(fname, frame, problems)
    problems.raise_any()
    check_references(raw, problems)
    problems.raise_any()
    tables = {fname.removesuffix(".csv"): _typed(texts[fname]) for fname in DATA_FILES}
    return GridData(tables, directory)


def _read_table(directory: Path, fname: str, cols: tuple[str, ...]) -> tuple[str, pd.DataFrame]:
    """The text of a data file (bounded, UTF-8) and its cells as text; the columns checked."""
    text = read_text(directory / fname, name=fname, limit=MAX_DATA_BYTES, error=DataFileError,
                     not_found=f"data file not found in {directory}")
    header = next(csv.reader(io.StringIO(text)), [])
    twice = sorted({c for c in header if header.count(c) > 1})
    if twice:
        raise DataFileError(f"{fname}: column {twice[0]!r} appears twice in the header")
    try:
        df = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise DataFileError(f"{fname}: unreadable ({first})") from None
    missing = [c for c in cols if c not in df.columns]
    if missing:
        raise DataFileError(f"{fname}: missing column(s) {', '.join(missing)}")
    return text, df


def _typed(text: str) -> pd.DataFrame:
    """A checked data file as the model reads it: numbers as numbers, texts normalised."""
    df = pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])
    for c in df.columns[df.dtypes == object]:
        df[c] = df[c].map(lambda v: normalise_text(v) if isinstance(v, str) else v)
    if "important_user" in df:
        df["important_user"] = df["important_user"].fillna("")
    return df


def load_levels(data_dir: str | Path | None = None) -> list[str]:
    """Names of the load levels a model offers (``summer_peak``, ``winter_peak``, ``valley``)."""
    return read_grid_data(data_dir)["load_levels"]["level"].tolist()


def level_load_mw(data: GridData, level: str) -> np.ndarray:
    """Each load's MW at a load level: its peak times its district zone's factor for the level.

    The one place the model's load at a level is worked out (pandas only): the pandapower net
    (:func:`~outage_sim.grid.chongqing_net`) and :func:`grid_totals` both use it.

    Raises
    ------
    InputError
        ``level`` is not a load level of the model.
    """
    levels = data["load_levels"].set_index("level")
    if level not in levels.index:
        raise InputError(f"level: unknown load level {level!r}; choose one of "
                         f"{', '.join(levels.index)}")
    row = levels.loc[level]
    zone_of = dict(zip(data["districts"]["name"], data["districts"]["zone"], strict=True))
    loads = data["loads"]
    factor = np.array([float(row[f"factor_{zone_of[d]}"]) for d in loads["district"]])
    out: np.ndarray = loads["peak_p_mw"].to_numpy(float) * factor
    return out


@dataclass(frozen=True)
class GridTotals:
    """The whole main grid of a model at one load level: load and customers just before an event.

    ``model`` names the data folder; ``level_zh`` is the level's Chinese name (夏季高峰).
    """

    level: str
    level_zh: str
    load_mw: float
    customers: int
    model: str


def grid_totals(level: str = "summer_peak", data_dir: str | Path | None = None) -> GridTotals:
    """The main grid's load (MW) and customers at ``level``, from the data files (no pandapower).

    The same figures as the in-service loads of :func:`~outage_sim.grid.chongqing_net` at that
    level: what ``outage-sim classify`` takes for the main grid when an event leaves it out.

    Raises
    ------
    InputError
        ``level`` is not a load level of the model.
    DataFileError
        The model's data files are missing or malformed.
    """
    data = read_grid_data(data_dir)
    load_mw = float(level_load_mw(data, level).sum())
    name_zh = data["load_levels"].set_index("level").at[level, "name_zh"]
    return GridTotals(level, str(name_zh), round(load_mw, 6),
                      int(data["loads"]["customers"].sum()), data.directory.name)


def district_names(data_dir: str | Path | None = None) -> list[str]:
    """The Chinese names of the model's districts, in data-file order (38 for Chongqing)."""
    return read_grid_data(data_dir)["districts"]["name"].tolist()


# Data files a model may leave out (a bring-your-own model need not have them): columns required
# when present. transfers.csv: which 220 kV station can pick up which other's load (转供).
OPTIONAL_FILES: dict[str, tuple[str, ...]] = {
    "transfers.csv": ("from_station", "to_station", "from_district", "to_district", "transfer_mw",
                      "source"),
    "distribution.csv": ("name", "district", "station", "supply", "peak_mw", "customers",
                         "line_km_110", "feeders", "feeder_km", "overhead_share", "source"),
    "shunts.csv": ("name", "bus", "kind", "mvar", "levels", "source"),
}
SHUNT_KINDS = ("capacitor", "reactor")


@lru_cache(maxsize=8)
def _optional_table(directory: Path, fname: str) -> pd.DataFrame:
    cols = OPTIONAL_FILES[fname]
    if not (directory / fname).exists():
        return pd.DataFrame({c: pd.Series(dtype=object) for c in cols})
    text, raw = _read_table(directory, fname, cols)
    if (raw["source"].str.strip().str.len() == 0).any():
        row = int(np.flatnonzero(raw["source"].str.strip().str.len() == 0)[0]) + 2
        raise DataFileError(f"{fname}: row {row}: source is empty")
    return _typed(text)


def transfer_capacity(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The model's transfer data (``transfers.csv``): one row per directed pair of 220 kV stations,
    ``from_station`` (whose load is moved), ``to_station``, their districts, ``transfer_mw`` (how
    much the receiving station can take at summer peak), ``tie_km`` and ``source`` (the rule).
    Empty, with those columns, for a model without the file.

    Raises
    ------
    DataFileError
        The file is unreadable, lacks a column, has a row without a source or a negative transfer.
    """
    table = _optional_table(Path(data_dir) if data_dir is not None else DATA_DIR, "transfers.csv").copy()
    mw = pd.to_numeric(table["transfer_mw"], errors="coerce")
    if len(table) and (mw.isna() | (mw < 0)).any():
        row = int(np.flatnonzero((mw.isna() | (mw < 0)).to_numpy())[0]) + 2
        raise DataFileError(f"transfers.csv: row {row}: transfer_mw must be a number ≥ 0")
    table["transfer_mw"] = mw.astype(float)
    return table


def distribution_blocks(data_dir: str | Path | None = None) -> pd.DataFrame:
    """The 110 kV stations beneath the 220 kV stations, each a block of 10 kV feeders
    (``distribution.csv``): ``name``, ``district``, ``station`` (its 220 kV bus), ``supply`` (dual
    or single), ``peak_mw``, ``customers``, ``line_km_110`` (route km of a supply line),
    ``feeders``, ``feeder_km`` (route km per feeder), ``overhead_share``, ``source``. Empty, with
    those columns, for a model without the file.

    Raises
    ------
    DataFileError
        The file is unreadable, lacks a column, has a row without a source or a number out of
        range (negative, an overhead share above 1, no feeders).
    """
    table = _optional_table(Path(data_dir) if data_dir is not None else DATA_DIR,
                            "distribution.csv").copy()
    for col, lo, hi in (("peak_mw", 0, 1e5), ("customers", 0, 1e8), ("line_km_110", 0, 1e3),
                        ("feeders", 1, 1e5), ("feeder_km", 0, 1e3), ("overhead_share", 0, 1)):
        val = pd.to_numeric(table[col], errors="coerce")
        bad = (val.isna() | (val < lo) | (val > hi)).to_numpy()
        if len(table) and bad.any():
            raise DataFileError(f"distribution.csv: row {int(np.flatnonzero(bad)[0]) + 2}: {col} must "
                                f"be a number in [{lo:g}, {hi:g}]")
        table[col] = val.astype(np.int64 if col in ("customers", "feeders") else float)
    return table


def shunt_banks(data_dir: str | Path | None = None) -> pd.DataFrame:
    """Shunt compensation (``shunts.csv``): ``name``, ``bus``, ``kind`` (``capacitor`` or
    ``reactor``), ``mvar`` (rated, ≥ 0), ``levels`` (the load levels it is switched in at,
    ``;``-separated), ``source``. Empty, with those columns, for a model without the file.

    Raises
    ------
    DataFileError
        The file is unreadable, lacks a column, has a row without a source, an unknown kind or a
        rating that is not a number ≥ 0.
    """
    table = _optional_table(Path(data_dir) if data_dir is not None else DATA_DIR, "shunts.csv").copy()
    mvar = pd.to_numeric(table["mvar"], errors="coerce")
    bad = (mvar.isna() | (mvar < 0) | (mvar > 1e5) | ~table["kind"].isin(SHUNT_KINDS)).to_numpy()
    if len(table) and bad.any():
        raise DataFileError(f"shunts.csv: row {int(np.flatnonzero(bad)[0]) + 2}: kind must be one of "
                            f"{', '.join(SHUNT_KINDS)} and mvar a number in [0, 100000]")
    table["mvar"] = mvar.astype(float)
    return table
