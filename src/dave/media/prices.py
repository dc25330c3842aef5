"""What a job is expected to cost, in the unit its provider bills: dollars or credits.

Every provider's price table lives here, each with its source and the date it was read
(x.ai's table is still in capabilities.py until it moves here). Not for checking requests:
the rules modules call the price functions below once a request has passed.
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


# --- MiniMax ---------------------------------------------------------------------------------
# (filled in with MiniMax's rules)

# --- Stability AI ----------------------------------------------------------------------------
# (filled in with Stability's rules)
