"""Cost per contact, per currency: the cost of the activities that have both a cost and contacts, divided by
their contacts. A cost of 0 is a real cost (0.00). Where some contacts in scope have no recorded cost, the
figure carries its basis ("€66.25 per contact, on 40 of 95 contacts with a cost"). Currencies are never
converted or mixed: each gets its own figure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from storage.models import Activity

CENT = Decimal("0.01")


@dataclass(frozen=True)
class CostPerContact:
    currency: str
    cost: Decimal  # spent in this currency on activities with contacts
    contacts: int  # the contacts of those activities
    all_contacts: int  # every contact in scope, with a cost or not

    @property
    def value(self) -> Decimal:
        """Exact (not rounded): the display rounds half-up."""
        return self.cost / self.contacts

    @property
    def partial(self) -> bool:
        """Some contacts in scope have no cost in this currency: the figure must say its basis."""
        return self.contacts < self.all_contacts


def cost_per_contact(activities: Sequence[Activity], *, default_currency: str) -> tuple[CostPerContact, ...]:
    """One figure per currency, the team's currency first, then alphabetically; empty when nothing in scope has
    both a cost and contacts (shown as "—")."""
    spent: dict[str, Decimal] = {}
    paid: dict[str, int] = {}
    for a in activities:
        if a.cost is None or not a.contacts:
            continue
        currency = a.currency or default_currency
        spent[currency] = spent.get(currency, Decimal(0)) + Decimal(a.cost)
        paid[currency] = paid.get(currency, 0) + a.contacts
    everyone = sum(a.contacts or 0 for a in activities)
    order = sorted(spent, key=lambda c: (c != default_currency, c))
    return tuple(CostPerContact(currency=c, cost=spent[c], contacts=paid[c], all_contacts=everyone) for c in order)


def in_currency(figures: Sequence[CostPerContact], currency: str) -> CostPerContact | None:
    return next((f for f in figures if f.currency == currency), None)
