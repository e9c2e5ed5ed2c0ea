"""Property tests (hypothesis) of the severity engine.

- The classifier agrees with an independent exact-arithmetic reference (fractions of the decimal
  inputs, bands typed in from the Chinese text §1.5), boundaries included.
- More load shed or more customers out never lowers the level.
- The batch classifier equals the one-event classifier on 10,000 random scenarios.
- Shares lie in [0, 100] %; margins point the right way and do what they say.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outage_sim.grid import grid_totals
from outage_sim.severity import (
    Area,
    Event,
    classify,
    classify_batch,
    npct_to_pct,
    share_npct,
    whole_grid_event,
)

EDGES_PCT = [5, 10, 15, 20, 30, 40, 50, 60, 70]

# Independent reference: (lower bound %, rank) typed in from §1.5.1-§1.5.4 of the Chinese text.
REF_MAIN = {"load_shed": [(50, 4), (20, 3), (10, 2), (5, 1)],
            "customers_out": [(60, 4), (30, 3), (15, 2), (10, 1)]}
REF_LARGE = {"load_shed": [(60, 2), (40, 1)], "customers_out": [(70, 2), (50, 1)]}
REF_SMALL = {"load_shed": [(40, 1)], "customers_out": [(50, 1)]}
PAIRS = {"load_shed": ("shed_mw", "load_mw"), "customers_out": ("customers_out", "customers")}


def ref_rank(main: dict, districts: list[dict]) -> int:
    def level(fig: dict, table: dict) -> int:
        best = 0
        for measure, bands in table.items():
            part, whole = (Fraction(fig[k]) for k in PAIRS[measure])
            if whole:
                share = part * 100 / whole
                best = max(best, next((r for low, r in bands if share >= low), 0))
        return best

    ranks = [level(main, REF_MAIN)]
    ranks += [level(d, REF_LARGE if Fraction(d["load_mw"]) >= 150 else REF_SMALL)
              for d in districts]
    return max(ranks)


@st.composite
def pair(draw, whole_max: int, integral: bool) -> tuple[Decimal, Decimal]:
    """(part, whole), often exactly on a band edge in decimal, or one step either side."""
    if integral:
        whole = Decimal(draw(st.integers(0, whole_max)))
        step = Decimal(1)
    else:
        whole = draw(st.decimals(0, whole_max, places=2))
        step = Decimal("0.0001")
    kind = draw(st.sampled_from(["edge", "below", "above", "any", "zero", "all"]))
    if kind in ("edge", "below", "above"):
        part = whole * draw(st.sampled_from(EDGES_PCT)) / 100
        if integral:
            part = part.to_integral_value()
        part += {"edge": 0, "below": -step, "above": step}[kind]
    elif kind == "any":
        part = whole * draw(st.decimals(0, 1, places=4))
        part = part.to_integral_value() if integral else part.quantize(step)
    else:
        part = whole if kind == "all" else Decimal(0)
    return min(max(part, Decimal(0)), whole), whole


@st.composite
def figures(draw, name: str | None = None, load_max: int = 2000) -> dict:
    shed, load = draw(pair(load_max, integral=False))
    if name is not None and draw(st.booleans()):  # districts near the 150 MW split
        load = draw(st.sampled_from([Decimal("149.99"), Decimal(150), Decimal("150.01")]))
        shed = min(shed, load) if not draw(st.booleans()) else (
            load * draw(st.sampled_from([40, 60])) / 100)
    out, customers = draw(pair(1_000_000, integral=True))
    fig = {"load_mw": load, "shed_mw": shed, "customers": customers, "customers_out": out}
    return fig if name is None else {"name": name, **fig}


@st.composite
def events(draw) -> tuple[dict, list[dict]]:
    """(decimal figures for the reference, the JSON-like event with floats)."""
    n = draw(st.integers(0, 6))
    districts = [draw(figures(name=f"区{i}")) for i in range(n)]
    main = draw(figures(load_max=30000)) if (n == 0 or draw(st.booleans())) else None
    if main is not None and districts:  # the main grid holds its districts (design.md)
        for part, whole in PAIRS.values():
            main[whole] = max(main[whole], sum(d[whole] for d in districts))
            main[part] = max(main[part], sum(d[part] for d in districts))
    return main, districts


def as_json(main: dict | None, districts: list[dict]) -> dict:
    def conv(fig: dict) -> dict:
        return {k: (v if k == "name" else float(v)) for k, v in fig.items()}

    obj: dict = {"districts": [conv(d) for d in districts]}
    if main is not None:
        obj["main"] = conv(main)
    return obj


def exact_main(main: dict | None, districts: list[dict]) -> dict:
    """The main grid as design.md defines it: given, or the built-in model's load and customers
    with the districts' shed and customers out."""
    if main is not None:
        return main
    totals = grid_totals()
    return {"load_mw": Decimal(str(totals.load_mw)), "customers": Decimal(totals.customers),
            **{k: sum((d[k] for d in districts), Decimal(0)) for k in ("shed_mw",
                                                                       "customers_out")}}


@given(events())
@settings(max_examples=400, deadline=None)
def test_agrees_with_exact_decimal_reference(ev):
    main, districts = ev
    sev = classify(as_json(main, districts))
    assert sev.level_rank == ref_rank(exact_main(main, districts), districts)
    for c in sev.criteria:
        part, whole = (Fraction(f) for f in (c.part, c.whole))
        assert 0 <= c.value_pct <= 100
        assert abs(Fraction(c.value_pct) - part * 100 / whole) < Fraction(1, 10**9)


@given(st.lists(st.tuples(st.floats(0, 1e7), st.floats(0, 1)), min_size=1, max_size=50))
def test_shares_lie_between_0_and_100_pct(pairs):
    whole = np.array([w for w, _ in pairs])
    part = np.minimum(whole * np.array([f for _, f in pairs]), whole)
    npct = share_npct(part, whole)
    empty = whole == 0
    assert np.isnan(npct[empty]).all()  # 0 of 0: no share, reaches no band
    assert ((npct[~empty] >= 0) & (npct[~empty] <= 100 * 10**9)).all()
    assert all(0 <= npct_to_pct(v) <= 100 for v in npct)


def _bump(obj: dict, where: str, measure: str, fraction: float) -> dict:
    """Raise a figure by a fraction of what is left (and the explicit main grid with it)."""
    part_key, whole_key = PAIRS[measure]
    new = {"districts": [dict(d) for d in obj["districts"]]}
    if "main" in obj:
        new["main"] = dict(obj["main"])
    target = new["main"] if where == "main" else new["districts"][int(where)]
    extra = (target[whole_key] - target[part_key]) * fraction
    target[part_key] = min(target[part_key] + extra, target[whole_key])
    if where != "main" and "main" in new:
        new["main"][part_key] = min(new["main"][part_key] + extra, new["main"][whole_key])
    return new


@given(events(), st.data(), st.sampled_from(["load_shed", "customers_out"]),
       st.floats(0, 1))
@settings(max_examples=300, deadline=None)
def test_more_shed_or_customers_out_never_lowers_the_level(ev, data, measure, fraction):
    obj = as_json(*ev)
    scopes = (["main"] if "main" in obj else []) + [str(i) for i in range(len(obj["districts"]))]
    where = data.draw(st.sampled_from(scopes))
    before = classify(obj).level_rank
    after = classify(_bump(obj, where, measure, fraction)).level_rank
    assert after >= before


@given(events())
@settings(max_examples=300, deadline=None)
def test_margins_do_what_they_say(ev):
    """Each raise option alone lifts the level; all lower requirements together drop it to
    ``lower_rank`` (other figures held, so a derived main grid is pinned as explicit figures)."""
    obj = as_json(*ev)
    sev = classify(obj)
    pinned = {"districts": obj["districts"],
              "main": {f: getattr(sev.event.main, f) for f in PAIRS["load_shed"]
                       + PAIRS["customers_out"]}}
    assert classify(pinned).level_rank == sev.level_rank

    def edited(changes):
        # margins hold the other figures as they are, even where that leaves the main grid
        # below its districts: a checked Event is classified as it stands (no input check)
        new = {"main": dict(pinned["main"]), "districts": [dict(d) for d in obj["districts"]]}
        for m, value in changes:
            target = new["main"] if m.scope == "main" else next(
                d for d in new["districts"] if d["name"] == m.scope)
            target[PAIRS[m.measure][0]] = value
        return Event(Area("main", **new["main"]), tuple(Area(**d) for d in new["districts"]))

    for m in sev.raise_options:
        assert m.change > 0 and m.level_rank > sev.level_rank
        assert classify(edited([(m, m.current + m.change)])).level_rank >= m.level_rank
    if sev.level_rank == 0:
        assert sev.lower_rank is None and sev.lower_requirements == ()
        return
    assert sev.lower_rank < sev.level_rank
    assert all(m.change <= 0 for m in sev.lower_requirements)
    # cutting each by exactly the margin leaves it on the bound: the level holds
    assert classify(edited([(m, m.boundary) for m in sev.lower_requirements])).level_rank == \
        sev.level_rank
    beyond = [(m, max(0.0, m.boundary - 1e-6 * max(m.boundary / m.boundary_pct * 100, 1.0)))
              for m in sev.lower_requirements]
    assert classify(edited(beyond)).level_rank == sev.lower_rank


def _scenarios(rng: np.random.Generator, n: int, d: int) -> dict[str, np.ndarray]:
    """Random district figures with many shares exactly on (or one step off) band edges."""
    kind = rng.choice(3, (n, d), p=[0.45, 0.45, 0.1])  # below, above, on the 150 MW split
    load = np.round(np.where(kind == 0, rng.uniform(0, 149.99, (n, d)),
                             np.where(kind == 1, rng.uniform(150, 2000, (n, d)), 150.0)), 2)
    edge = rng.choice(EDGES_PCT + [0, 100], (n, d)) / 100
    nudge = rng.choice([0, -1e-4, 1e-4], (n, d))
    shed = np.clip(np.round(load * edge + nudge, 4), 0, load)
    random = rng.random((n, d)) < 0.3
    shed[random] = np.minimum(np.round(load[random] * rng.random(random.sum()), 3),
                              load[random])
    customers = np.round(rng.uniform(0, 1e6, (n, d)))
    out = np.clip(np.round(customers * rng.choice(EDGES_PCT + [0, 100], (n, d)) / 100)
                  + rng.choice([0, -1, 1], (n, d)), 0, customers)
    return {"load_mw": load, "shed_mw": shed, "customers": customers, "customers_out": out}


@given(st.integers(0, 2**32 - 1), st.booleans())
@settings(max_examples=2, deadline=None, suppress_health_check=[HealthCheck.too_slow])
def test_batch_equals_one_event_on_10000_scenarios(seed, derived_main):
    n, d = 10_000, 4
    rng = np.random.default_rng(seed)
    districts = _scenarios(rng, n, d)
    main = None
    if not derived_main:  # district sums put on the main grid's own edges now and then
        main_load = np.round(rng.uniform(1000, 30000, n), 2)
        main_shed = np.clip(np.round(main_load * rng.choice(EDGES_PCT + [0], n) / 100, 4)
                            + rng.choice([0, -1e-4, 1e-4], n), 0, main_load)
        main_out = np.round(1.5e7 * rng.choice(EDGES_PCT + [0], n) / 100)
        # the main grid holds its districts (design.md)
        main_load = np.maximum(main_load, districts["load_mw"].sum(axis=1))
        main_shed = np.maximum(main_shed, districts["shed_mw"].sum(axis=1))
        main_out = np.maximum(main_out, districts["customers_out"].sum(axis=1))
        main = {"load_mw": main_load, "shed_mw": main_shed, "customers": 1.5e7,
                "customers_out": main_out}
    names = [f"区{i}" for i in range(d)]
    batch = classify_batch(districts, main, district_names=names, chunk_size=977)
    assert len(set(batch.rank.tolist())) >= 3
    for i in range(n):
        obj: dict = {"districts": [{"name": names[k], **{f: float(v[i, k]) for f, v in
                                                          districts.items()}}
                                   for k in range(d)]}
        if main is not None:
            obj["main"] = {f: float(np.broadcast_to(v, (n,))[i]) for f, v in main.items()}
        sev = classify(obj if main is not None else whole_grid_event(
            [Area(**d) for d in obj["districts"]]))
        assert sev.level_rank == batch.rank[i], i
        scope = int(batch.decided_scope[i])
        if sev.decided_by is None:
            assert (scope, batch.decided_measure[i]) == (-2, -1)
        else:
            assert sev.decided_by.scope == ("main" if scope == -1 else names[scope])
            assert ["load_shed", "customers_out"][batch.decided_measure[i]] == \
                sev.decided_by.measure
