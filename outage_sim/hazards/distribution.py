"""Failures beneath the transmission model: 110 kV lines and 10 kV feeders.

The grid model's ``distribution.csv`` (:func:`outage_sim.grid.distribution_blocks`) describes, under
every 220 kV station, its 110 kV stations as blocks of 10 kV feeders. The hazards that hit
distribution (ice, wind, landslide) fail a block's 110 kV supply and its feeders by their own
fragility (``outage_sim/data/hazards/distribution.yaml``); no power flow is run for them. A block
is dark when its 110 kV supply fails (both lines of a dual-supplied station), else the share of
its feeders that failed is dark. The draw uses its own random stream (seed, 110), after and apart
from the transmission draw, so the transmission outages of a seed are those ``run --seed`` gives.

:func:`block_probabilities` gives the probabilities per block; :func:`sample_blocks` draws one
seed's stream each (a Monte-Carlo sweep draws whole blocks of samples at once,
:func:`outage_sim.hazards.draw_block_failures`); :func:`load_fractions` maps the blocks' dark shares onto
the net's loads (share of each 220 kV station's load, every class alike).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from outage_sim.hazards.data import by_voltage, district_zones, hazard_parameters, parameter
from outage_sim.hazards.draws import dark_share, draw_block_failures, load_fractions
from outage_sim.hazards.fragility import ice_p_per_km, rainfall_p_per_km, tower_wind_p
from outage_sim.hazards.specs import HazardSpec, IceStorm, Landslide, WindStorm

if TYPE_CHECKING:  # pandapower only in annotations: array workers never load it
    import pandapower as pp

DISTRIBUTION_CAUSES = {"ice_storm": "ice", "wind_storm": "wind", "landslide": "geological"}
STREAM = 110  # the distribution draw's own stream: SeedSequence([seed, STREAM])


@dataclass(frozen=True)
class BlockProbabilities:
    """Per block (row of ``distribution.csv``): P(110 kV supply lost), P(a feeder fails), and the
    hazard's cause (the first hazard that reaches the block)."""

    p_110: np.ndarray
    p_feeder: np.ndarray
    cause: np.ndarray

    @property
    def exposed(self) -> bool:
        return bool((self.p_110 > 0).any() or (self.p_feeder > 0).any())


def _levels(spec: HazardSpec, blocks: pd.DataFrame) -> np.ndarray:
    """The hazard's intensity in each block's district (0 outside); a landslide without
    districts rains on the model's mountain counties, as for the transmission lines."""
    if not isinstance(spec, (IceStorm, WindStorm, Landslide)):  # no intensity per district
        return np.zeros(len(blocks))
    default = None
    if isinstance(spec, Landslide) and spec.districts is None:
        zone = str(parameter(hazard_parameters("landslide"), "default_zone", "landslide"))
        default = [d for d, z in district_zones().items() if z == zone]
    return blocks["district"].map(spec.levels(default)).fillna(0.0).to_numpy(float)


def _per_km(spec: HazardSpec, x: np.ndarray, kv: float, prm: dict) -> np.ndarray:
    """Failure probability per km of overhead route at intensity ``x`` for a voltage."""
    if isinstance(spec, IceStorm):
        design = by_voltage(parameter(prm, "design_ice_mm", "distribution"), kv, "distribution",
                            "design_ice_mm")
        diam = by_voltage(parameter(prm, "conductor_diameter_mm", "distribution"), kv,
                          "distribution", "conductor_diameter_mm")
        pmax = by_voltage(parameter(prm, "ice_p_per_km_max", "distribution"), kv, "distribution",
                          "ice_p_per_km_max")
        return ice_p_per_km(x, design, diam, float(prm["ice_median_load_ratio"]),
                            float(prm["ice_beta"]), float(pmax))
    if isinstance(spec, WindStorm):
        v50 = by_voltage(parameter(prm, "wind_v50_ms", "distribution"), kv, "distribution", "wind_v50_ms")
        unit = by_voltage(parameter(prm, "wind_unit_km", "distribution"), kv, "distribution", "wind_unit_km")
        p_unit = float(prm["wind_p_unit_max"]) * tower_wind_p(x, float(v50), float(prm["wind_slope"]))
        return -np.expm1(np.log1p(-np.clip(p_unit, 0, 1 - 1e-12)) / float(unit))
    slide = hazard_parameters("landslide")
    pmax = by_voltage(parameter(prm, "landslide_p_per_km_max", "distribution"), kv, "distribution",
                      "landslide_p_per_km_max")
    return rainfall_p_per_km(x, float(slide["rainfall50_mm_24h"]), float(slide["beta"]), float(pmax))


def block_probabilities(blocks: pd.DataFrame, specs: Iterable[HazardSpec]) -> BlockProbabilities:
    """P(110 kV supply lost) and P(one feeder fails) per block, over the scenario's hazards
    (independent: ``1 − Π(1 − p)``); hazards that do not hit distribution add nothing."""
    n = len(blocks)
    keep110, keepf = np.ones(n), np.ones(n)
    cause = np.full(n, "", dtype=object)
    if not n:
        return BlockProbabilities(np.zeros(0), np.zeros(0), cause)
    prm = hazard_parameters("distribution")
    overhead = blocks["overhead_share"].to_numpy(float)
    km110 = blocks["line_km_110"].to_numpy(float) * overhead
    kmf = blocks["feeder_km"].to_numpy(float) * overhead
    dual = (blocks["supply"].astype(str) == "dual").to_numpy()
    common = float(parameter(prm, "dual_supply_common_mode", "distribution"))
    for spec in specs:
        if spec.type not in DISTRIBUTION_CAUSES:
            continue
        x = _levels(spec, blocks)
        line = -np.expm1(km110 * np.log1p(-np.clip(_per_km(spec, x, 110.0, prm), 0, 1 - 1e-12)))
        p110 = np.where(dual, line * (common + (1 - common) * line), line)
        pf = -np.expm1(kmf * np.log1p(-np.clip(_per_km(spec, x, 10.0, prm), 0, 1 - 1e-12)))
        hit = (p110 > 0) | (pf > 0)
        cause = np.where(hit & (cause == ""), DISTRIBUTION_CAUSES[spec.type], cause)
        keep110 *= 1 - p110
        keepf *= 1 - pf
    return BlockProbabilities(1 - keep110, 1 - keepf, cause)


def sample_blocks(probs: BlockProbabilities, feeders: np.ndarray, seeds: Iterable[int]
                  ) -> tuple[np.ndarray, np.ndarray]:
    """Per seed and block: whether the 110 kV supply failed, and how many feeders failed
    (binomial), each seed on its own stream (``SeedSequence([seed, STREAM])``)."""
    seeds = list(seeds)
    lost = np.zeros((len(seeds), len(feeders)), bool)
    failed = np.zeros((len(seeds), len(feeders)), np.int64)
    if not probs.exposed:
        return lost, failed
    for s, seed in enumerate(seeds):
        rng = np.random.default_rng(np.random.SeedSequence([int(seed), STREAM]))
        lost[s] = rng.random(len(feeders)) < probs.p_110
        failed[s] = rng.binomial(feeders, probs.p_feeder)
    return lost, failed


def block_load_matrix(net: pp.pandapowerNet, blocks: pd.DataFrame) -> np.ndarray:
    """(blocks × loads): each block's share of each load at its 220 kV station (the blocks of a
    station share its load by their ``peak_mw``); zero where a station is not in the net."""
    bus_of = dict(zip(net.bus["name"].astype(str), net.bus.index))
    share = blocks["peak_mw"].to_numpy(float)
    station = blocks["station"].astype(str).to_numpy()
    total = pd.Series(share).groupby(station).transform("sum").to_numpy()
    weight = np.divide(share, total, out=np.zeros_like(share), where=total > 0)
    out = np.zeros((len(blocks), len(net.load)))
    load_bus = net.load["bus"].to_numpy()
    for k, st in enumerate(station):
        b = bus_of.get(st)
        if b is not None:
            out[k, load_bus == b] = weight[k]
    return out


@dataclass(frozen=True, eq=False)
class DistributionDraw:
    """One realisation beneath the transmission model.

    ``blocks`` is ``distribution.csv`` with ``lost_110`` (its 110 kV supply failed),
    ``feeders_failed``, ``dark_share`` and ``cause`` for this draw; ``load_share`` the share of each
    net load cut off (net.load order) and ``load_cause`` why.
    """

    blocks: pd.DataFrame
    load_share: np.ndarray
    load_cause: np.ndarray

    @property
    def any(self) -> bool:
        return bool((self.load_share > 0).any())

    def summary(self) -> dict:
        """Counts for notes and result.json: blocks, 110 kV supplies and feeders failed, and the
        customers they cut off (before any transmission outage is taken into account)."""
        b = self.blocks
        return {"blocks_hit": int((b.dark_share > 0).sum()), "lost_110kv": int(b.lost_110.sum()),
                "feeders_failed": int(b.feeders_failed.sum()),
                "customers_cut": int(np.rint((b.dark_share * b.customers).sum()))}


def draw_distribution(net: pp.pandapowerNet, blocks: pd.DataFrame, specs: Iterable[HazardSpec],
                      seed: int | None, sample: int | None = None) -> DistributionDraw | None:
    """The distribution failures of one seed (with ``sample``: of Monte-Carlo sample ``sample``
    of master seed ``seed``), or None when no hazard reaches distribution."""
    specs = list(specs)
    if not len(blocks) or not any(s.type in DISTRIBUTION_CAUSES for s in specs):
        return None
    probs = block_probabilities(blocks, specs)
    feeders = blocks["feeders"].to_numpy(np.int64)
    if sample is None:
        lost, failed = sample_blocks(probs, feeders, [0 if seed is None else int(seed)])
    else:
        lost, failed = draw_block_failures(probs.p_110, probs.p_feeder, feeders,
                                           0 if seed is None else int(seed), sample, sample + 1)
    dark = dark_share(lost[0], failed[0], feeders)
    matrix = block_load_matrix(net, blocks)
    share = load_fractions(dark[None, :], matrix)[0]
    causes = np.where(dark > 0, probs.cause, "")
    # a load's cause: the cause of the block that cuts most of it
    weight = matrix * dark[:, None]
    top = weight.argmax(axis=0)
    load_cause = np.where(share > 0, np.asarray([f"distribution_{c}" for c in causes[top]], dtype=object), "")
    out = blocks.assign(lost_110=lost[0], feeders_failed=failed[0], dark_share=dark, cause=causes)
    return DistributionDraw(out, share, load_cause)
