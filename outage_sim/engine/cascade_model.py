"""The cascade model of both engines: protection, heating, the dispatcher, hidden failures.

Cascade mode follows a branch outage through time, in rounds; each round is one moment and the
branches that trip in it. What can happen next, whichever comes first:

* **protection** (过负荷保护): a branch above ``cascade_threshold`` × its rating opens after
  ``relay_delay_s`` (zone 3 / overcurrent), every such branch at once;
* **heating** (热稳定): a branch above its rating heats as ``dθ/dt = (L² − θ)/τ`` (θ the
  temperature rise as a share of the rated rise, L the loading as a share of the rating, the
  first-order transient heat balance of IEEE Std 738 with constant resistance and cooling) and
  trips when θ reaches 1, after ``τ·ln((L² − θ0)/(L² − 1))`` (``τ·ln(L²/(L² − 1))`` from cold);
  θ starts at the pre-event loading squared (the steady state before the event);
* **the dispatcher** (调度): ``operator_delay_s`` after an overload first appears, the
  dispatcher's LP (balance and relief as one, :mod:`outage_sim.engine.lp`) redispatches units
  and imports and sheds load by priority; then every branch at its limit (loading ≥
  ``at_limit_share`` of the LP's limit) outages with probability ``p_at_limit``: OPA's slow loop
  and its p1 (Dobson, Carreras, Lynch & Newman, "An initial model for complex dynamics in
  electric power system blackouts", HICSS 2001; Carreras, Lynch, Dobson & Newman, "Critical
  points and transitions in an electric power transmission model for cascading failure
  blackouts", Chaos 12(4) 2002);
* **hidden failures** (保护隐性故障): when a branch trips, the protection of every in-service
  branch sharing a bus with it is exposed and misoperates with a probability that rises with
  the exposed branch's loading, ``p_hidden`` at or below its rating up to 1 at the trip
  threshold (Chen, Thorp & Dobson, "Cascading dynamics and mitigation assessment in power
  system disturbances via a hidden failure model", IJEPES 27(4) 2005); a branch tripped so
  exposes its own neighbours in the same moment. The initial outages expose theirs.

Between rounds the islands are balanced as in the first seconds (primary response, then
under-frequency load shedding, ``balance_islands(stage="fast")``); the time scales and the
separation of fast protection from the operator's slow actions follow the Manchester model
(Nedic, Dobson, Kirschen, Carreras & Lynch, "Criticality in a cascading failure blackout
model", IJEPES 28(9) 2006). The parameters, each with its source or estimate, are in
``data/engine/cascade.yaml``.

Calibration
-----------
``scripts/cascade_calibration.py``, 1,000 random double branch outages per line, seed 1, the
shipped parameters; size = shed share of the load (P: observed share of outages above a size,
exp: an exponential of the same mean):

* case39 (its branches at their ratings already): ×0.8 mean 2.0%, P(>0.2) 0.8% (exp 5e-5);
  ×0.9 mean 5.0%, P(>0.3) 3.0% (exp 0.25%), P(>0.5) 1.3% (exp 5e-5), non-zero CCDF slope
  −0.91 over 1.5 decades; ×1.0 and above supercritical: 78–87% of outages shed, mean 17–22%,
  a bump of large blackouts rather than a power tail (the old protection-only cascade at ×0.9:
  mean 2.0%, largest 31%);
* case118 (pandapower leaves it unrated; lines rated 2 × their base DC flow, at least 50 MVA):
  ×1.0 mean 1.9%, P(>0.1) 6.4% (exp 0.45%), CCDF slope −1.0 over 1.3 decades; ×1.3 mean 3.4%,
  slope −0.70 over 1.9 decades, up to 56 branches tripped;
* Chongqing summer peak: loads ×1.1–1.3 shed nothing (the units cap the served load near ×1.1,
  the branches stay below 70%); loads and units ×1.6 (branches up to 95% before the event):
  8.8% of outages shed, non-zero median 0.04% and mean 0.64% of the load, largest 31%, CCDF
  slope −0.56 over 2.1 decades.

Random numbers
--------------
A run with seed ``x`` draws from :func:`cascade_rng` (``numpy.random.default_rng([x, 2])``: its
own stream, so that the hazard draws of ``outage-sim run --seed x``, from ``default_rng(x)``, and
the cascade's are not the same numbers; restoration draws from ``[x, 1]``). Every draw is one
vector over the net's full branch list (all lines by index, then all transformers, in service or
not; :func:`full_positions`): one per exposure step of a round (hidden failures) and one per
redispatch (at-limit trips). So the batch engine, drawing the same vectors in the same order,
reproduces a scenario exactly: scenario ``s`` of a batch run with seed ``x`` is
``shed_load(..., seed=scenario_seed(x, s))``.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Annotated

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from outage_sim.errors import DataFileError
from outage_sim.hazards import hazard_parameters
from outage_sim.validation import problems

CASCADE_DATA_DIR = Path(__file__).parents[1] / "data" / "engine"
FILE = "cascade.yaml"
CASCADE_STREAM = 2  # the cascade's stream beside a run's seed (restoration uses 1)

# what makes a branch trip, the key of a round's record, and its words for the reader
PROTECTION, THERMAL, AT_LIMIT, HIDDEN = "protection", "thermal", "at_limit", "hidden_failure"
CAUSE_TEXT = {PROTECTION: "过负荷保护 overload protection",
              THERMAL: "过热 thermal limit (heating)",
              AT_LIMIT: "满载随机跳闸 at-limit outage after redispatch (OPA)",
              HIDDEN: "保护隐性故障 hidden failure of protection"}
# kinds of the next event of a scenario (arrays of them in the batch)
NONE, EV_PROTECTION, EV_THERMAL, EV_OPERATOR = 0, 1, 2, 3

FloatArray = NDArray[np.float64]
Positive = Annotated[float, Field(strict=False, gt=0)]
Share = Annotated[float, Field(strict=False, ge=0, le=1)]


class _Times(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    line: Positive
    trafo: Positive


class CascadeFile(BaseModel):
    """The values of ``cascade.yaml`` (each entry's ``source`` or ``estimate`` says why)."""

    model_config = ConfigDict(extra="forbid", frozen=True)
    relay_delay_s: Positive
    thermal_time_constant_s: _Times
    operator_delay_s: Positive
    at_limit_share: Annotated[float, Field(gt=0, le=1)]
    p_at_limit: Share
    p_hidden: Share
    hidden_full_at_threshold: bool
    max_rounds: Annotated[int, Field(ge=1, le=10_000)]


@dataclass(frozen=True)
class CascadeData:
    """The checked cascade parameters (see ``data/engine/cascade.yaml``)."""

    relay_delay_s: float
    tau_line_s: float
    tau_trafo_s: float
    operator_delay_s: float
    at_limit_share: float
    p_at_limit: float
    p_hidden: float
    hidden_full_at_threshold: bool
    max_rounds: int
    source: str


def load_cascade_data(path: str | Path | None = None) -> CascadeData:
    """The cascade parameters of ``path`` (a ``.yaml`` file or a folder holding
    ``cascade.yaml``); the shipped file by default. Cached per file. Read as
    :func:`outage_sim.engine.load_frequency_data` reads ``frequency.yaml``.

    Raises
    ------
    DataFileError
        The file is missing, a parameter lacks ``value`` or its provenance, or a value is out of
        range; the message names the file and the path of each problem.
    """
    p = CASCADE_DATA_DIR / FILE if path is None else Path(path)
    p = p if p.suffix in (".yaml", ".yml") else p / FILE
    return _load(p.parent, p.stem)


@lru_cache(maxsize=8)
def _load(directory: Path, stem: str) -> CascadeData:
    try:
        f = CascadeFile.model_validate(hazard_parameters(stem, directory)).model_dump()
    except ValidationError as exc:
        raise DataFileError(f"{stem}.yaml: " + "; ".join(problems(exc))) from None
    tau = f.pop("thermal_time_constant_s")
    return CascadeData(**f, tau_line_s=tau["line"], tau_trafo_s=tau["trafo"], source=f"{stem}.yaml")


# ---------------------------------------------------------------- seeds and draws
def scenario_seed(seed: int, s: int) -> int:
    """The seed of scenario ``s`` of a batch run with ``seed`` (and of Monte-Carlo sample ``s``
    of master seed ``seed``): replay it with ``shed_load(..., seed=scenario_seed(seed, s))``."""
    return int(np.random.SeedSequence([int(seed), int(s)]).generate_state(1, np.uint32)[0])


def cascade_rng(seed: int | None) -> np.random.Generator:
    """The cascade's random stream of a run with ``seed`` (None counts as 0)."""
    return np.random.default_rng([0 if seed is None else int(seed), CASCADE_STREAM])


def full_positions(n_line: int, line_index, trafo_index, element, index) -> np.ndarray:
    """Position of each branch (``element`` ``line``/``trafo``, pandapower ``index``) in the full
    branch list: every line by its place in ``line_index``, then every transformer."""
    lpos = {int(i): k for k, i in enumerate(line_index)}
    tpos = {int(i): n_line + k for k, i in enumerate(trafo_index)}
    return np.array([lpos[int(i)] if str(e) == "line" else tpos[int(i)]
                     for e, i in zip(element, index)], np.int64)


def draw(rng: np.random.Generator, n_full: int, pos: np.ndarray, p: FloatArray) -> np.ndarray:
    """One draw over the full branch list: True where the branch at ``pos`` (its probability
    ``p``) fails. Always consumes ``n_full`` numbers, whichever branches are asked about."""
    u = rng.random(n_full)
    return u[pos] < p


def hidden_probability(loading: FloatArray, threshold: float, data: CascadeData) -> FloatArray:
    """Hidden-failure probability of exposed branches by their loading (share of rating)."""
    if not data.hidden_full_at_threshold or threshold <= 1.0:
        return np.full(np.shape(loading), data.p_hidden)
    rise = np.clip((np.asarray(loading) - 1.0) / (threshold - 1.0), 0.0, 1.0)
    return data.p_hidden + (1.0 - data.p_hidden) * rise


def exposed(out_now: np.ndarray, newly: np.ndarray, br_from: np.ndarray,
            br_to: np.ndarray, n_bus: int) -> np.ndarray:
    """Branches (rows: scenarios) in service that share a bus with a branch of ``newly``."""
    newly = np.atleast_2d(newly)
    hit = np.zeros((newly.shape[0], n_bus), bool)
    s, k = np.nonzero(newly)
    hit[s, br_from[k]] = True
    hit[s, br_to[k]] = True
    return (hit[:, br_from] | hit[:, br_to]) & ~np.atleast_2d(out_now)


# ---------------------------------------------------------------- heat and the next event
def heat(theta: FloatArray, loading: FloatArray, tau: FloatArray, dt) -> FloatArray:
    """Temperature rise (share of the rated rise) after ``dt`` seconds at ``loading``."""
    lsq = np.asarray(loading) ** 2
    dt = np.asarray(dt, float)
    return lsq + (theta - lsq) * np.exp(-(dt[..., None] if dt.ndim else dt) / tau)


def time_to_trip(theta: FloatArray, loading: FloatArray, tau: FloatArray) -> FloatArray:
    """Seconds until a branch heated to ``theta`` reaches its limit at ``loading`` (inf when
    its loading is at or below the rating)."""
    lsq = np.asarray(loading, float) ** 2
    hot = lsq > 1.0 + 1e-12
    ratio = np.divide(lsq - theta, lsq - 1.0, out=np.ones_like(lsq), where=hot)
    t = tau * np.log(np.maximum(ratio, 1.0))
    return np.where(hot, t, np.inf)


def next_event(loading, theta, tau, t, t_op, threshold: float, relay_delay_s: float):
    """Per scenario (rows), what happens next: ``(kind, when, trips)``.

    Protection above ``threshold`` after ``relay_delay_s``, else the first branch to reach its
    thermal limit, else the dispatcher at ``t_op`` (ties: protection, heating, dispatcher).
    ``trips`` marks the branches protection or heating opens; ``kind`` is ``NONE`` where
    nothing is left to happen (``when`` inf).
    """
    loading = np.atleast_2d(loading)
    over = loading > threshold
    t_prot = np.where(over.any(axis=1), t + relay_delay_s, np.inf)
    ttt = np.where(over, np.inf, time_to_trip(np.atleast_2d(theta), loading, tau))
    first = ttt.min(axis=1) if ttt.shape[1] else np.full(len(t), np.inf)
    t_th = t + first
    when = np.minimum(np.minimum(t_prot, t_th), t_op)
    kind = np.where(~np.isfinite(when), NONE,
                    np.where(t_prot <= when, EV_PROTECTION,
                             np.where(t_th <= when, EV_THERMAL, EV_OPERATOR)))
    thermal = ttt <= first[:, None] + 1e-6 * np.maximum(first[:, None], 1.0)
    trips = np.where((kind == EV_PROTECTION)[:, None], over,
                     (kind == EV_THERMAL)[:, None] & thermal)
    return kind, when, trips


def cascade_flag(rounds: list[list[dict]]) -> str:
    """The reader's one line on a cascade's rounds."""
    k = sum(len(r) for r in rounds)
    m = sum(1 for r in rounds for b in r if b["cause"] == HIDDEN)
    end = max(b["time_s"] for r in rounds for b in r) / 60.0
    return (f"连锁跳闸 cascade: {len(rounds)} round(s) over {end:.1f} min, {k} branch(es) "
            f"tripped ({m} hidden failure(s) 保护隐性故障)")
