"""Dotted paths: substituting many paths at once is substituting them one by one."""

import numpy as np

from ccgmodels.inputs.loading import load_scenario
from ccgmodels.inputs.paths import get_path, matches, substitute, substitute_many


def test_substitute_many_is_substitute_one_by_one():
    s = load_scenario("footprint_2019_20")
    values = {t: np.full((3, 1), 0.01 * (i + 1))
              for i, t in enumerate(matches(s, "organisations.*.expenditure.price_inflation"))}
    values["organisations.cpr_ccg.allocation.growth_adjustment"] = np.full((3, 1), -0.02)
    values["organisations.southend_ccg.contingency_rate"] = 0.007
    one_by_one = s
    for path, v in values.items():
        one_by_one = substitute(one_by_one, path, v)
    at_once = substitute_many(s, values)
    for path, v in values.items():
        assert get_path(at_once, path) is v
        assert get_path(one_by_one, path) is v
    assert repr(at_once) == repr(one_by_one)
    assert get_path(s, "organisations.southend_ccg.contingency_rate") != 0.007  # not changed


def test_a_path_set_twice_keeps_the_last_value_and_nothing_copies_without_paths():
    s = load_scenario("cpr_2019_20")
    path = "organisations.cpr_ccg.contingency_rate"
    assert substitute_many(s, {}) is s
    out = substitute_many(s, {path: 0.01, "organisations.0.contingency_rate": 0.02})
    assert get_path(out, path) == 0.02
    assert out.organisations[1:] == s.organisations[1:]  # the rest shared, not copied
