"""The batch engine's sparse DC model (issue 18): the factorisation against a dense inverse, the
column path against the kept dense matrices, outages as index lists, cuts found by the
compensation system, and a net overloaded before the event (pre-existing overloads relieved
once, batch = single engine)."""

from __future__ import annotations

import warnings

import numpy as np
import pandapower as pp
import pandapower.networks as pn
import pytest

from outage_sim import annotate_net
from outage_sim.engine import OutageMatrix, build_dc_model, compile_batch, run_batch, shed_load
from outage_sim.engine.batch_model import pairs_chunks
from outage_sim.engine.chunk import compensate
from outage_sim.engine.sparse import DCFactor, OutagePTDF
from outage_sim.errors import InputError
from outage_sim.hazards import Outage

warnings.filterwarnings("ignore", category=FutureWarning)


@pytest.fixture(scope="module")
def case39():
    net = annotate_net(pn.case39())
    return net, compile_batch(net), compile_batch(net, dense_mb=0.0)


def _dense_ptdf(model) -> np.ndarray:
    """PTDF by a dense inverse per island (the method the factorisation replaced)."""
    n = model.n_bus
    b = np.zeros((n, n))
    for f, t, y in zip(model.br_from, model.br_to, model.br_b):
        b[f, f] += y
        b[t, t] += y
        b[f, t] -= y
        b[t, f] -= y
    x = np.zeros((n, n))
    for k in range(model.n_islands):
        rest = np.flatnonzero(model.island == k)[1:]
        x[np.ix_(rest, rest)] = np.linalg.inv(b[np.ix_(rest, rest)])
    return model.br_b[:, None] * (x[model.br_from] - x[model.br_to])


def test_factorised_ptdf_and_columns_equal_a_dense_inverse(case39):
    net, _, _ = case39
    model = build_dc_model(net)
    ref = _dense_ptdf(model)
    sparse = model.factor(dense_mb=0.0)
    dense = model.factor(dense_mb=100.0)
    assert sparse.dense() is None and dense.dense() is not None
    p = np.random.default_rng(0).normal(size=(7, model.n_bus))
    for fac in (sparse, dense):
        np.testing.assert_allclose(fac.ptdf_matrix(), ref, atol=1e-9)
        np.testing.assert_allclose(fac.flows(p), p @ ref.T, atol=1e-8)
        k = np.array([3, 0, 11])
        m_ref = ref[:, model.br_from[k]] - ref[:, model.br_to[k]]
        np.testing.assert_allclose(fac.transfer_cols(k), m_ref, atol=1e-9)
        np.testing.assert_allclose(fac.ptdf_cols(np.array([5, 2])), ref[:, [5, 2]], atol=1e-9)
        np.testing.assert_allclose(fac.ptdf_rows(np.array([4, 9])), ref[[4, 9]], atol=1e-9)
    lazy = OutagePTDF.of(sparse, np.zeros(0, np.int64))  # a large net's DCModel.ptdf()
    np.testing.assert_allclose(lazy[6], ref[6], atol=1e-9)
    np.testing.assert_allclose(lazy[:, np.array([3, 1])], ref[:, [3, 1]], atol=1e-9)
    np.testing.assert_allclose(lazy @ p[0], ref @ p[0], atol=1e-8)


def test_single_engine_without_a_kept_ptdf_gives_the_same_shed(overloaded, monkeypatch):
    """Above the budget the single engine's DC model works from the factorisation alone."""
    from outage_sim.engine import state

    net, bm = overloaded
    outs = [[Outage(str(bm.br_element[k]), int(bm.br_index[k]), "", "t") for k in p]
            for p in ([0, 5], [3, 12], [7])]
    kept = [shed_load(net, o, ac_check=False).main["shed_mw"] for o in outs]
    monkeypatch.setattr(state, "DENSE_BUDGET_MB", 0.0)
    state._PTDF_CACHE.clear()
    lazy = [shed_load(net, o, ac_check=False).main["shed_mw"] for o in outs]
    np.testing.assert_allclose(lazy, kept, atol=1e-6)
    assert max(kept) > 1.0  # outages that shed


def test_outage_ptdf_columns_equal_the_ptdf_of_the_net_without_the_branches(case39):
    _, bm, _ = case39
    out = np.array([2, 17])
    post = OutagePTDF.of(bm.dc, out)
    keep = np.setdiff1d(np.arange(bm.n_branch), out)
    fac = DCFactor(bm.n_bus, bm.br_from[keep], bm.br_to[keep], bm.dc.br_b[keep], bm.dc.island)
    buses = np.array([1, 8, 20])
    np.testing.assert_allclose(post[:, buses][keep], fac.ptdf_cols(buses), atol=1e-9)
    assert not post[:, buses][out].any()
    kept = OutagePTDF.of(bm.dc, out, buses=np.array([20, 1, 8, 30]))  # columns computed at once
    np.testing.assert_allclose(kept[:, buses], post[:, buses], atol=1e-12)


def test_the_column_path_gives_the_dense_path_answer(case39):
    _, dense, sparse = case39
    rng = np.random.default_rng(3)
    pairs = np.column_stack([rng.choice(dense.n_branch, 2, replace=False) for _ in range(300)]).T
    a = run_batch(dense, OutageMatrix.from_indices(dense, branch=pairs))
    b = run_batch(sparse, OutageMatrix.from_indices(sparse, branch=pairs), chunk=97)
    np.testing.assert_allclose(a.main_shed_mw, b.main_shed_mw, atol=1e-6)
    assert (a.shed_mw > 0).any()


def test_a_two_branch_cut_is_singular_and_a_loop_pair_is_not(case39):
    _, bm, _ = case39
    # a bus fed by two branches: losing both islands it
    deg = np.bincount(np.concatenate([bm.br_from, bm.br_to]), minlength=bm.n_bus)
    two = np.flatnonzero(deg == 2)
    assert len(two)
    ends = np.flatnonzero((bm.br_from == two[0]) | (bm.br_to == two[0]))
    out = np.zeros((2, bm.n_branch), bool)
    out[0, ends] = True
    loop = np.flatnonzero(~bm.bridge)
    out[1, [loop[0], loop[-1]]] = True
    f, singular = compensate(bm, np.repeat(bm.f_base[None, :], 2, axis=0), out)
    assert singular.tolist() == [True, False]
    assert np.isfinite(f).all() and not f[out].any()


def test_index_lists_equal_outage_lists_and_pairs_come_once():
    pairs = np.concatenate(list(pairs_chunks(7, chunk=4)))
    assert len(pairs) == 21 == len({tuple(p) for p in pairs}) and (pairs[:, 0] < pairs[:, 1]).all()
    net = annotate_net(pn.case9())
    bm = compile_batch(net)
    idx = np.array([[0, 3], [2, -1]])
    outs = [[Outage(str(bm.br_element[k]), int(bm.br_index[k]), "", "test") for k in row if k >= 0]
            for row in idx]
    assert (OutageMatrix.from_indices(bm, branch=idx).branch
            == OutageMatrix.from_outages(bm, outs).branch).all()
    with pytest.raises(InputError, match="branch"):
        OutageMatrix.from_indices(bm, branch=np.array([[0, 99]]))


@pytest.fixture(scope="module")
def overloaded():
    """case39 with the three most loaded lines' ratings cut below their flow: overloaded before
    any event, as pegase nets with their own ratings are."""
    net = pn.case39()
    pp.rundcpp(net)
    loading = net.res_line.p_from_mw.abs() / (np.sqrt(3) * 345.0 * net.line.max_i_ka)
    worst = loading.sort_values().index[-3:]
    net.line.loc[worst, "max_i_ka"] = net.res_line.p_from_mw.abs()[worst] * 0.8 / (np.sqrt(3) * 345.0)
    net = annotate_net(net)
    return net, compile_batch(net)


def test_overloads_before_the_event_are_relieved_once(overloaded):
    _, bm = overloaded
    assert (np.abs(bm.f_base) <= bm.br_rating + 1e-6).all()


@pytest.mark.slow  # 200 single-engine runs (about 6 s): the default run keeps its CPU budget
def test_overloaded_net_batch_equals_single_on_random_double_outages(overloaded):
    net, bm = overloaded
    rng = np.random.default_rng(11)
    pairs = [rng.choice(bm.n_branch, 2, replace=False) for _ in range(200)]
    res = run_batch(bm, OutageMatrix.from_indices(bm, branch=np.array(pairs)))
    single = np.array([shed_load(net, [Outage(str(bm.br_element[k]), int(bm.br_index[k]), "", "t")
                                       for k in p], ac_check=False).main["shed_mw"] for p in pairs])
    assert (single > 1.0).sum() >= 5  # the test has cases that shed
    assert np.abs(single - res.main_shed_mw).max() <= 1.0
