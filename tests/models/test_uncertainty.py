"""Monte Carlo (ccgmodels.models.uncertainty): run 0 is the deterministic model, draws are
reproducible and independent of chunking, summaries are consistent, and the vectorised model
gives the analytic answers where there is one."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from ccgmodels.inputs import fields
from ccgmodels.inputs.loading import ScenarioError, check, load_scenario, validate_data
from ccgmodels.inputs.scenario import Distribution, Scenario
from ccgmodels.models import run as model
from ccgmodels.models import schemes
from ccgmodels.models import uncertainty as u

CPR = "organisations.cpr_ccg"
GROWTH = f"{CPR}.allocation.growth.programme"
PROGRAMME_BASE = 247026  # 000:L1980-L1984, 19/20 column (cpr_2019_20.yaml)


def with_ranges(name: str, ranges: dict, **overrides):
    """A bundled scenario with its uncertainty block replaced by ``ranges``, and CPR's programme
    growth one rate for every year (the tests draw it; the bundled file gives it by year)."""
    flat = {GROWTH: 0.0253} if GROWTH in ranges else {}
    return load_scenario(name, {"uncertainty": ranges, **flat, **overrides})


def rows(df, org, measure, item=""):
    sel = df[(df["org"] == org) & (df["measure"] == measure) & (df["item"] == item)]
    return sel.set_index("year")["value"]


@pytest.fixture(scope="module")
def footprint_sim():
    return u.simulate("footprint_2019_20", runs=300, seed=11)


def test_run_zero_equals_the_deterministic_model_exactly(footprint_sim):
    df = model.run_scenario(footprint_sim.scenario)
    assert len(footprint_sim.values) > 30
    for (org, measure, item), arr in footprint_sim.values.items():
        expected = rows(df, org, measure, item).reindex(footprint_sim.years).to_numpy()
        got = np.where(np.isnan(expected), np.nan, arr[0])
        np.testing.assert_array_equal(got, expected, err_msg=f"{org} {measure} {item}")
    # and the random runs do move
    assert footprint_sim.get("footprint", "do_nothing_surplus")[1:, -1].std() > 0


def test_footprint_is_the_sum_of_organisations_in_every_run(footprint_sim):
    ds = [footprint_sim.get(o, "do_something_surplus") for o in ("cpr_ccg", "southend_ccg")]
    np.testing.assert_allclose(footprint_sim.get("footprint", "do_something_surplus"),
                               ds[0] + ds[1])


def test_same_seed_gives_byte_identical_files_and_another_seed_does_not(tmp_path):
    paths = []
    for i, seed in enumerate((5, 5, 6)):
        folder = tmp_path / str(i)
        folder.mkdir()
        paths.append(u.write_summary(u.simulate("cpr_2019_20", 200, seed), folder))
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()


def test_draws_do_not_depend_on_chunk_size():
    # 1,100 runs cross the first seed block (BLOCK = 1024) so both block children are used
    a = u.simulate("cpr_2019_20", 1100, seed=3, chunk_size=100)
    b = u.simulate("cpr_2019_20", 1100, seed=3, chunk_size=10_000)
    assert a.draws.keys() == b.draws.keys() and a.draws
    for path in a.draws:
        np.testing.assert_array_equal(a.draws[path], b.draws[path])
    for key in a.values:
        np.testing.assert_array_equal(a.values[key], b.values[key])


def test_percentiles_are_ordered(footprint_sim):
    s = u.summarise(footprint_sim)
    wide = s.pivot_table(index=["org", "year", "measure", "item"], columns="stat",
                         values="value")
    wide = wide.dropna(subset=["p5"])
    cols = ["p5", "p10", "p50", "p90", "p95"]
    assert len(wide) > 100
    assert (np.diff(wide[cols].to_numpy(), axis=1) >= -1e-9).all()
    assert set(s.columns) == {"scenario", "org", "year", "measure", "item", "stat", "value",
                              "unit"}
    probs = s[s["stat"].str.startswith("prob_")]
    assert probs["value"].between(0, 1).all() and (probs["unit"] == "fraction").all()
    # every commissioner has a control total (break-even by default), so the footprint too
    assert {"cpr_ccg", "southend_ccg", "footprint"} <= set(
        probs[probs["stat"] == "prob_meets_control_total"]["org"])


def test_zero_width_ranges_make_every_run_equal_run_zero():
    s = load_scenario("cpr_2019_20", {
        GROWTH: 0.0253,
        "uncertainty": {
            GROWTH: {"dist": "normal80", "low": 0.0253, "high": 0.0253},
            f"{CPR}.expenditure.price_inflation": {"dist": "triangular", "low": 0.025,
                                                   "mode": 0.025, "high": 0.025},
            f"{CPR}.demand.tariff_efficiency": {"dist": "uniform", "low": 0.011, "high": 0.011},
        },
        # probabilities 0 or 1 make every Bernoulli draw certain
        f"{CPR}.qipp.delivery_probability.in_progress": 1.0,
    })
    sim = u.simulate(s, 100, seed=1)
    # run 0 is the deterministic model; the random runs sum the schemes as matrix products
    # (schemes.run_sums), equal to the last bits (relative 1e-15; a thousandth of a pound)
    for key, arr in sim.values.items():
        np.testing.assert_allclose(arr, np.broadcast_to(arr[0], arr.shape), rtol=1e-13,
                                   atol=1e-6, err_msg=key)


def test_linear_measure_mean_matches_the_analytic_mean():
    # allocation total[1] = programme_base * (1 + g) + other types: linear in g, so with g
    # uniform on low..high its mean is programme_base * (1 + (low + high) / 2) + other and its
    # standard error programme_base * (high - low) / sqrt(12) / sqrt(n)
    low, high, n = 0.04, 0.07, 400
    s = with_ranges("cpr_2019_20", {GROWTH: {"dist": "uniform", "low": low, "high": high}})
    sim = u.simulate(s, n + 1, seed=2)
    x = sim.get("cpr_ccg", "allocation", "total")[1:, 1]
    other = 3883 * 1.0003 + 24311 * 1.0307  # running costs and co-commissioning, 000:L1981-3
    mean = PROGRAMME_BASE * (1 + (low + high) / 2) + other
    se = PROGRAMME_BASE * (high - low) / np.sqrt(12) / np.sqrt(n)
    assert abs(x.mean() - mean) < 4 * se
    assert x.min() >= PROGRAMME_BASE * (1 + low) + other - 1e-6


def test_raising_allocation_growth_raises_the_probability_of_balance():
    def prob(low, high):
        s = with_ranges("cpr_2019_20", {GROWTH: {"dist": "normal80", "low": low,
                                                  "high": high}})
        t = u.summarise(u.simulate(s, 300, seed=4))
        sel = t[(t["org"] == "cpr_ccg") & (t["measure"] == "do_nothing_surplus")
                & (t["stat"] == "prob_surplus_ge_0") & (t["year"] == "2020/21")]
        return float(sel["value"].iloc[0])

    lower, higher = prob(0.03, 0.06), prob(0.05, 0.08)
    assert 0 <= lower < higher <= 1


def test_bernoulli_delivery_varies_qipp_around_its_expected_value():
    sim = u.simulate("cpr_2019_20", 401, seed=8)
    risk = sim.get("cpr_ccg", "qipp", "risk_adjusted")[:, 0]
    # run 0: delivered 2,731 at p = 1 plus in progress 5,127 at p = 0.7 (000:L2040-L2068)
    assert risk[0] == pytest.approx(2731 + 0.7 * 5127)
    x = risk[1:]
    assert x.std() > 0
    assert x.min() >= 2731 - 1e-9 and x.max() <= 2731 + 5127 + 1e-9
    assert abs(x.mean() - risk[0]) < 4 * x.std() / np.sqrt(len(x))


def test_normal80_draws_have_low_and_high_as_10th_and_90th_percentiles():
    s = with_ranges("cpr_2019_20", {GROWTH: {"dist": "normal80", "low": 0.04, "high": 0.07}})
    spec = u.spec_of(s)
    x = u.draws(spec, seed=9, start=1, stop=20_001)[GROWTH]
    # sampling error of a percentile of 20,000 draws is ~0.0002 here
    assert np.percentile(x, 10) == pytest.approx(0.04, abs=0.001)
    assert np.percentile(x, 90) == pytest.approx(0.07, abs=0.001)


def test_triangular_draws_have_the_triangular_mean():
    d = Distribution(dist="triangular", low=0.0, mode=0.01, high=0.05)
    v = np.linspace(0, 1, 100_001)[:-1] + 0.5e-5  # stratified uniforms
    assert u.transform(d, v, v).mean() == pytest.approx((0.0 + 0.01 + 0.05) / 3, abs=1e-6)


def test_a_range_outside_the_fields_bounds_is_rejected():
    with pytest.raises(ScenarioError) as exc:
        load_scenario("cpr_2019_20", {"uncertainty": {
            f"{CPR}.contingency_rate": {"dist": "uniform", "low": -0.01, "high": 0.01}}})
    assert "uncertainty.organisations.cpr_ccg.contingency_rate.low: outside the field's " \
           "bounds 0..1" in str(exc.value)


def test_normal80_draws_are_clipped_to_the_fields_bounds():
    # a rate with 10th percentile 0: about 10% of normal draws fall below 0 and are clipped
    s = with_ranges("cpr_2019_20", {f"{CPR}.demand.tariff_efficiency": {
        "dist": "normal80", "low": 0.0, "high": 0.02}})
    x = u.simulate(s, 300, seed=5).draws[f"{CPR}.demand.tariff_efficiency"]
    assert x.min() == 0.0 and (x == 0).sum() > 10


def test_tornado_matches_deterministic_runs_at_low_and_high():
    s = with_ranges("cpr_2019_20", {
        GROWTH: {"dist": "normal80", "low": 0.04, "high": 0.07},
        f"{CPR}.demand.tariff_efficiency": {"dist": "uniform", "low": 0.0, "high": 0.02},
    })
    t = u.tornado(s, org="cpr_ccg")
    assert list(t["swing"]) == sorted(t["swing"], reverse=True)
    row = t.set_index("assumption").loc[GROWTH]
    for side in ("low", "high"):
        df = model.run_scenario(load_scenario("cpr_2019_20", {GROWTH: float(row[side])}))
        expected = rows(df, "cpr_ccg", "do_something_surplus")["2023/24"]
        assert row[f"value_{side}"] == pytest.approx(expected, abs=1e-6)
    assert t.attrs["year"] == "2023/24"


def test_bundled_footprint_ranges_are_the_union_with_shared_drivers():
    cpr = load_scenario("cpr_2019_20").uncertainty
    southend = load_scenario("southend_2019_20").uncertainty
    footprint = load_scenario("footprint_2019_20").uncertainty
    assert cpr and southend
    # the CCGs' own ranges, with the national drivers (price inflation, tariff efficiency,
    # allocation growth) and acute volume (one hospital for both) declared once for both: the
    # same range, one draw a run
    shared = ("expenditure.price_inflation", "demand.tariff_efficiency",
              "allocation.growth_adjustment", "expenditure.volume_growth.acute")
    own = {k: v for k, v in {**cpr, **southend}.items() if not k.endswith(shared)}
    assert footprint == {**own, **{f"organisations.*.{n}": cpr[f"organisations.cpr_ccg.{n}"]
                                   for n in shared}}
    # the what-if draws its allocation growth around its own one point less, the rest as the
    # base
    tight = load_scenario("footprint_2019_20_tight_funding").uncertainty
    key = "organisations.*.allocation.growth_adjustment"
    assert {k: v for k, v in tight.items() if k != key} == {
        k: v for k, v in footprint.items() if k != key}
    assert (tight[key].low + tight[key].high) / 2 == pytest.approx(-0.01)


@pytest.mark.dask
def test_dask_local_cluster_gives_identical_numbers():
    distributed = pytest.importorskip("distributed")
    single = u.simulate("cpr_2019_20", 600, seed=21, chunk_size=200)
    with distributed.LocalCluster(n_workers=2, processes=True, threads_per_worker=1,
                                  dashboard_address=None) as cluster:
        spread = u.simulate("cpr_2019_20", 600, seed=21, chunk_size=200,
                            scheduler=cluster.scheduler_address)
    assert spread.seed == single.seed == 21
    for key in single.values:
        np.testing.assert_array_equal(single.values[key], spread.values[key], err_msg=key)
    for path in single.draws:
        np.testing.assert_array_equal(single.draws[path], spread.draws[path])


def test_range_on_unsupported_field_is_a_clear_validation_problem():
    # By-year amounts, scheme savings and bridge rows are not vectorised: a range there must be
    # refused at validation, naming the path, not fail later inside the model.
    from ccgmodels.inputs.loading import check, validate_data

    _, data, _ = check("cpr_2019_20")
    data = dict(data)
    path = "organisations.cpr_ccg.qipp.schemes.avastin.net_saving"
    data["uncertainty"] = {**data["uncertainty"], path: {"dist": "uniform", "low": 50, "high": 90}}
    scenario, problems = validate_data(data, "x.yaml")
    assert scenario is None
    assert [p.path for p in problems] == [f"uncertainty.{path}"]
    assert "not supported" in problems[0].message


def test_draws_that_break_the_model_are_refused_not_dropped():
    # two runs of one measure lose their value (an overflow, a division by zero): the
    # simulation is refused, naming the measure, the runs and the ranges, rather than leaving
    # those runs out of the percentiles in silence
    values = {("cpr_ccg", "surplus", ""): np.array([[1.0, 2.0], [np.inf, 2.0], [1.0, np.nan]]),
              ("cpr_ccg", "income", "total"): np.ones((3, 2))}
    with pytest.raises(ValueError, match=r"2 Monte Carlo run\(s\) give cpr_ccg surplus no "
                       r"finite value: a range is too wide for the model \(check g\)"):
        u.check_finite(values, {"g": None})
    u.check_finite({("cpr_ccg", "income", "total"): np.ones((3, 2))}, {})  # finite: passes


@pytest.mark.slow  # runs past the memory budget
def test_runs_beyond_the_memory_budget_keep_exact_means_and_bounded_percentiles():
    """Over a kept-runs budget the means and probabilities stay exact (every run) and the
    percentiles come from a systematic sample, within the DKW rank bound of the full runs."""
    full = u.simulate("footprint_2019_20", runs=20_000, seed=7)
    small = u.simulate("footprint_2019_20", runs=20_000, seed=7, keep_budget=400_000)
    assert full.kept_runs == 20_000 and small.runs == 20_000
    assert 100 < small.kept_runs < 2_000
    a, b = u.summarise(full), u.summarise(small)
    key = ["org", "year", "measure", "item", "stat"]
    merged = a.merge(b, on=key, suffixes=("_full", "_kept"))
    exact = merged[merged.stat.isin(["mean", "central", "prob_surplus_ge_0",
                                     "prob_meets_control_total"])]
    np.testing.assert_allclose(exact.value_kept, exact.value_full, rtol=1e-9, atol=1e-6)
    bound = u.percentile_error(small.kept_runs)
    x = full.get("footprint", "do_something_surplus")[1:]
    for stat, q in u.PERCENTILES.items():
        est = b[(b.org == "footprint") & (b.measure == "do_something_surplus")
                & (b.stat == stat)].sort_values("year")["value"].to_numpy()
        rank = (x <= est).mean(axis=0)
        assert np.all(np.abs(rank - q / 100) <= bound + 1 / len(x)), (stat, rank)
    assert (b.stat == "runs_in_percentiles").any() and not (a.stat == "runs_in_percentiles").any()


def test_chunks_sized_to_the_memory_budget_give_the_same_numbers():
    s = load_scenario("cpr_2019_20")
    big = u.summarise(u.simulate(s, runs=3_000, seed=3))
    tight = u.summarise(u.simulate(s, runs=3_000, seed=3,
                                   chunk_budget=u.bytes_per_run(s) * 100))
    pd.testing.assert_frame_equal(big, tight)


def test_a_position_at_break_even_to_the_pound_is_break_even():
    """essex_ccgs_2014_15 has no uncertain assumption and its plan delivers in full: every run
    is the plan, at break-even to within summing noise, so every run counts as break-even."""
    sim = u.simulate("essex_ccgs_2014_15", runs=50, seed=1)
    x = sim.get("essex_ccgs", "do_something_surplus")
    assert np.abs(x).max() < 1.5  # 0, and the 1 £k of the pack's 2015/16 rounding
    df = u.summarise(sim)
    prob = df[(df.org == "essex_ccgs") & (df.measure == "do_something_surplus")
              & (df.stat == "prob_surplus_ge_0")]["value"]
    assert (prob == 1.0).all()
    # a real deficit of 1 £k is not break-even
    assert not (np.array([-1.0]) >= -u.BREAK_EVEN_TOL).any()


def test_the_stated_plans_mitigation_slips_at_its_stated_probability():
    """Issue 26: the stated plan's mitigation was read at its probability but never drawn, so
    it never slipped. Each stated line is now a scheme of the one probability rule, drawn per
    run: at 0.5 about half the runs deliver each line."""
    s = load_scenario("essex_ccgs_2014_15",
                      {"organisations.essex_ccgs.qipp.delivery_probability.in_progress": 0.5})
    full = model.run_scenario(load_scenario(
        "essex_ccgs_2014_15",
        {"organisations.essex_ccgs.qipp.delivery_probability.in_progress": 1.0}))
    acute = full[(full["org"] == "essex_ccgs") & (full["measure"] == "qipp_scheme")
                 & (full["item"] == "stated_plan_acute")].sort_values("year")["value"]
    assert abs(acute.iloc[-1]) > 1000  # the plan takes something off acute by 2018/19
    sim = u.simulate(s, 401, seed=7)
    spec = u.spec_of(s)
    names = [x.id for x in schemes.all_schemes(s.org("essex_ccgs"))]
    assert "stated_plan_acute" in names and dict(spec.schemes)["essex_ccgs"] == len(names)
    x = sim.get("essex_ccgs", "solutions", "schemes")[1:, -1]
    assert np.unique(np.round(x)).size > 10  # it slips, run by run
    # run 0 is the expected value: the runs' mean is within four standard errors of it
    central = sim.get("essex_ccgs", "solutions", "schemes")[0, -1]
    assert abs(x.mean() - central) < 4 * x.std() / np.sqrt(len(x))


def test_uncertainty_draws_are_clipped_to_the_bounds_of_the_fields():
    # the bounds validation uses (ccgmodels.inputs.fields), read once: the draws keep to them
    path = f"{CPR}.expenditure.price_inflation"
    _, data, _ = check("footprint_2019_20")
    s, problems = validate_data({**data, "uncertainty": {
        path: {"dist": "normal80", "low": -0.9, "high": 0.99}}}, "footprint_2019_20")
    assert problems == []
    spec = u.spec_of(s)
    i = spec.paths.index(path)
    assert spec.bounds[i] == (fields.describe(Scenario, path, s).low,
                              fields.describe(Scenario, path, s).high) == (-1.0, 1.0)
    x = u.draws(spec, seed=1, start=0, stop=2000)[path]
    assert x.min() >= -1.0 and x.max() <= 1.0 and np.isclose(x[0], spec.central[i])


@pytest.fixture(scope="module")
def national_scenario():
    """Ten synthetic commissioners with their trusts and councils, a shared driver drawn."""
    from ccgmodels.inputs.loading import validate_data
    from ccgmodels.inputs.synthetic import national

    s, problems = validate_data(national(10), "syn")
    assert s is not None, problems
    return s


def test_national_results_do_not_depend_on_chunk_size(national_scenario):
    """Commissioners, trusts and councils evaluated and reduced one at a time, in chunks of
    any size, give every run bit for bit (seeding is chunk-independent); the sums over the
    runs are added chunk by chunk, so they agree to the last bits."""
    a = u.simulate(national_scenario, 700, seed=4, chunk_size=700)
    b = u.simulate(national_scenario, 700, seed=4, chunk_size=97)
    assert list(a.values) == list(b.values) and len(a.values) > 100
    for key in a.values:
        np.testing.assert_array_equal(a.values[key], b.values[key])
        for stat in a.exact[key]:
            np.testing.assert_allclose(a.exact[key][stat], b.exact[key][stat], rtol=1e-13)
    pd.testing.assert_frame_equal(u.summarise(a), u.summarise(b), rtol=1e-13)


def test_reduced_one_organisation_at_a_time_equals_reduced_all_at_once(national_scenario):
    """The streamed chunk (each organisation reduced as it comes, the footprint from running
    sums) equals the chunk held whole and reduced afterwards."""
    s = national_scenario
    spec = u.spec_of(s)
    whole = u.reduce(0, 300, u._chunk(s, spec, 9, 0, 300), 7)
    streamed = u._reduced_chunk(s, spec, 9, 0, 300, 7)
    assert list(whole["exact"]) == list(streamed["exact"])
    for key, stats in whole["exact"].items():
        assert stats.keys() == streamed["exact"][key].keys()
        for stat, v in stats.items():
            np.testing.assert_array_equal(v, streamed["exact"][key][stat])
    np.testing.assert_array_equal(whole["at"], streamed["at"])
    for name, rows in whole["rows"].items():
        assert list(rows) == list(streamed["rows"][name])
        for key, v in rows.items():
            np.testing.assert_array_equal(v, streamed["rows"][name][key])


def test_run_zero_of_a_national_simulation_is_the_deterministic_model(national_scenario):
    sim = u.simulate(national_scenario, 50, seed=2, chunk_size=20)
    det = model.run_scenario(national_scenario)
    for org in ("ccg_003", "trust_01", "footprint"):
        got = sim.get(org, "do_something_surplus")[0]
        want = rows(det, org, "do_something_surplus").to_numpy()
        np.testing.assert_array_equal(got, want)


def test_organisations_in_any_order_give_each_organisation_the_same_measures(
        national_scenario):
    """A provider listed before the commissioners that pay it makes them early; each
    organisation's measures are the same whatever the order of the list."""
    s = national_scenario
    first = sorted(s.organisations, key=lambda o: o.kind == "ccg")  # trusts, councils first
    assert first[0].kind != "ccg" and first != list(s.organisations)
    turned = s.model_copy(update={"organisations": first})
    a = {r.org + str(r.years): r.series for r in model.evaluate(s)}
    b = {r.org + str(r.years): r.series for r in model.evaluate(turned)}
    assert a.keys() == b.keys()
    for org, series in a.items():
        assert series.keys() == b[org].keys()
        for k, v in series.items():
            np.testing.assert_array_equal(v, b[org][k])


def test_chunks_are_sized_by_what_a_chunk_holds_not_every_measure(national_scenario):
    """A chunk holds one organisation's arrays, the flows and the footprint's sums: far less a
    run than every measure of every organisation, and the kept measures are a part of it."""
    s = national_scenario
    held, kept = u.layout(s)
    everything = sum(np.asarray(v).size * 8 for r in model.evaluate(s) for v in r.series.values())
    assert held < everything / 2  # at ten commissioners; the gap grows with them
    assert 0 < kept < everything
