"""The invoice and refund status rules, read from the spec's ``x-status-transitions`` (never restated here)."""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from apipay_harness.core.spec import status_transitions

__all__ = ["StatusRule", "TransitionTable", "transitions_pointer"]


def transitions_pointer(schema_name: str, *parts: str) -> str:
    """A JSON pointer to a node of ``x-status-transitions`` on ``schema_name``, for a Violation's ``rule``."""
    tail = "".join(f"/{part}" for part in parts)
    return f"#/components/schemas/{schema_name}/x-status-transitions{tail}"


@dataclass(frozen=True, slots=True)
class StatusRule:
    """What the spec says one status allows."""

    name: str
    successors: frozenset[str]
    can_cancel: bool
    can_refund: bool


@dataclass(frozen=True, slots=True)
class TransitionTable:
    """One status enum's transition table: initial status, per-status rules, and which webhook each status sends."""

    schema_name: str
    initial: str
    statuses: MappingProxyType[str, StatusRule]
    webhooks: MappingProxyType[str, frozenset[str]]

    @classmethod
    def from_spec(cls, spec: dict[str, Any], schema_name: str = "InvoiceStatus") -> TransitionTable:
        """Read the table written on ``components/schemas/<schema_name>``."""
        raw = status_transitions(spec, schema_name)
        statuses = {
            name: StatusRule(
                name=name,
                successors=frozenset((rule or {}).get("successors") or ()),
                can_cancel=bool((rule or {}).get("can_cancel", False)),
                can_refund=bool((rule or {}).get("can_refund", False)),
            )
            for name, rule in (raw.get("statuses") or {}).items()
        }
        webhooks = {event: frozenset(names or ()) for event, names in (raw.get("webhooks") or {}).items()}
        return cls(
            schema_name=schema_name,
            initial=str(raw["initial"]),
            statuses=MappingProxyType(statuses),
            webhooks=MappingProxyType(webhooks),
        )

    def rule(self, status: str) -> StatusRule:
        """The rule of ``status``; an unknown status has no successors and allows nothing."""
        return self.statuses.get(status) or StatusRule(status, frozenset(), can_cancel=False, can_refund=False)

    def allows(self, current: str, new: str) -> bool:
        """Whether the spec lets ``current`` become ``new`` (staying put is always allowed)."""
        return new == current or new in self.rule(current).successors

    def event_for(self, status: str) -> str | None:
        """The webhook event a transition into ``status`` sends, if any."""
        for event, statuses in self.webhooks.items():
            if status in statuses:
                return event
        return None

    def pointer(self, *parts: str) -> str:
        """A JSON pointer into this table, for a Violation's ``rule``."""
        return transitions_pointer(self.schema_name, *parts)
