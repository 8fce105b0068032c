"""A catalog of named entries (the faults, the variants): each declared once, found by the names a user types.

An entry's name is written once, where it is declared; the mock asks by the module-level constant the
declaration returns, so a misspelt constant fails at import instead of silently matching nothing. Names
typed by a user (the mock's ``--fault``/``--variant``, the selftest's, the fixture's) are checked in one
place, ``Registry.named``, so every door refuses an unknown name with the same message.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Protocol, TypeVar

from apipay_harness.core.errors import UsageError

__all__ = ["Named", "Registry"]


class Named(Protocol):
    """What a registry holds: anything with a name."""

    @property
    def name(self) -> str:
        """The one spelling users type and reports show."""
        ...


E = TypeVar("E", bound=Named)


class Registry(Mapping[str, E]):
    """Entries by name, in declaration order; adding a name twice is an error at import."""

    def __init__(self, kind: str, *, list_sorted: bool) -> None:
        self.kind = kind
        """What an entry is called in messages ("fault", "variant")."""
        self._list_sorted = list_sorted
        self._entries: dict[str, E] = {}

    def add(self, entry: E) -> E:
        """Declare ``entry``; returns it, so a module binds it to its constant in the same line."""
        if entry.name in self._entries:
            raise ValueError(f"{self.kind} {entry.name!r} is registered twice")
        self._entries[entry.name] = entry
        return entry

    def named(self, names: Iterable[str]) -> tuple[E, ...]:
        """The entries named, in the order given (repeats dropped); any unknown name is a ``UsageError``.

        The one place a name typed by a user is checked: the message lists every unknown name and the valid ones.
        """
        wanted = list(dict.fromkeys(names))
        unknown = [name for name in wanted if name not in self._entries]
        if unknown:
            valid = sorted(self._entries) if self._list_sorted else list(self._entries)
            raise UsageError(f"unknown {self.kind}(s) {', '.join(unknown)}; valid names: {', '.join(valid)}")
        return tuple(self._entries[name] for name in wanted)

    def __getitem__(self, name: str) -> E:
        return self._entries[name]

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)
