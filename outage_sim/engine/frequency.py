"""System frequency response (SFR) of islands after a sudden generation deficit, with staged
under-frequency load shedding (低频减载); many islands at once, on arrays.

The model
---------
Each island is one machine (its synchronous units swing together: a low-order system frequency
response model, Anderson & Mirheydar 1990, "A low-order system frequency response model", IEEE
Trans. Power Syst. 5(3); Kundur, *Power System Stability and Control*, ch. 11). With the
frequency deviation ``Δf = f − f0`` in Hz (< 0: under-frequency) and every power in MW, each
term counted positive when it raises the frequency (more generation, less load):

.. math::

    M \\, \\frac{d\\Delta f}{dt} = P_{gov} + P_{ext} - P_{def} + P_{ufls}
                                 - D \\, \\frac{L - P_{ufls}}{f_0} \\, \\Delta f,
    \\qquad M = \\frac{2 \\sum_i H_i S_i}{f_0}

* ``P_def`` (``deficit_mw``) the generation lost at t = 0 (> 0: the island is short);
* ``M`` in MW per Hz/s from the inertia ``Σ H_i S_i`` (MW·s; H in s on the rating S_i);
* load damping: the load ``L`` (what is left of it after shedding) changes by ``D`` % per % of
  frequency (``load_damping_pu``);
* governors (一次调频): ``u = −K Δf`` with ``K = Σ S_i / (R_i f0)`` (MW/Hz, droop R_i in pu);
  the reheat lead-lag of Anderson & Mirheydar, ``P_gov = F u + (1 − F) x``, ``T dx/dt = u − x``
  (``F`` the share that comes at once, the HP turbine's F_H; hydro is a first-order lag, F = 0),
  ``P_gov`` clipped to ``±gov_limit_mw`` (Σ min(limit share × S_i, headroom S_i − P_i); the same
  band downwards, after a surplus) and ``x`` to the same band (no wind-up); the per-type F and
  T are aggregated weighted by gain, and the band per island (units do not saturate one by one);
* ``P_ext`` a larger synchronous area behind AC ties: ``−K_ext Δf`` clipped to the ties'
  headroom ``±ext_limit_mw``; its inertia adds to ``M`` (it swings with the island);
* ``P_ufls`` under-frequency load shedding: round j sheds ``share_j × L`` (L the load before the
  event) once, when the
  frequency has stayed below its threshold for its delay (a timer that restarts whenever the
  frequency comes back above the threshold): the basic rounds (基本轮) and the long-delay special
  rounds (特殊轮) of DL/T 428-2010 《电力系统自动低频减负荷技术规定》 (and GB 38755-2019 《电力
  系统安全稳定导则》, the third line of defence), from ``data/engine/frequency.yaml``.

An island whose frequency falls below the units' trip frequency (``unit_trip_hz``, 47.5 Hz)
collapses (survived False: its units trip on under-frequency protection and it goes black); its
nadir and final frequency are then reported as 0 Hz and it loses all its load. An island without
inertia collapses if it is short at all. Without a deficit (≤ 0) nothing is shed and the nadir is
f0.

Closed forms (checked in ``tests/test_frequency.py``), with ``D' = D L / f0``: without governors
``Δf(t) = −P_def / D' · (1 − exp(−D' t / M))``; with unlimited governors the characteristic
polynomial is ``M T s² + (M + (D' + K F) T) s + (D' + K)`` and ``Δf_ss = −P_def / (D' + K)``.

Notes: this replaces the cascade mode's constant (``shed.py``: primary response up to its limit,
then up to 40% of load shed, beyond it collapse) by the dynamics: the deficit an island survives
depends on its inertia, the governors' speed and the rounds' thresholds and delays.

Numerics: Heun's method (second order) with ``dt`` up to ``t_fast`` and ``dt_slow`` after (the
fast part is over by then; the long-delay rounds' timers still run, to within ``dt_slow``); the
step shrinks if an island is stiff (a strong external area on a small inertia). The run stops
early when every island has collapsed or settled (nothing moving, no round's timer running).

Left out: voltage and its effect on load, the spread of frequency within an island (one machine;
no angle stability, no inter-area swings), governor dead bands (±0.033 Hz thermal) and their
rate limits, the hydro unit's initial opposite response (water hammer), boiler limits beyond the
response limit, AGC (secondary control, tens of seconds and later), units tripping on rate of
change of frequency, load shedding by df/dt, over-frequency generator tripping, the under-
frequency ride-through time of units (an instant trip at 47.5 Hz), and the motor load's inertia.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import numpy as np
from numpy.typing import ArrayLike, NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from outage_sim.errors import DataFileError, InputError
from outage_sim.hazards import hazard_parameters
from outage_sim.validation import problems

FREQUENCY_DATA_DIR = Path(__file__).parents[1] / "data" / "engine"
FILE = "frequency.yaml"
UNIT_PARAMETERS = ("inertia_s", "droop_pu", "response_limit_share", "governor_time_s",
                   "fast_share")

FloatArray = NDArray[np.float64]
Positive = Annotated[float, Field(strict=True, gt=0)]
Share = Annotated[float, Field(strict=True, ge=0, le=1)]


# ---------------------------------------------------------------- the data file
class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Round(_Section):
    """One round of under-frequency load shedding: below ``threshold_hz`` for ``delay_s``."""

    threshold_hz: Positive
    delay_s: Annotated[float, Field(strict=True, ge=0)]
    share: Share


def _has_default(table: dict[str, float]) -> dict[str, float]:
    if "default" not in table:
        raise ValueError("needs a 'default' entry (for unit types not listed)")
    return table


class FrequencyFile(_Section):
    """The values of ``frequency.yaml`` (each entry's ``source`` or ``estimate`` says why)."""

    nominal_hz: Positive
    load_damping_pu: Annotated[float, Field(strict=True, ge=0)]
    inertia_s: dict[str, Annotated[float, Field(strict=True, ge=0)]]
    droop_pu: dict[str, Positive]
    response_limit_share: dict[str, Share]
    governor_time_s: dict[str, Positive]
    fast_share: dict[str, Share]
    ufls_basic_rounds: list[Round]
    ufls_special_rounds: list[Round]
    unit_trip_hz: Positive
    recovery_hz: Positive
    recovery_time_s: Positive
    area_gain_mw_per_hz: Annotated[float, Field(strict=True, ge=0)] = 0.0
    area_inertia_mws: Annotated[float, Field(strict=True, ge=0)] = 0.0

    @model_validator(mode="after")
    def _consistent(self) -> FrequencyFile:
        for name in UNIT_PARAMETERS:
            try:
                _has_default(getattr(self, name))
            except ValueError as exc:
                raise ValueError(f"{name}: {exc}") from None
        rounds = [*self.ufls_basic_rounds, *self.ufls_special_rounds]
        if sum(r.share for r in rounds) > 1:
            raise ValueError("ufls rounds: shares add up to more than the whole load")
        for r in rounds:
            if not self.unit_trip_hz < r.threshold_hz < self.nominal_hz:
                raise ValueError(f"ufls rounds: threshold {r.threshold_hz} Hz not between "
                                 f"unit_trip_hz and nominal_hz")
        if not self.unit_trip_hz < self.recovery_hz < self.nominal_hz:
            raise ValueError("recovery_hz: not between unit_trip_hz and nominal_hz")
        return self


@dataclass(frozen=True)
class FrequencyData:
    """The checked frequency-response parameters (see ``data/engine/frequency.yaml``).

    ``units[parameter][type]`` the per-type tables (with ``'default'``); the rounds as arrays in
    the file's order, basic rounds first (``round_special`` marks the others).
    """

    nominal_hz: float
    load_damping_pu: float
    units: dict[str, dict[str, float]]
    round_threshold_hz: FloatArray
    round_delay_s: FloatArray
    round_share: FloatArray
    round_special: NDArray[np.bool_]
    unit_trip_hz: float
    recovery_hz: float
    recovery_time_s: float
    source: str
    area_gain_mw_per_hz: float = 0.0   # a synchronous area behind AC ties (MW/Hz) ...
    area_inertia_mws: float = 0.0      # ... and its inertia Σ H·S (MW·s)

    def unit_values(self, parameter: str, unit_type: ArrayLike) -> FloatArray:
        """``parameter`` (e.g. ``'inertia_s'``) of each unit by its type (``default`` if unknown)."""
        table = self.units[parameter]
        kinds, index = np.unique(np.asarray(unit_type).astype(str), return_inverse=True)
        values = np.array([table.get(k, table["default"]) for k in kinds], dtype=float)
        return values[index.reshape(-1)]


def load_frequency_data(path: str | Path | None = None) -> FrequencyData:
    """The frequency-response parameters of ``path`` (a ``.yaml`` file or a folder holding
    ``frequency.yaml``); the shipped file by default. Cached per file.

    Raises
    ------
    DataFileError
        The file is missing, a parameter lacks ``value`` or its provenance, or a value is out of
        range; the message names the file and the path of each problem.
    """
    if path is None:
        return _load(FREQUENCY_DATA_DIR, "frequency")
    p = Path(path)
    return _load(p.parent, p.stem) if p.suffix in (".yaml", ".yml") else _load(p, "frequency")


@lru_cache(maxsize=8)
def _load(directory: Path, stem: str) -> FrequencyData:
    raw = hazard_parameters(stem, directory)
    try:
        f = FrequencyFile.model_validate(raw)
    except ValidationError as exc:
        raise DataFileError(f"{stem}.yaml: " + "; ".join(problems(exc))) from None
    rounds = [*f.ufls_basic_rounds, *f.ufls_special_rounds]
    return FrequencyData(
        nominal_hz=f.nominal_hz, load_damping_pu=f.load_damping_pu,
        units={name: dict(getattr(f, name)) for name in UNIT_PARAMETERS},
        round_threshold_hz=np.array([r.threshold_hz for r in rounds], float),
        round_delay_s=np.array([r.delay_s for r in rounds], float),
        round_share=np.array([r.share for r in rounds], float),
        round_special=np.arange(len(rounds)) >= len(f.ufls_basic_rounds),
        unit_trip_hz=f.unit_trip_hz, recovery_hz=f.recovery_hz,
        recovery_time_s=f.recovery_time_s, source=f"{stem}.yaml",
        area_gain_mw_per_hz=f.area_gain_mw_per_hz, area_inertia_mws=f.area_inertia_mws)


# ---------------------------------------------------------------- islands as arrays
@dataclass(frozen=True)
class IslandDynamics:
    """What the frequency of each of N islands answers to (arrays of length N; MW, Hz, s).

    ``load_mw`` the load before the disturbance; ``deficit_mw`` the generation lost at once
    (> 0 short, ≤ 0 a surplus); ``inertia_mws`` Σ H_i S_i of the synchronous units (MW·s);
    ``gov_gain_mw_per_hz`` Σ S_i / (R_i f0); ``gov_limit_mw`` the most the governors can give;
    ``gov_time_s`` and ``gov_fast_share`` their aggregate lag and immediate share (gain-weighted);
    ``ext_*`` a larger synchronous area behind AC ties (0 where there is none).
    """

    load_mw: FloatArray
    deficit_mw: FloatArray
    inertia_mws: FloatArray
    gov_gain_mw_per_hz: FloatArray
    gov_limit_mw: FloatArray
    gov_time_s: FloatArray
    gov_fast_share: FloatArray
    ext_gain_mw_per_hz: FloatArray
    ext_limit_mw: FloatArray
    ext_inertia_mws: FloatArray

    def __post_init__(self) -> None:
        n = len(self.load_mw)
        for name in self.__dataclass_fields__:
            value = np.asarray(getattr(self, name), dtype=float)
            if value.shape != (n,):
                raise InputError(f"{name}: expected {n} values (one per island), "
                                 f"got shape {value.shape}")
            if not np.isfinite(value).all():
                raise InputError(f"{name}: not a finite number")
            if name != "deficit_mw" and (value < 0).any():
                raise InputError(f"{name}: negative")
            object.__setattr__(self, name, value)


def island_dynamics(unit_type: ArrayLike, unit_rating_mw: ArrayLike, unit_p_mw: ArrayLike,
                    unit_on: ArrayLike, unit_island: ArrayLike, load_island_mw: ArrayLike,
                    deficit_mw: ArrayLike, data: FrequencyData | None = None, *,
                    ext_gain: ArrayLike | None = None, ext_limit: ArrayLike | None = None,
                    ext_inertia: ArrayLike | None = None) -> IslandDynamics:
    """Aggregate units into one machine per island.

    Parameters
    ----------
    unit_type, unit_rating_mw, unit_p_mw, unit_on, unit_island
        Per unit: type (``coal``, ``gas``, ``hydro``, ...), rating S_i, output before the event,
        whether it runs after the event, and its island's index (0..N−1; negative: in none).
    load_island_mw, deficit_mw
        Per island (length N): load before the event and the generation it lost at once.
    data
        The parameters (:func:`load_frequency_data` by default).
    ext_gain, ext_limit, ext_inertia
        Per island, an area behind AC ties: its frequency characteristic (MW/Hz), the ties'
        headroom (MW) and its inertia Σ H S (MW·s); none by default.
    """
    data = data or load_frequency_data()
    load = np.asarray(load_island_mw, dtype=float)
    n = len(load)
    island = np.asarray(unit_island, dtype=np.int64)
    rating = np.asarray(unit_rating_mw, dtype=float)
    if not (len(island) == len(rating) == len(np.asarray(unit_p_mw))
            == len(np.asarray(unit_on)) == len(np.asarray(unit_type))):
        raise InputError("unit_type: unit arrays differ in length")
    if (island >= n).any():
        raise InputError(f"unit_island: index beyond the {n} islands")
    on = np.asarray(unit_on, dtype=bool) & (island >= 0) & (rating > 0)
    where, s = island[on], rating[on]
    kinds = np.asarray(unit_type)[on]
    gain = s / (data.unit_values("droop_pu", kinds) * data.nominal_hz)
    headroom = np.clip(s - np.asarray(unit_p_mw, dtype=float)[on], 0.0, None)
    limit = np.minimum(data.unit_values("response_limit_share", kinds) * s, headroom)

    def per_island(values: FloatArray) -> FloatArray:
        return np.bincount(where, weights=values, minlength=n).astype(float)

    gain_sum = per_island(gain)
    weight = np.where(gain_sum > 0, gain_sum, 1.0)
    zeros = np.zeros(n)
    return IslandDynamics(
        load_mw=load, deficit_mw=np.asarray(deficit_mw, dtype=float),
        inertia_mws=per_island(data.unit_values("inertia_s", kinds) * s),
        gov_gain_mw_per_hz=gain_sum, gov_limit_mw=per_island(limit),
        gov_time_s=np.where(gain_sum > 0,
                            per_island(gain * data.unit_values("governor_time_s", kinds)) / weight,
                            1.0),
        gov_fast_share=per_island(gain * data.unit_values("fast_share", kinds)) / weight,
        ext_gain_mw_per_hz=zeros if ext_gain is None else np.broadcast_to(ext_gain, (n,)),
        ext_limit_mw=zeros if ext_limit is None else np.broadcast_to(ext_limit, (n,)),
        ext_inertia_mws=zeros if ext_inertia is None else np.broadcast_to(ext_inertia, (n,)))


# ---------------------------------------------------------------- the simulation
@dataclass(frozen=True)
class FrequencyResponse:
    """The frequency of each of N islands after its disturbance (arrays of length N).

    ``nadir_hz`` the lowest frequency after a deficit, at ``t_nadir_s`` (f0 after a surplus: the
    governors' overshoot of a few mHz below f0 as they settle from a surplus is not an
    under-frequency event; 0 for a collapsed island, which goes black); ``final_hz`` the frequency at the end of the run (0 if collapsed);
    ``ufls_share`` the share of the island's load the rounds shed (before a collapse, if any) and
    ``rounds_fired`` how many rounds fired; ``survived`` False when the frequency fell below the
    units' trip frequency; ``restored`` survived and back in the band (``final_hz`` ≥
    ``recovery_hz``); ``gov_mw`` the governors' response at the end (0 if collapsed);
    ``lost_share`` the load lost: ``ufls_share``, or 1 for a collapsed island;
    ``round_time_s`` (N × rounds, the data file's order) when each round fired (NaN: never).
    """

    nadir_hz: FloatArray
    t_nadir_s: FloatArray
    final_hz: FloatArray
    ufls_share: FloatArray
    rounds_fired: NDArray[np.int64]
    survived: NDArray[np.bool_]
    restored: NDArray[np.bool_]
    gov_mw: FloatArray
    lost_share: FloatArray
    round_time_s: FloatArray


class _Run:
    """A simulation in progress: the coefficients per island and the state.

    State: the deviation ``df`` (Hz), the governors' lag ``x`` (MW), the load shed (MW), each
    round's timer and whether it fired. A collapsed island's derivatives are zeroed (its state
    stays as it fell); ``bal`` (shed − deficit) and ``dcoef`` (damping of the load left, MW/Hz)
    change only when a round fires.
    """

    def __init__(self, dyn: IslandDynamics, data: FrequencyData) -> None:
        f0, n, rounds = data.nominal_hz, len(dyn.load_mw), len(data.round_share)
        m = 2.0 * (dyn.inertia_mws + dyn.ext_inertia_mws) / f0
        self.data, self.load, self.deficit = data, dyn.load_mw, dyn.deficit_mw
        self.k, self.fast = dyn.gov_gain_mw_per_hz, dyn.gov_fast_share
        self.slow, self.lim = 1.0 - self.fast, dyn.gov_limit_mw
        self.ke, self.le = dyn.ext_gain_mw_per_hz, dyn.ext_limit_mw
        self.has_ext = bool((self.ke > 0).any())
        self.tau = np.where(dyn.gov_time_s > 0, dyn.gov_time_s, 1.0)
        self.inv_m = np.divide(1.0, m, out=np.zeros(n), where=m > 0)
        self.inv_tau = np.where(m > 0, 1.0 / self.tau, 0.0)
        self.damp = data.load_damping_pu / f0
        self.df, self.x, self.shed = np.zeros(n), np.zeros(n), np.zeros(n)
        self.bal, self.dcoef = -self.deficit, self.damp * self.load
        self.timer = np.zeros((n, rounds))
        self.fired = np.zeros((n, rounds), bool)
        self.fire_t = np.full((n, rounds), np.nan)
        # each relay's delay, infinite once it fired: a round fires once
        self.delay = np.tile(data.round_delay_s - 1e-9, (n, 1))
        # added to f0 for the relays: infinite for a collapsed island (its relays stop)
        self.relay_f0 = np.full(n, data.nominal_hz)
        self.active = m > 0
        self.collapsed = ~self.active & (self.deficit > 0)  # no inertia: gone at once if short
        self.nadir, self.t_nadir = np.zeros(n), np.zeros(n)
        self.short = self.deficit > 0

    def rhs(self, df: FloatArray, x: FloatArray) -> tuple[FloatArray, FloatArray, FloatArray]:
        """d(Δf)/dt (Hz/s), dx/dt (MW/s) and the governors' output P_gov (MW)."""
        u = -self.k * df
        gov = np.minimum(np.maximum(self.fast * u + self.slow * x, -self.lim), self.lim)
        power = gov + self.bal - self.dcoef * df
        if self.has_ext:
            power += np.clip(-self.ke * df, -self.le, self.le)
        return power * self.inv_m, (u - x) * self.inv_tau, gov

    def step_limit(self) -> float:
        """Largest Heun step well inside stability for the stiffest island (s)."""
        rate = np.maximum((self.dcoef + self.fast * self.k + self.ke) * self.inv_m,
                          self.inv_tau)
        top = float(rate.max()) if rate.size else 0.0
        return 0.5 / top if top > 0 else np.inf

    def step(self, h: float, t: float) -> tuple[FloatArray, FloatArray]:
        """One Heun step to ``t``; returns d(Δf)/dt at its end and the lag's change."""
        k1f, k1x, _ = self.rhs(self.df, self.x)
        k2f, k2x, _ = self.rhs(self.df + h * k1f, self.x + h * k1x)
        x_new = np.minimum(np.maximum(self.x + 0.5 * h * (k1x + k2x), -self.lim), self.lim)
        dx_step = x_new - self.x
        self.df = self.df + 0.5 * h * (k1f + k2f)
        self.x = x_new
        lower = (self.df < self.nadir) & self.short
        if lower.any():
            self.nadir = np.where(lower, self.df, self.nadir)
            self.t_nadir = np.where(lower, t, self.t_nadir)
        self.relays(h, t)
        fall = self.active & (self.df < self.data.unit_trip_hz - self.data.nominal_hz)
        if fall.any():
            self.collapsed |= fall
            self.active &= ~fall
            self.inv_m = np.where(fall, 0.0, self.inv_m)
            self.inv_tau = np.where(fall, 0.0, self.inv_tau)
            self.relay_f0 = np.where(fall, np.inf, self.relay_f0)
        return k2f, dx_step

    def relays(self, h: float, t: float) -> None:
        """Advance every round's timer by ``h``; shed the rounds whose delay has run out."""
        data = self.data
        below = (self.df + self.relay_f0)[:, None] < data.round_threshold_hz
        self.timer += h
        self.timer *= below  # a relay's timer restarts once the frequency is back above
        fire = self.timer >= self.delay
        if fire.any():
            self.delay[fire] = np.inf
            self.shed = self.shed + (fire @ data.round_share) * self.load
            self.fired |= fire
            self.fire_t[fire] = t
            self.bal = self.shed - self.deficit
            self.dcoef = self.damp * (self.load - self.shed)

    def settled(self, ddf: FloatArray, dx_step: FloatArray, h: float) -> bool:
        """Whether nothing is left to happen: every island collapsed or still, no timer running."""
        timing = ((self.timer > 0) & ~self.fired).any(axis=1)
        still = (np.abs(ddf) < 1e-4) & (np.abs(dx_step) <= 1e-4 * h * self.k) & ~timing
        return bool((still | ~self.active).all())

    def response(self) -> FrequencyResponse:
        """The result arrays: a collapsed island at 0 Hz with all its load lost."""
        f0, dead, load = self.data.nominal_hz, self.collapsed, self.load
        ufls = np.divide(self.shed, load, out=np.zeros_like(load), where=load > 0)
        final = np.where(dead, 0.0, f0 + self.df)
        gov = self.rhs(self.df, self.x)[2]
        return FrequencyResponse(
            nadir_hz=np.where(dead, 0.0, f0 + self.nadir), t_nadir_s=self.t_nadir,
            final_hz=final, ufls_share=ufls,
            rounds_fired=self.fired.sum(axis=1).astype(np.int64), survived=~dead,
            restored=~dead & (final >= self.data.recovery_hz - 1e-9),
            gov_mw=np.where(dead, 0.0, gov), lost_share=np.where(dead, 1.0, ufls),
            round_time_s=self.fire_t)


def simulate_frequency(dyn: IslandDynamics, data: FrequencyData | None = None, *,
                       t_end: float | None = None, dt: float = 0.01, dt_slow: float = 0.05,
                       t_fast: float = 10.0, early_stop: bool = True,
                       screen: bool = True) -> FrequencyResponse:
    """Simulate the frequency of every island of ``dyn`` at once (no loop over islands).

    Parameters
    ----------
    dyn
        The islands (:func:`island_dynamics`).
    data
        The parameters (:func:`load_frequency_data` by default).
    t_end
        Length of the run (s); ``data.recovery_time_s`` (30 s) by default.
    dt, dt_slow, t_fast
        The step up to ``t_fast`` and after it (s); smaller if an island is stiff.
    early_stop
        Stop once every island has collapsed or settled (checked every 0.5 s of simulated time;
        ``final_hz`` is then the settled value, within about 1e-3 Hz).
    screen
        Settle without stepping the islands :func:`quiet_islands` proves cannot reach the
        highest round's threshold: no round fires and they survive. Their ``nadir_hz`` and
        ``final_hz`` are then the bound (a lower bound of both), ``t_nadir_s`` NaN.

    Raises
    ------
    InputError
        A step or time not positive (``dt: ...``).
    """
    data = data or load_frequency_data()
    t_end = data.recovery_time_s if t_end is None else t_end
    if not (0 < dt <= dt_slow and t_end >= 0 and t_fast >= 0):
        raise InputError(f"dt: need 0 < dt ≤ dt_slow, t_end ≥ 0 and t_fast ≥ 0 (got dt={dt}, "
                         f"dt_slow={dt_slow}, t_end={t_end}, t_fast={t_fast})")
    quiet = quiet_islands(dyn, data) if screen else np.zeros(len(dyn.load_mw), bool)
    if quiet.any():
        return _merge_quiet(dyn, data, quiet, simulate_frequency(
            _subset(dyn, ~quiet), data, t_end=t_end, dt=dt, dt_slow=dt_slow, t_fast=t_fast,
            early_stop=early_stop, screen=False))
    run = _Run(dyn, data)
    h_max, t, next_check = run.step_limit(), 0.0, 0.5
    while t < t_end - 1e-9 and run.active.any():
        h = min(dt if t < t_fast - 1e-9 else dt_slow, h_max, t_end - t)
        t += h
        ddf, dx_step = run.step(h, t)
        if early_stop and t >= next_check:
            next_check += 0.5
            if run.settled(ddf, dx_step, h):
                break
    return run.response()


def quiet_islands(dyn: IslandDynamics, data: FrequencyData) -> NDArray[np.bool_]:
    """Islands whose frequency provably stays above every round's threshold.

    Without its governors an island's deviation approaches −deficit / (D·load/f0 + K_ext)
    monotonically (a first-order system; the area's response is proportional and within its
    limit at that deviation); the governors only add power while the frequency is low, so this is
    a lower bound of the nadir. Where it is above the highest threshold no round can fire and the
    island survives: nothing to simulate (most islands of a Monte-Carlo chunk: a small deficit,
    or the Sichuan area behind them).
    """
    top = data.nominal_hz - float(data.round_threshold_hz.max()) if len(data.round_share) else \
        data.nominal_hz - data.unit_trip_hz
    stiff = dyn.load_mw * data.load_damping_pu / data.nominal_hz + dyn.ext_gain_mw_per_hz
    bound = np.where(stiff > 0, _bound(dyn, data), np.inf)
    has_inertia = dyn.inertia_mws + dyn.ext_inertia_mws > 0
    return (bound < top) & (dyn.ext_gain_mw_per_hz * bound <= dyn.ext_limit_mw) & has_inertia & \
        (dyn.deficit_mw > 0)


def _bound(dyn: IslandDynamics, data: FrequencyData) -> FloatArray:
    """The no-governor steady deviation of each island (Hz below f0; 0 where nothing is stiff)."""
    stiff = dyn.load_mw * data.load_damping_pu / data.nominal_hz + dyn.ext_gain_mw_per_hz
    return np.divide(np.maximum(dyn.deficit_mw, 0.0), stiff, out=np.zeros(len(stiff)),
                     where=stiff > 0)


def _subset(dyn: IslandDynamics, keep: NDArray[np.bool_]) -> IslandDynamics:
    return IslandDynamics(**{name: getattr(dyn, name)[keep] for name in dyn.__dataclass_fields__})


def _merge_quiet(dyn: IslandDynamics, data: FrequencyData, quiet: NDArray[np.bool_],
                 loud: FrequencyResponse) -> FrequencyResponse:
    """The response of all islands: the simulated ones from ``loud``, the quiet ones settled at
    their bound with no round fired."""
    n, f_quiet = len(quiet), data.nominal_hz - _bound(dyn, data)[quiet]
    out = {}
    for name in FrequencyResponse.__dataclass_fields__:
        part = getattr(loud, name)
        full = np.zeros((n, *part.shape[1:]), dtype=part.dtype)
        full[~quiet] = part
        out[name] = full
    out["nadir_hz"][quiet] = out["final_hz"][quiet] = f_quiet
    out["t_nadir_s"][quiet] = np.nan
    out["survived"][quiet] = True
    out["restored"][quiet] = f_quiet >= data.recovery_hz - 1e-9
    out["round_time_s"][quiet] = np.nan
    return FrequencyResponse(**out)

