"""What a job is expected to cost, in the unit its provider bills: dollars or credits.

Not where prices come from for x.ai (capabilities.py keeps x.ai's table); MiniMax's and
Stability's price tables sit in their rules modules' price functions until they move here.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

#: USD for x.ai and MiniMax (global site); credits for Stability (1 credit = $0.01 on its
#: pricing page).
Unit = Literal["usd", "credits"]


@dataclass(frozen=True, slots=True)
class Charge:
    """A documented list price for one job: `amount` in `unit`, and how it was reached."""

    amount: float
    unit: Unit
    #: A short account such as "8 credits × 1 image" or "$0.05/s × 6 s".
    basis: str = ""

    def text(self) -> str:
        """`$0.0200` or `8 credits`: the charge as a listing shows it."""
        if self.unit == "usd":
            return f"${self.amount:.4f}"
        return f"{self.amount:g} credits"
