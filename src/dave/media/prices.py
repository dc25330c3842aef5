"""What a price is: a job's list price in the unit its provider bills (dollars or credits),
how it was reached, and whether it is an estimate.

Not the price tables: each provider's lives in its slice (`media/<provider>/prices.py`), with
its sources and the date it was read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeGuard, get_args

#: USD for x.ai and MiniMax (global site); credits for Stability (1 credit = $0.01 on its
#: pricing page).
Unit = Literal["usd", "credits"]
USD_PER_CREDIT = 0.01


def is_unit(value: object) -> TypeGuard[Unit]:
    """Whether `value` names a price unit (as a journaled job's `price_unit` may)."""
    return value in get_args(Unit)


@dataclass(frozen=True, slots=True)
class Charge:
    """A documented list price for one job: `amount` in `unit`, and how it was reached."""

    amount: float
    unit: Unit
    #: A short account such as "8 credits × 1 image" or "$0.05/s × 6 s".
    basis: str = ""
    #: The price rests on an assumption (a third party's quote, an unpublished part), not on
    #: the provider's own documents: listings mark it as an estimate.
    estimate: bool = False

    @property
    def usd(self) -> float:
        """The charge in dollars (credits at Stability's $0.01 each)."""
        return self.amount if self.unit == "usd" else round(self.amount * USD_PER_CREDIT, 6)

    def text(self) -> str:
        """`$0.0200` or `8 credits`: the charge as a listing shows it."""
        if self.unit == "usd":
            return f"${self.amount:.4f}"
        return f"{self.amount:g} credits"


def job_usd(job: Any) -> float:
    """A journaled job's one figure in dollars: its list price (credits at $0.01 each), else
    what the provider reported it charged, else nothing."""
    if job.price is not None and is_unit(job.price_unit):
        return Charge(job.price, job.price_unit).usd
    return float(job.cost_usd or 0.0)


@dataclass(frozen=True, slots=True)
class Price:
    """A list price in USD per unit, and the source it was read in."""

    usd: float
    unit: Literal["image", "second", "input image", "input second"]
    source: str

    @property
    def documented(self) -> bool:
        """Read in the provider's own documents (or their copy in the seed), not a third
        party's."""
        return "[DOCS" in self.source or "[SEED]" in self.source
