"""Synthetic national scenarios: N commissioners with the providers they pay and the councils
they pool with, for testing and benchmarking at national scale (42 ICBs, about 200 CCGs).

The recipe invents no real figure. Every commissioner is a copy of Castle Point & Rochford
CCG's 2019/20 plan as ``mid_south_essex_system_2019_20`` holds it (000), renamed
"Synthetic CCG 001" and so on, with its size scaled by a seeded factor and its programme
allocation growth and acute volume growth moved by a seeded amount, so that no two are alike.
Every fifth commissioner's acute contract goes to one synthetic trust (a copy of the system
scenario's SUHFT, scaled to the contracts it receives); every tenth pools its BCF with one
synthetic council (a copy of its Essex County Council block). The numbers are therefore the
documents' and the bundled scenario's ASSUMPTIONs, rearranged: use it for scale, never for a
view of any real health economy.
"""

from __future__ import annotations

import copy
from typing import Any

import numpy as np

from .loading import read_yaml, resolve

TEMPLATE = "mid_south_essex_system_2019_20"
#: money fields of a commissioner that scale with its size [£k]
_SCALED = ("allocation.base", "expenditure.base", "qipp.target", "qipp.unidentified")


def _scale(node: Any, factor: float) -> Any:
    """Every number in ``node`` times ``factor`` (bool and int flags left alone)."""
    if isinstance(node, bool):
        return node
    if isinstance(node, int | float):
        return node * factor
    if isinstance(node, dict):
        return {k: _scale(v, factor) for k, v in node.items()}
    return node


def national(n: int, seed: int = 0, per_provider: int = 5, per_council: int = 10
             ) -> dict[str, Any]:
    """A synthetic scenario of ``n`` commissioners as plain data: Python numbers, text, lists
    and mappings only, so it can be dumped to a YAML file (validate it with
    :func:`ccgmodels.inputs.loading.validate_data`).

    Parameters
    ----------
    n : int
        Commissioners [count].
    seed : int
        Seed of the size and growth jitter; the same seed gives the same scenario.
    per_provider, per_council : int
        Commissioners paying each synthetic trust, pooling with each synthetic council.
    """
    if n < 1:
        raise ValueError(f"n must be at least 1, not {n}")
    _, path = resolve(TEMPLATE)
    data, problems = read_yaml(path)
    if data is None:
        raise ValueError(f"cannot read the template {TEMPLATE}: {problems}")
    orgs = {o["id"]: o for o in data["organisations"]}
    ccg, trust, council = orgs["cpr_ccg"], orgs["suhft"], orgs["essex_cc"]
    rng = np.random.default_rng(seed)
    size = rng.uniform(0.5, 2.0, n)
    alloc_shift = rng.uniform(-0.005, 0.005, n)
    acute_shift = rng.uniform(-0.005, 0.005, n)

    out: list[dict] = []
    for i in range(n):
        o = copy.deepcopy(ccg)
        o["id"], o["name"] = f"ccg_{i + 1:03d}", f"Synthetic CCG {i + 1:03d}"
        f = float(size[i])
        o["allocation"]["base"] = _scale(o["allocation"]["base"], f)
        o["expenditure"]["base"] = _scale(o["expenditure"]["base"], f)
        for key in ("target", "unidentified"):
            if o["qipp"].get(key) is not None:
                o["qipp"][key] = o["qipp"][key] * f
        for s in o["qipp"]["schemes"]:
            for key in ("net_saving", "gross_saving", "investment"):
                if s.get(key) is not None:
                    s[key] = s[key] * f
            s.pop("share", None)  # a synthetic commissioner's copy is its own scheme
        for pod in o.get("demand", {}).get("pods", {}).values():
            pod["activity"] = pod["activity"] * f
        if o.get("primary_care_bridge"):
            o["primary_care_bridge"]["years"] = _scale(o["primary_care_bridge"]["years"], f)
        growth = o["allocation"]["growth"]
        shift = float(alloc_shift[i])
        growth["programme"] = ({y: float(g + shift) for y, g in growth["programme"].items()}
                               if isinstance(growth["programme"], dict)
                               else float(growth["programme"] + shift))
        o["expenditure"]["volume_growth"]["acute"] = float(
            o["expenditure"]["volume_growth"]["acute"] + acute_shift[i])
        o["contracts"] = [{**o["contracts"][0], "provider": f"trust_{i // per_provider + 1:02d}"}]
        out.append(o)
    trusts, councils = [], []
    for j in range(-(-n // per_provider)):
        t = copy.deepcopy(trust)
        paying = float(size[j * per_provider:(j + 1) * per_provider].sum())
        t.update(id=f"trust_{j + 1:02d}", name=f"Synthetic Trust {j + 1:02d}",
                 income=trust["income"] * paying, cost=trust["cost"] * paying)
        trusts.append(t)
    for j in range(-(-n // per_council)):
        c = copy.deepcopy(council)
        members = [o["id"] for o in out[j * per_council:(j + 1) * per_council]]
        scale = float(size[j * per_council:(j + 1) * per_council].sum())
        # the template council's footprint share is one CCG's area: a council of ten is ten
        # such shares, counted in full
        share = council.get("consolidation", 1.0) * scale
        c.update(id=f"council_{j + 1:02d}", name=f"Synthetic Council {j + 1:02d}",
                 budget=council["budget"] * share, cost=council["cost"] * share,
                 savings={y: v * share for y, v in council.get("savings", {}).items()},
                 consolidation=1.0, bcf_from=members)
        councils.append(c)
    return {
        "name": f"synthetic_national_{n}",
        "title": f"Synthetic national scenario: {n} commissioners",
        "description": "Generated by ccgmodels.inputs.synthetic.national: copies of the "
                       "bundled system scenario's organisations, scaled and jittered; not a "
                       "view of any real health economy.",
        "base_year": data["base_year"], "end_year": data["end_year"],
        "organisations": out + trusts + councils,
        "uncertainty": {"organisations.*.expenditure.price_inflation":
                        {"dist": "triangular", "low": 0.015, "mode": 0.025, "high": 0.035}},
    }
