"""The bundled current plan (NHS West Yorkshire ICB, 2026/27 to 2028/29): bundled, offered
first, and every figure it states is sourced (a citation or an ASSUMPTION with its reasoning)."""

from __future__ import annotations

import yaml

from ccgmodels.inputs.loading import (
    CURRENT_PLAN,
    bundled_folder,
    bundled_names,
    bundled_scenarios,
    load_scenario,
)
from ccgmodels.inputs.scenario import Icb, Provider, SocialCare


def test_the_current_plan_is_bundled_and_offered_first():
    assert CURRENT_PLAN in bundled_scenarios()
    names = bundled_names()
    assert names[0] == CURRENT_PLAN
    assert names[1:] == sorted(set(bundled_scenarios()) - {CURRENT_PLAN})


def test_the_current_plan_is_a_three_year_plan_of_an_icb_its_trusts_and_council():
    s = load_scenario(CURRENT_PLAN)
    assert (s.base_year, s.end_year) == ("2025/26", "2028/29")
    kinds = {type(o) for o in s.organisations}
    assert kinds == {Icb, Provider, SocialCare}
    icb = next(o for o in s.organisations if isinstance(o, Icb))
    assert len(icb.places) == 5 and not icb.predecessors
    # the council pools the ICB's Better Care Fund line
    council = next(o for o in s.organisations if isinstance(o, SocialCare))
    assert council.bcf_from == [icb.id]


def _leaves(data, path=""):
    """Dotted paths of every figure a scenario file states, lists of named things by id."""
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, f"{path}.{k}".lstrip("."))
    elif isinstance(data, list) and all(isinstance(x, dict) and "id" in x for x in data):
        for x in data:
            yield from _leaves({k: v for k, v in x.items() if k not in ("id", "kind")},
                               f"{path}.{x['id']}")
    elif isinstance(data, int | float) and not isinstance(data, bool):
        yield path


def test_every_figure_of_the_current_plan_has_a_source():
    """Each number the file states sits under a `sources` key: its own, or one of a field
    above it (a citation, or an ASSUMPTION with its reasoning)."""
    raw = yaml.safe_load((bundled_folder() / f"{CURRENT_PLAN}.yaml").read_text("utf-8"))
    # a field's own source (organisations.<id>.<field>...), not the scope note on `organisations`
    fields = [k for k in raw["sources"] if k.count(".") >= 2]
    unsourced = [p for p in _leaves({"organisations": raw["organisations"]})
                 if not any(p == k or p.startswith(k + ".") for k in fields)]
    assert unsourced == []
    assert all(isinstance(t, str) and len(t) > 20 for t in raw["sources"].values())
    assumed = [k for k, t in raw["sources"].items() if "ASSUMPTION" in t]
    assert assumed  # what is not published is labelled, not hidden
