"""Vectorised Monte-Carlo draws (performance issue, part 3): the same marginal failure
probabilities as the per-element model, the same draw whatever the chunks, a sample replayed
through the single draw, and drawing that needs no pandapower."""

from __future__ import annotations

import itertools
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from outage_sim.hazards import (
    DRAW_BLOCK,
    DrawTable,
    SampleStream,
    draw_block_failures,
    draw_table_failures,
    failure_matrix,
    sample_failures,
)
from outage_sim.studies import load_scenario
from outage_sim.studies.mc_chunk import cut_shares, draw_matrix
from outage_sim.studies.montecarlo import dask_chunk, prepare

N = 20_000  # samples in the statistical tests (fixed seeds: the tests are deterministic)
Z = 5.0     # half-width in binomial standard deviations (≈ 6e-7 two-sided per element)


def _within_binomial(count: np.ndarray, n: int, p: np.ndarray) -> np.ndarray:
    """Whether each observed count is within Z standard deviations of n·p (+1 for rounding)."""
    return np.abs(count - n * p) <= Z * np.sqrt(n * p * (1 - p)) + 1


@pytest.fixture(scope="module")
def ice():
    return prepare(load_scenario("ice_storm_2008"))


def test_each_line_fails_as_often_as_its_fragility_says(ice):
    (table,) = ice.tables
    assert table.p_fail.min() > 0 and table.p_fail.max() < 1  # a real spread of probabilities
    (failed,) = draw_table_failures(ice.tables, 2008, 0, N)
    ok = _within_binomial(failed.sum(axis=0), N, table.p_fail)
    assert ok.all(), f"rows off their probability: {np.flatnonzero(~ok)}"
    # rows of a group (circuits on shared towers) share a uniform: Cov(i, j) = min(p) − p_i·p_j
    # within a group, 0 across groups; the count of failures has that mean and variance
    k = failed.sum(axis=1)
    p, same = table.p_fail, table.codes[:, None] == table.codes[None, :]
    var = float((np.where(same, np.minimum.outer(p, p) - np.outer(p, p), 0.0)).sum())
    assert same.sum() > len(p)  # some groups have several rows
    assert abs(k.mean() - p.sum()) <= Z * np.sqrt(var / N)
    assert k.var() == pytest.approx(var, rel=0.1)  # sd of a sample variance here: about 2 %


def test_groups_fail_together_and_k_of_n_picks_exactly_k():
    table = pd.DataFrame({"p_fail": [0.3, 0.3, 0.05, 0.5, 0.5, 0.5, 0.5],
                          "group": ["s1", "s1", "s2", "x1", "x2", "x3", "x4"],
                          "choose": [0, 0, 0, 2, 2, 2, 2]})
    t = DrawTable.from_table(table)
    (failed,) = draw_table_failures((t,), 7, 0, N)
    assert (failed[:, 0] == failed[:, 1]).all()   # a substation's buses share one uniform
    assert (failed[:, 3:].sum(axis=1) == 2).all()  # external damage: exactly k of the set
    assert _within_binomial(failed.sum(axis=0), N, t.p_fail).all()


def test_distribution_blocks_fail_by_their_probabilities(ice):
    p_110, p_feeder, feeders, _ = ice.distribution
    lost, failed = draw_block_failures(p_110, p_feeder, feeders, 5, 0, N)
    assert _within_binomial(lost.sum(axis=0), N, p_110).all()
    # feeders failed per block: the mean of a binomial(feeders, p), within Z standard errors
    sd = np.sqrt(feeders * p_feeder * (1 - p_feeder) / N)
    assert (np.abs(failed.mean(axis=0) - feeders * p_feeder) <= Z * sd + 1e-12).all()
    assert (failed <= feeders).all()


@pytest.mark.parametrize("cuts", [(0, 1, 499, 500, 501, 1700), (0, 37, 1024, 1700), (0, 1700)])
def test_a_sample_draws_the_same_whatever_the_chunks(ice, cuts):
    whole = draw_matrix(ice, 11, 0, 1700)
    parts = [draw_matrix(ice, 11, a, b) for a, b in itertools.pairwise(cuts)]
    for name in ("branch", "bus", "unit", "fixed"):
        assert (np.concatenate([getattr(p, name) for p in parts]) == getattr(whole, name)).all()
    assert whole.branch.any()
    cut = np.concatenate([cut_shares(ice, 11, a, b) for a, b in itertools.pairwise(cuts)])
    assert np.array_equal(cut, cut_shares(ice, 11, 0, 1700))
    other = draw_matrix(ice, 12, 0, 1700)
    assert not np.array_equal(other.branch, whole.branch)


def test_the_single_draw_replays_a_sample(ice):
    """``sample_failures`` with a sample's :class:`SampleStream` gives that sample's row."""
    (t,) = ice.tables
    table = pd.DataFrame({"p_fail": t.p_fail, "group": t.codes, "choose": t.choose})
    (failed,) = draw_table_failures(ice.tables, 3, DRAW_BLOCK - 2, DRAW_BLOCK + 2)
    for k, i in enumerate(range(DRAW_BLOCK - 2, DRAW_BLOCK + 2)):
        one, _ = sample_failures(table, SampleStream(3, i))
        assert np.array_equal(one, failed[k])


def test_one_row_of_failure_matrix_is_the_single_draw_rule():
    table = pd.DataFrame({"p_fail": [0.2, 0.9, 0.5], "group": [0, 1, 2], "choose": [0, 0, 0]})
    u = np.array([[0.1, 0.95, 0.49]])
    assert failure_matrix(u, DrawTable.from_table(table)).tolist() == [[True, False, True]]


def test_dask_chunks_are_large_enough_to_pay_and_few_per_worker():
    assert dask_chunk(1_000_000, 2) == 20_000
    assert dask_chunk(100_000, 2) == 12_500
    assert dask_chunk(1000, 2) == 2000


def test_drawing_needs_no_pandapower():
    code = ("import sys; import numpy as np\n"
            "from outage_sim.hazards import DrawTable, draw_table_failures, draw_block_failures\n"
            "t = DrawTable(np.full(5, .5), np.arange(5), np.zeros(5, int), 5)\n"
            "draw_table_failures((t,), 1, 0, 10)\n"
            "draw_block_failures(np.full(3, .1), np.full(3, .1), np.full(3, 4), 1, 0, 10)\n"
            "assert 'pandapower' not in sys.modules, 'pandapower loaded'")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr


def _worker_task(setup):
    """On a worker: run a chunk, then report whether pandapower was ever imported there."""
    from outage_sim.studies.mc_chunk import run_chunk

    run_chunk(setup, 1, 0, 50)
    return "pandapower" in sys.modules


@pytest.mark.slow  # starts a local cluster (about 10 s on 2 cores)
def test_dask_workers_never_import_pandapower(ice):
    pytest.importorskip("dask.distributed")
    from outage_sim.studies.montecarlo import _dask_client

    with _dask_client(1, None) as client:
        assert client.submit(_worker_task, ice, pure=False).result() is False
