"""Fragility curves and the ground-motion relation of the hazard models, as array functions.

Pure functions of numbers (no net, no files): each takes the intensity and the parameters read
from ``data/hazards/*.yaml`` and returns probabilities, vectorised over numpy arrays. They are
monotone non-decreasing in the intensity, which the property tests check.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from scipy.special import ndtr

DAMAGE_STATES = ("slight", "moderate", "extensive", "complete")
G_CM_S2 = 980.665  # standard gravity, cm/s²


def lognormal_cdf(x, median: float | np.ndarray, beta: float | np.ndarray) -> np.ndarray:
    """Φ(ln(x / median) / β), and 0 where ``x <= 0``."""
    x = np.asarray(x, dtype=float)
    safe = np.where(x > 0, x, 1.0)
    with np.errstate(divide="ignore"):  # a vanishing x / median gives log 0 = -inf, Φ = 0: right
        return np.where(x > 0, ndtr(np.log(safe / median) / beta), 0.0)


def fail_over_units(p_unit, units) -> np.ndarray:
    """``1 − (1 − p)^units``: the chance that at least one of ``units`` independent units fails.

    ``units`` may be fractional (route km / tower spacing); computed as ``−expm1(units·log1p(−p))``
    so that tiny probabilities keep their precision.
    """
    p = np.clip(np.asarray(p_unit, dtype=float), 0.0, 1.0 - 1e-15)
    return -np.expm1(np.asarray(units, dtype=float) * np.log1p(-p))


def ice_load_ratio(thickness_mm, design_mm, diameter_mm) -> np.ndarray:
    """Ice load relative to the design ice load, ``b(b+d) / (b_d(b_d+d))``.

    The weight of radial glaze ice of thickness ``b`` on a conductor of diameter ``d`` is
    ``0.9·π·b·(b+d)·1e-3`` kg/m; the constant cancels in the ratio.
    """
    b = np.maximum(np.asarray(thickness_mm, dtype=float), 0.0)
    bd = np.asarray(design_mm, dtype=float)
    d = np.asarray(diameter_mm, dtype=float)
    return b * (b + d) / (bd * (bd + d))


def ice_p_per_km(thickness_mm, design_mm, diameter_mm, median_ratio: float, beta: float,
                 p_max: float) -> np.ndarray:
    """Per-km failure probability of a line under radial ice: ``p_max · Φ(ln(R / R50) / β)``."""
    ratio = ice_load_ratio(thickness_mm, design_mm, diameter_mm)
    return p_max * lognormal_cdf(ratio, median_ratio, beta)


def tower_wind_p(gust_ms, v50_ms: float = 45.0, slope: float = 6.66) -> np.ndarray:
    """Tower failure probability ``Φ(slope · ln(V / v50))`` (0 at no wind)."""
    return lognormal_cdf(gust_ms, v50_ms, 1.0 / slope)


def rainfall_p_per_km(rain_mm, rain50_mm: float, beta: float, p_max: float) -> np.ndarray:
    """Per-km landslide failure probability ``p_max · Φ(ln(rain / rain50) / β)``."""
    return p_max * lognormal_cdf(rain_mm, rain50_mm, beta)


def flood_p(rise_m, margin_m, band_m: float) -> np.ndarray:
    """Probability that water ``rise_m`` above normal floods a site with ``margin_m`` (±band).

    Rises linearly from 0 at ``margin − band`` to 1 at ``margin + band`` (margin known to ±band).
    """
    rise = np.asarray(rise_m, dtype=float)
    return np.clip((rise - np.asarray(margin_m, dtype=float) + band_m) / (2.0 * band_m), 0.0, 1.0)


def mw_to_ms(mw: float, conversion: Mapping) -> float:
    """Surface-wave magnitude from moment magnitude (Cheng et al. 2017, two linear pieces)."""
    a, b = conversion["low"] if mw < float(conversion["switch_mw"]) else conversion["high"]
    return (mw - float(a)) / float(b)


def _yu_ln(ms: float, r_km: np.ndarray, c: Sequence[float]) -> np.ndarray:
    a, b, cc, d, e = (float(v) for v in c)
    return a + b * ms + cc * np.log(r_km + d * np.exp(e * ms))


def yu2013_pga_g(ms: float, repi_km, depth_km: float, coeffs: Sequence[float],
                 switch: float = 6.5) -> np.ndarray:
    """Median PGA (g) of the Yu et al. (2013) relation, orientation-averaged.

    Parameters
    ----------
    ms
        Surface-wave magnitude.
    repi_km
        Epicentral distances (km).
    depth_km
        Focal depth; the relation is evaluated at ``R = sqrt(Repi² + depth²)``.
    coeffs
        20 numbers ``a b c d e ua ub uc ud ue ma mb mc md me ia ib ic id ie`` (long axis for
        M ≤ switch and M > switch, short axis likewise) in natural-log units of cm/s².
    switch
        Magnitude above which the ``u*``/``i*`` sets apply.

    Returns
    -------
    numpy.ndarray
        PGA in g: the geometric mean of the long- and short-axis values.

    Notes
    -----
    The paper (and OpenQuake's ``YuEtAl2013Ms``) solve for the equal-intensity ellipse through
    the site given the fault strike; without a strike this takes the geometric mean of the two
    axes at the same distance. Above ``switch`` the value is at least that of the lower set at
    ``switch``, so PGA never falls as the magnitude rises across the change of coefficients.
    """
    c = [float(v) for v in coeffs]
    if len(c) != 20:
        raise ValueError(f"Yu et al. (2013) needs 20 coefficients, got {len(c)}")
    r = np.sqrt(np.asarray(repi_km, dtype=float) ** 2 + float(depth_km) ** 2)

    def ln_pga(m: float, high: bool) -> np.ndarray:
        long_, short = (c[5:10], c[15:20]) if high else (c[0:5], c[10:15])
        return 0.5 * (_yu_ln(m, r, long_) + _yu_ln(m, r, short))

    if ms > switch:
        ln = np.maximum(ln_pga(ms, True), ln_pga(switch, False))
    else:
        ln = ln_pga(ms, False)
    return np.exp(ln) / G_CM_S2


def hazus_exceedance(pga_g, curves: Mapping[str, Sequence[float]], extra_beta: float = 0.0
                     ) -> np.ndarray:
    """P(damage ≥ state) for each HAZUS damage state, columns in :data:`DAMAGE_STATES` order.

    Parameters
    ----------
    pga_g
        Peak ground acceleration (g), any shape ``(n,)``.
    curves
        ``{state: [median_g, beta]}`` for the four states.
    extra_beta
        Extra lognormal dispersion (e.g. the GMPE sigma) combined as ``sqrt(β² + extra²)``.

    Notes
    -----
    Lognormal curves with different β can cross far in the tail; the exceedance of a state is
    raised to that of the next worse one there, so that P(≥ moderate) ≥ P(≥ extensive) always.
    """
    pga = np.atleast_1d(np.asarray(pga_g, dtype=float))
    cols = []
    for state in DAMAGE_STATES:
        median, beta = (float(v) for v in curves[state])
        cols.append(lognormal_cdf(pga, median, np.hypot(beta, extra_beta)))
    p = np.stack(cols, axis=1)
    return np.maximum.accumulate(p[:, ::-1], axis=1)[:, ::-1]


def damage_state(u: np.ndarray, exceedance: np.ndarray) -> np.ndarray:
    """Damage state index (0 none, 1 slight … 4 complete) for uniforms ``u`` against exceedances."""
    return (np.asarray(u)[:, None] < exceedance).sum(axis=1)
