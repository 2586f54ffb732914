"""A body's risk and mitigation register: named risks with their £ range and likelihood, and
the mitigations held against them with their value and probability of delivery.

Every organisation kind carries ``risks:`` and ``mitigations:`` (both empty by default, so a
plan without a register is exactly as before). Conventions are the scenario's (money [£k],
probabilities as fractions, years "2019/20"): a risk's amounts are the cost to the body's
position if it materialises, written as positive numbers; a mitigation's value is the
improvement it brings when delivered, positive.

The arithmetic is :mod:`ccgmodels.models.risks` (expected values) and the Monte Carlo
(:mod:`ccgmodels.models.uncertainty`: one Bernoulli draw and one triangular size a run).
"""

from __future__ import annotations

from pydantic import Field, model_validator

from .types import FinancialYear, Money, Rate, Slug, Strict

#: money a year: one number for every modelled year, or {year: £k} for every modelled year
MoneyByYear = Money | dict[FinancialYear, Money]


def amount(value: float | dict[str, float], year: str) -> float:
    """The £k of a by-year amount in ``year`` (a number is every year's) [£k]."""
    return float(value[year]) if isinstance(value, dict) else float(value)


def _at(value, year: str | None) -> float | None:
    if value is None or (isinstance(value, dict) and year not in value):
        return None
    return value[year] if isinstance(value, dict) else value


def _shown(v: float | None) -> str:
    return "-" if v is None else f"{v:g}"


class Risk(Strict):
    """A named risk to the body's position: its likelihood and its £ range a year."""

    id: Slug = Field(description="Risk id, unique within the body's register")
    name: str = Field(min_length=1, description="Risk as the plan names it (the tornado and "
                      "the report print it)")
    likelihood: Rate = Field(description="Probability the risk materialises in a year of the "
                             "plan (in a Monte Carlo run: every year or none) [fraction]")
    low: MoneyByYear = Field(description="Cost to the position if it materialises, low end of "
                             "its range, a year or {year: £k} [£k/yr]")
    most_likely: MoneyByYear | None = Field(
        None, description="Most likely cost if it materialises, a year or {year: £k}; the "
        "midpoint of low and high when absent [£k/yr]")
    high: MoneyByYear = Field(description="Cost to the position if it materialises, high end "
                              "of its range, a year or {year: £k} [£k/yr]")
    source: str = Field("", description="Where the risk and its figures come from: a citation "
                        "or 'ASSUMPTION: ...' with its reasoning")

    @model_validator(mode="after")
    def _ordered(self) -> Risk:
        # a year a mapping leaves out is the by-year rules' to report (rules.by_year_fields)
        keys = sorted({k for v in (self.low, self.most_likely, self.high) if isinstance(v, dict)
                       for k in v}) or [None]
        for y in keys:
            low, mode, high = (_at(v, y) for v in (self.low, self.most_likely, self.high))
            when = f" in {y}" if y is not None else ""
            if low is not None and high is not None and low > high:
                raise ValueError(f"risk {self.id!r}: low {low:g} is above high {high:g}{when} "
                                 "[£k]")
            if mode is not None and ((low is not None and mode < low)
                                     or (high is not None and mode > high)):
                raise ValueError(f"risk {self.id!r}: most_likely {mode:g} must lie between low "
                                 f"and high{when} ({_shown(low)} to {_shown(high)}) [£k]")
        return self

    def range_in(self, year: str) -> tuple[float, float, float]:
        """``(low, most likely, high)`` in ``year`` [£k]; the midpoint when no most likely."""
        low, high = amount(self.low, year), amount(self.high, year)
        mode = (low + high) / 2 if self.most_likely is None else amount(self.most_likely, year)
        return low, mode, high


class Mitigation(Strict):
    """An action held against the body's risks: its value when delivered and its probability."""

    id: Slug = Field(description="Mitigation id, unique within the body's register")
    name: str = Field(min_length=1, description="Mitigation as the plan names it")
    value: MoneyByYear = Field(description="Improvement to the position when delivered, a year "
                               "or {year: £k} [£k/yr]")
    probability: Rate = Field(description="Probability it is delivered (in a Monte Carlo run: "
                              "every year or none) [fraction]")
    against: list[Slug] = Field(
        default_factory=list, description="Ids of the body's risks it is held against "
        "(for the reader; its value counts whether or not they materialise)")
    source: str = Field("", description="Where the mitigation and its value come from: a "
                        "citation or 'ASSUMPTION: ...' with its reasoning")


def register_fields(o, root: str):
    """``(path, value)`` of every by-year amount of organisation ``o``'s register, for the
    by-year rules (each must give every modelled year)."""
    for r in o.risks:
        for k in ("low", "most_likely", "high"):
            v = getattr(r, k)
            if v is not None:
                yield f"{root}.risks.{r.id}.{k}", v
    for m in o.mitigations:
        yield f"{root}.mitigations.{m.id}.value", m.value


def register_problems(o, root: str) -> list[tuple[str, object, str]]:
    """Duplicate risk or mitigation ids within the body, and mitigations held against a risk
    the body does not have: ``(path, value, message)`` rows."""
    out: list[tuple[str, object, str]] = []
    risk_ids = [r.id for r in o.risks]
    for i, rid in enumerate(risk_ids):
        if rid in risk_ids[:i]:
            out.append((f"{root}.risks.{i}.id", rid, "duplicate risk id in this body's "
                        "register"))
    mit_ids = [m.id for m in o.mitigations]
    for i, mid in enumerate(mit_ids):
        if mid in mit_ids[:i]:
            out.append((f"{root}.mitigations.{i}.id", mid, "duplicate mitigation id in this "
                        "body's register"))
    for m in o.mitigations:
        for rid in m.against:
            if rid not in risk_ids:
                have = ", ".join(dict.fromkeys(risk_ids)) or "none"
                out.append((f"{root}.mitigations.{m.id}.against", rid,
                            f"names no risk of {o.id}'s register (its risks: {have})"))
    return out


def merged_problems(s) -> list[tuple[str, object, str]]:
    """A register on an ICB merged into another of the scenario (a predecessor is not
    evaluated, so its register would count nowhere): ``(path, value, message)`` rows."""
    out: list[tuple[str, object, str]] = []
    into = {p: o.id for o in s.organisations for p in getattr(o, "predecessors", [])}
    for o in s.organisations:
        if o.id in into and (o.risks or o.mitigations):
            field = "risks" if o.risks else "mitigations"
            out.append((f"organisations.{o.id}.{field}", [x.id for x in getattr(o, field)],
                        f"{o.id} is merged into {into[o.id]} (its predecessors), so it is not "
                        f"evaluated: give its risks and mitigations to {into[o.id]}"))
    return out


def risks_field():
    """The ``risks`` field every kind of organisation carries (one description for all)."""
    return Field(default_factory=list, description="Risk register: named risks to the "
                 "position, each with its likelihood and £ range a year (inputs/risks.py)")


def mitigations_field():
    """The ``mitigations`` field every kind of organisation carries."""
    return Field(default_factory=list, description="Mitigations held against the risks, each "
                 "with its value a year and probability of delivery (inputs/risks.py)")
