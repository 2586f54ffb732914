"""The scalar types of the assumptions, each with its unit, bounds and message written once.

Money ``[£k]``, rates and growth ``[fraction]``, financial years ``"2019/20"``, ids (slugs),
and their by-year forms: one number for every year, or ``{year: number}``. The ``Bounds``
marker on each type is what :mod:`ccgmodels.inputs.fields` reads; the validators give the
messages.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field

from . import years as fy
from .fields import Bounds
from .limits import MAX_ID, shown
from .vocab import ERAS, PODS, SERVICE_LINES, STATUSES

ServiceLine = Literal[SERVICE_LINES]  # type: ignore[valid-type]
Pod = Literal[PODS]  # type: ignore[valid-type]
Status = Literal[STATUSES]  # type: ignore[valid-type]
Era = Literal[ERAS]  # type: ignore[valid-type]


# --- scalar types -----------------------------------------------------------------------------


def _not_negative_money(v: float) -> float:
    if v < 0:
        raise ValueError("money here cannot be negative [£k]; write costs as positive amounts")
    return v


def _fraction(v: float) -> float:
    if v < 0:
        raise ValueError("a rate cannot be negative [fraction]")
    if v > 1:
        raise ValueError(
            f"{v:g} is above 1: rates are fractions, not per cent (did you mean {v / 100:g}?)"
        )
    return v


def _growth(v: float) -> float:
    if v < -1:
        raise ValueError(f"growth of {v:g} is below -1 (-100%): nothing can shrink by more")
    if v > 1:
        raise ValueError(
            f"{v:g} is above 1 (100% a year): rates are fractions, not per cent "
            f"(did you mean {v / 100:g}?)"
        )
    return v


def _year(v: object) -> str:
    return fy.parse_year(v)


_SLUG = re.compile(rf"\A[a-z0-9][a-z0-9_]{{0,{MAX_ID - 1}}}\Z")  # \Z: no trailing newline


def _slug(v: str) -> str:
    if not _SLUG.match(v):
        raise ValueError(
            f"{shown(v)} is not a valid id: use lower-case letters, digits and underscores, "
            f"starting with a letter or digit, at most {MAX_ID} characters (it names folders "
            "and columns)"
        )
    return v


# Bounds(...) states each type's limits once, for uncertainty ranges and the explorer's sliders
# (ccgmodels.inputs.fields); the validators give the messages.
Finite = Annotated[float, Field(allow_inf_nan=False)]
Money = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_not_negative_money),
                  Bounds(0.0)]
SignedMoney = Finite
Rate = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_fraction), Bounds(0.0, 1.0)]
Growth = Annotated[float, Field(allow_inf_nan=False), AfterValidator(_growth), Bounds(-1.0, 1.0)]
FinancialYear = Annotated[str, BeforeValidator(_year)]
Slug = Annotated[str, AfterValidator(_slug)]
# By year: one number for every year, or {year: number}. A rate's mapping has one entry for each
# year after the base (the change from the year before); a level's has one for every year.
GrowthByYear = Growth | dict[FinancialYear, Growth]
RateByYear = Rate | dict[FinancialYear, Rate]
SignedMoneyByYear = SignedMoney | dict[FinancialYear, SignedMoney]


class Strict(BaseModel):
    """Base for every assumption model: frozen, unknown fields rejected."""

    model_config = ConfigDict(extra="forbid", frozen=True)
