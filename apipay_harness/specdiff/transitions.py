"""The status machines our specs write as data (``x-status-transitions`` on a status enum), compared.

The table's shape is the one ``openapi/`` uses: ``initial``; ``statuses`` mapping each status to its
``successors`` and to boolean flags such as ``can_cancel``/``can_refund``; ``webhooks`` mapping an event to
the statuses it is sent for. Machines are matched by the name of the schema that carries them; a machine
only one spec has is not compared (its enum changes are still judged wherever the enum is used).
"""

from __future__ import annotations

from typing import Any

from apipay_harness.specdiff import changes as k
from apipay_harness.specdiff.compare import Site
from apipay_harness.specdiff.loader import Document

__all__ = ["compare_machines", "status_machines"]

EXTENSION = "x-status-transitions"


def status_machines(document: Document) -> dict[str, dict[str, Any]]:
    """Every ``x-status-transitions`` table under ``components/schemas``, by schema name."""
    components = document.data.get("components")
    schemas = components.get("schemas") if isinstance(components, dict) else None
    found: dict[str, dict[str, Any]] = {}
    for name, schema in (schemas if isinstance(schemas, dict) else {}).items():
        table = schema.get(EXTENSION) if isinstance(schema, dict) else None
        if isinstance(table, dict):
            found[str(name)] = table
    return found


def _statuses(table: dict[str, Any]) -> dict[str, dict[str, Any]]:
    statuses = table.get("statuses")
    if not isinstance(statuses, dict):
        return {}
    return {str(name): rule if isinstance(rule, dict) else {} for name, rule in statuses.items()}


def _moves(statuses: dict[str, dict[str, Any]]) -> list[tuple[str, str]]:
    moves = []
    for name, rule in statuses.items():
        successors = rule.get("successors")
        for successor in successors if isinstance(successors, list) else []:
            moves.append((name, str(successor)))
    return moves


def _webhooks(table: dict[str, Any]) -> dict[str, list[str]]:
    webhooks = table.get("webhooks")
    if not isinstance(webhooks, dict):
        return {}
    return {str(event): [str(s) for s in sent] for event, sent in webhooks.items() if isinstance(sent, list)}


def compare_machines(old: dict[str, Any], new: dict[str, Any], site: Site) -> None:
    """Record the changes between two tables of one status machine."""
    before, after = _statuses(old), _statuses(new)
    for name in after:
        if name not in before:
            site.emit(k.STATUS_ADDED, name, f"new status {name}")
    for name in before:
        if name not in after:
            site.emit(k.STATUS_REMOVED, name, f"status {name} no longer exists")
    old_moves, new_moves = _moves(before), _moves(after)
    for move in new_moves:
        if move not in old_moves:
            site.emit(k.TRANSITION_ADDED, f"{move[0]} -> {move[1]}", "new transition")
    for move in old_moves:
        if move not in new_moves:
            site.emit(k.TRANSITION_REMOVED, f"{move[0]} -> {move[1]}", "transition removed")
    if old.get("initial") != new.get("initial"):
        site.emit(k.INITIAL_STATUS_CHANGED, "", f"initial status {old.get('initial')} -> {new.get('initial')}")
    for name, rule in before.items():
        for flag, was in rule.items():
            now = after.get(name, {}).get(flag)
            if name in after and was is True and now is False:
                site.emit(k.ACTION_WITHDRAWN, name, f"{flag}: true -> false")
            elif name in after and was is False and now is True:
                site.emit(k.ACTION_ALLOWED, name, f"{flag}: false -> true")
    old_hooks, new_hooks = _webhooks(old), _webhooks(new)
    for event in [*old_hooks, *(e for e in new_hooks if e not in old_hooks)]:
        sent_before, sent_after = old_hooks.get(event, []), new_hooks.get(event, [])
        for status in sent_after:
            if status not in sent_before:
                site.emit(k.WEBHOOK_STATUS_ADDED, event, f"{event} now sent for {status}")
        for status in sent_before:
            if status not in sent_after:
                site.emit(k.WEBHOOK_STATUS_REMOVED, event, f"{event} no longer sent for {status}")
