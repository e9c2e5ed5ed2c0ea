"""Hazards that fail grid components at random: ice, wind, earthquake, flood, landslide, external
damage and heat wave.

A hazard is a validated specification (one pydantic model per hazard, joined in
:data:`HazardSpec` for the scenario schema). Applied to an annotated net it gives

- :func:`failure_probabilities` — one row per exposed component: its probability of failing and
  the reason with the driving number, without drawing (for the Monte-Carlo engine);
- :func:`draw` — one seeded draw: the failed components as :class:`~outage_sim.hazards.Outage`
  objects, each with its reason and ``cause``, in a frozen :class:`HazardDraw`;
- :func:`draw_hazards` — a scenario's list of hazards, applied in order and merged.

The draw is a single vectorised ``rng.random(n) < p`` over the probability table (one uniform per
``group``: the buses of a flooded or shaken substation fall together), so the same seed gives the
same outages. Parameters come from ``outage_sim/data/hazards/*.yaml``; each cites its source or
states the estimate (see :mod:`outage_sim.hazards.data`).

Models, in short (details and numbers in the data files):

``ice_storm``
    Lines whose route crosses the districts. Per-km failure probability
    ``p_max·Φ(ln(R/2.0)/0.4)`` with ``R`` the ice load over the design ice load
    (``b(b+d)/(b_d(b_d+d))``; design ice 10 mm at 220 kV, 15 mm at 500 kV, 20 mm at 1000 kV);
    ``P(line) = 1 − Π(1 − p_km)^km``.
``wind_storm``
    Tower fragility ``Φ(6.66·ln(V/45 m/s))`` (lanl-ansi/micot), one tower per 0.4 km of route in
    the districts, ``P(line) = 1 − (1 − p)^n``.
``earthquake``
    Yu et al. (2013) PGA at every substation and plant → HAZUS v5.1 fragility → damage state:
    extensive/complete = substation out, moderate = its first transformer out; plants lose all
    units from moderate damage.
``flood``
    Stations within 4 km of the river centre-line fail when the water rise passes their estimated
    margin (8 m + 6 m per km from the river, ±3 m).
``landslide``
    Per-km line failure ``p_max·Φ(ln(rain/150 mm)/0.5)`` in the districts (default: mountain).
``external_damage``
    Named components (probability 1) and/or exactly ``count`` random lines of a voltage.
``heat_wave``
    Changes the net (demand up, derating, imports scaled; :func:`apply_conditions`) and trips
    in-service units with a per-unit probability.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from outage_sim.errors import InputError
from outage_sim.hazards.data import hazard_parameters
from outage_sim.hazards.draws import DrawTable, SampleStream, failure_matrix, group_codes
from outage_sim.hazards.faults import Outage, unique_outages
from outage_sim.hazards.fragility import DAMAGE_STATES, damage_state
from outage_sim.hazards.geo import HazardContext, hazard_context
from outage_sim.hazards.specs import (
    Earthquake,
    HazardSpec,
    HeatWave,
    IceStorm,
    parse_hazard,
)
from outage_sim.hazards.tables import (
    TABLES,
    apply_heat_wave,
    earthquake_pga,
    empty_table,
)

if TYPE_CHECKING:  # pandapower only in annotations: array workers never load it
    import pandapower as pp

__all__ = [
    "HazardDraw",
    "apply_conditions",
    "draw",
    "draw_hazards",
    "failure_probabilities",
    "group_codes",
    "peak_ground_acceleration",
    "sample_failures",
]


@dataclass(frozen=True, eq=False)
class HazardDraw:
    """The outcome of drawing one or more hazards.

    Attributes
    ----------
    outages
        Failed components, one each (first reason wins), in table order.
    notes
        What the hazards did beyond failures (heat-wave changes, summary counts, moderate damage
        at substations without a modelled transformer, ...).
    probabilities
        The probability table of every exposed component (:data:`TABLE_COLUMNS` and extras, see
        :func:`failure_probabilities`), plus ``failed`` (this draw) and ``hazard`` (the type; in
        :func:`draw_hazards`, position and type such as ``'0:ice_storm'``).
    """

    outages: tuple[Outage, ...]
    notes: tuple[str, ...]
    probabilities: pd.DataFrame

    def to_dict(self) -> dict:
        """JSON-ready: outages and notes (the table is left out; it can be large)."""
        return {"outages": [o.to_dict() for o in self.outages], "notes": list(self.notes)}


def _context(net: pp.pandapowerNet, context: HazardContext | None) -> HazardContext:
    return context if context is not None else hazard_context(net)


def failure_probabilities(net: pp.pandapowerNet, spec: HazardSpec | Mapping[str, Any], *,
                          context: HazardContext | None = None) -> pd.DataFrame:
    """Per-component failure probabilities of one hazard, without drawing.

    Parameters
    ----------
    net
        Annotated net (not changed; a heat wave's net changes are made by :func:`apply_conditions`).
    spec
        A hazard model, or a mapping with a ``type`` key (validated by :func:`parse_hazard`).
    context
        Prebuilt :func:`hazard_context` of ``net`` (built on the fly if omitted); pass it when
        calling repeatedly.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TABLE_COLUMNS` (``element``, ``index``, ``name``, ``p_fail``, ``reason``,
        ``cause``, ``group``, ``choose``, ``intensity``), plus hazard-specific extras:
        ``exposure_km`` (ice, wind, landslide); ``p_slight`` … ``p_complete``, ``station`` and
        ``facility`` (earthquake, whose ``intensity`` is the PGA in g); ``station``,
        ``margin_m`` and ``river_km`` (flood). One row per exposed component.

    Notes
    -----
    Rows sharing ``group`` must share one uniform draw (a substation's buses and first
    transformer; a plant's units); rows with ``choose = k > 0`` form a set of which exactly k fail
    (random external damage), their ``p_fail`` being the marginal k/n.

    Raises
    ------
    InputError
        The spec is invalid, or names a component the net does not have.
    """
    spec = parse_hazard(spec)
    table = TABLES[spec.type](net, _context(net, context), spec)
    return table.reset_index(drop=True)


def apply_conditions(net: pp.pandapowerNet, spec: HazardSpec | Mapping[str, Any], *,
                     context: HazardContext | None = None) -> tuple[str, ...]:
    """Apply a hazard's changes to the operating state of ``net`` **in place**.

    Only a heat wave changes the net (loads up, units derated, imports scaled); other hazards
    return ``()``. Call it on the working copy, never on the caller's net. The operating state
    before the first change is kept in ``net["pre_conditions"]``, so the engine can tell the
    grid's own state before the event from what the hazard did to it.
    """
    spec = parse_hazard(spec)
    if isinstance(spec, HeatWave):
        if "pre_conditions" not in net:
            net["pre_conditions"] = {t: net[t][[c for c in PRE_CONDITION_COLUMNS if c in net[t]]]
                                     .copy() for t in ("load", "gen", "sgen")}
        return apply_heat_wave(net, spec, _context(net, context))
    return ()


#: The operating columns a hazard's conditions may change (kept before the first change).
PRE_CONDITION_COLUMNS = ("p_mw", "q_mvar", "scaling", "min_p_mw", "max_p_mw", "in_service")


def _generator(rng: Any) -> np.random.Generator | SampleStream:
    if isinstance(rng, (np.random.Generator, SampleStream)):
        return rng
    if isinstance(rng, (int, np.integer)) and not isinstance(rng, bool):
        return np.random.default_rng(int(rng))
    raise InputError(f"rng: expected a numpy.random.Generator or an integer seed, got "
                     f"{type(rng).__name__}")


def sample_failures(table: pd.DataFrame, rng: np.random.Generator | SampleStream,
                    codes: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Draw a probability table: ``(failed, u)`` boolean and uniform per row.

    One ``rng.random(n_groups)`` call; rows of a group share the uniform. Rows with ``choose = k``
    are replaced by the k rows with the smallest uniforms (a uniformly random k-subset): the rule
    of :func:`~outage_sim.hazards.failure_matrix`, which draws many samples at once.
    ``codes`` (:func:`group_codes` of the table) may be passed by callers drawing many times.
    """
    t = DrawTable.from_table(table)
    if codes is not None:
        t = replace(t, codes=np.asarray(codes, np.int64), n_groups=int(max(codes, default=-1)) + 1)
    u = rng.random(t.n_groups)[None, :] if t.n_groups else np.zeros((1, 0))
    return failure_matrix(u, t)[0], u[0, t.codes]


def _earthquake_outcome(table: pd.DataFrame, u: np.ndarray, failed: np.ndarray
                        ) -> tuple[list[str], list[str]]:
    """Reasons with the drawn damage state, and notes for moderate damage without a transformer."""
    exc = table[[f"p_{s}" for s in DAMAGE_STATES]].to_numpy(float)
    ds = damage_state(u, exc)
    label = ["none", *DAMAGE_STATES]
    reasons = [f"{r}; drawn: {label[d]}" for r, d in zip(table["reason"], ds)]
    has_trafo = set(table.loc[table["facility"] == "transformer", "station"])
    notes = []
    sub = (table["facility"] == "substation").to_numpy()
    seen = set()
    for st, d in zip(table["station"][sub], ds[sub]):
        if label[d] == "moderate" and st not in has_trafo and st not in seen:
            seen.add(st)
            notes.append(f"earthquake: moderate damage at {st} (no modelled transformer; "
                         "breakers and switches partly out, supply kept)")
    return reasons, notes


def draw(net: pp.pandapowerNet, spec: HazardSpec | Mapping[str, Any],
         rng: np.random.Generator | SampleStream | int, *, context: HazardContext | None = None) -> HazardDraw:
    """Draw one hazard: which components fail, and why.

    Parameters
    ----------
    net
        Annotated working net. A heat wave changes it in place (pass a copy); other hazards leave
        it alone.
    spec
        A hazard model, or a mapping with a ``type`` key.
    rng
        Seeded ``numpy.random.Generator`` (or an integer seed, or a Monte-Carlo sample's
        :class:`~outage_sim.hazards.SampleStream`); never the global RNG.
    context
        Prebuilt :func:`hazard_context` of ``net``.

    Returns
    -------
    HazardDraw

    Raises
    ------
    InputError
        The spec is invalid (the message names the field), or ``rng`` is not a generator or seed.
    """
    spec = parse_hazard(spec)
    gen = _generator(rng)
    ctx = _context(net, context)
    notes = list(apply_conditions(net, spec, context=ctx))
    table = TABLES[spec.type](net, ctx, spec).reset_index(drop=True)
    failed, u = sample_failures(table, gen)
    reasons = table["reason"].tolist()
    if isinstance(spec, Earthquake) and len(table):
        reasons, more = _earthquake_outcome(table, u, failed)
        notes += more
    outages = [Outage(str(e), int(i), str(n), r, str(c)) for e, i, n, r, c, f in
               zip(table["element"], table["index"], table["name"], reasons, table["cause"], failed)
               if f]
    exposed = table.drop_duplicates(["element", "index"])
    notes.append(f"{spec.type}: {len(unique_outages(outages))} of {len(exposed)} exposed "
                 f"components failed (expected {float(exposed['p_fail'].sum()):.1f})")
    if isinstance(spec, IceStorm) and spec.duration_h is not None:
        notes.append(f"ice_storm: lasting {spec.duration_h:g} h (thickness is the accumulated "
                     "ice; duration matters for repair, not for the draw)")
    table = table.assign(failed=failed, hazard=spec.type)
    return HazardDraw(tuple(unique_outages(outages)), tuple(notes), table)


def draw_hazards(net: pp.pandapowerNet, specs: Iterable[HazardSpec | Mapping[str, Any]],
                 rng: np.random.Generator | SampleStream | int, *,
                 context: HazardContext | None = None) -> HazardDraw:
    """Draw a list of hazards in order from one generator and merge them.

    A component failing in several hazards is listed once, for the first reason. Each table row
    is tagged with ``hazard`` (``'<position>:<type>'``). A heat wave changes ``net`` in place.

    Raises
    ------
    InputError
        A spec is invalid; the message starts with ``hazards[i]``.
    """
    gen = _generator(rng)
    parsed = [parse_hazard(s, f"hazards[{i}]") for i, s in enumerate(specs)]
    ctx = _context(net, context)
    outages: list[Outage] = []
    notes: list[str] = []
    tables = []
    for i, spec in enumerate(parsed):
        try:
            one = draw(net, spec, gen, context=ctx)
        except InputError as exc:
            raise InputError(f"hazards[{i}].{exc}") from None
        outages += one.outages
        notes += one.notes
        tables.append(one.probabilities.assign(hazard=f"{i}:{spec.type}"))
    table = (pd.concat(tables, ignore_index=True) if tables
             else empty_table().assign(failed=False, hazard=""))
    return HazardDraw(tuple(unique_outages(outages)), tuple(notes), table)


def peak_ground_acceleration(spec: Earthquake | Mapping[str, Any], lat, lon,
                             data_dir: str | Path | None = None) -> np.ndarray:
    """Median PGA (g) of an earthquake at sites ``lat``, ``lon`` (arrays of degrees)."""
    spec = parse_hazard(spec)
    if not isinstance(spec, Earthquake):
        raise InputError(f"type: peak_ground_acceleration needs an earthquake, got {spec.type!r}")
    return earthquake_pga(spec, lat, lon, hazard_parameters("earthquake", data_dir))
