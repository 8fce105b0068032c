"""The limits a public server keeps on its connections: read timeouts, a bounded request head, a connection cap.

uvicorn has no header-read timeout and no body deadline, and its only cap (``limit_concurrency``) answers
503. The mock's protocol (``server.py``) reports each connection's state here instead:

- ``WAITING``: ready for a request head (just connected, or its last answer sent). Its head must be
  complete within ``header_timeout`` seconds, else the connection is closed (with a JSON 408 if part of
  a head came).
- ``BODY``: head read, body still coming. The whole body must arrive within ``body_timeout`` seconds of the
  head, else a JSON 408 and the connection is closed.
- ``BUSY``: the request is with the app, or its answer is being written.

A sweep every ``sweep_interval`` seconds closes what is past its deadline (each state is an insertion-ordered
dict, oldest first, so a sweep only looks at what it closes). At ``max_connections``, a new connection is
made room for by closing the one that has waited longest: the oldest ``WAITING`` one, else the oldest
``BODY`` one, else a ``BUSY`` one stalled longer than ``body_timeout`` (a client that does not read its
answer). A client that connects and sends its request at once is never the oldest of anything, so floods
of half-open connections cannot starve it. Only when every connection is busy is the new one refused,
closed at once, which costs nothing.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

from apipay_harness.mock.limits import (
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_MAX_CONNECTIONS,
    MAX_HEAD_BYTES,
)

__all__ = ["CONNECTIONS_SCOPE", "ConnectionCounts", "ConnectionGuard", "ConnectionLimits", "Guarded", "State"]

CONNECTIONS_SCOPE = "apipay.connections"
"""Where the protocol leaves the guard in each request's ASGI scope, for ``GET /_control/stats``."""


class State(Enum):
    """Where a connection is in its current request."""

    WAITING = "waiting"
    BODY = "body"
    BUSY = "busy"


class Guarded(Protocol):
    """What the guard needs of a connection: to be hung up, with a reason."""

    state: State | None

    def head_timed_out(self) -> None:
        """Its head did not come in time."""

    def body_timed_out(self) -> None:
        """Its body did not come in time."""

    def evicted(self) -> None:
        """Closed to make room for a new connection."""


@dataclass(frozen=True, slots=True)
class ConnectionLimits:
    """One server's connection limits (``mock --header-timeout``, ``--body-timeout``, ``--max-connections``)."""

    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    max_connections: int = DEFAULT_MAX_CONNECTIONS
    max_head_bytes: int = MAX_HEAD_BYTES

    def __post_init__(self) -> None:
        if self.header_timeout <= 0 or self.body_timeout <= 0 or self.max_connections < 1:
            raise ValueError("timeouts must be positive and the connection cap at least 1")

    @property
    def sweep_interval(self) -> float:
        """How often deadlines are checked: a deadline is kept to within a quarter of the shorter timeout."""
        return max(0.02, min(1.0, self.header_timeout / 4, self.body_timeout / 4))


@dataclass(slots=True)
class ConnectionCounts:
    """What the guard did, since the server started."""

    accepted: int = 0
    header_timeouts: int = 0
    body_timeouts: int = 0
    evicted: int = 0
    refused: int = 0
    heads_too_large: int = 0


class ConnectionGuard:
    """Tracks every open connection by state; closes what is past its deadline, and makes room at the cap."""

    def __init__(self, limits: ConnectionLimits) -> None:
        self.limits = limits
        self.counts = ConnectionCounts()
        self._now = time.monotonic
        self._states: dict[State, dict[Guarded, float]] = {state: {} for state in State}
        self._sweeper: asyncio.TimerHandle | None = None

    def __len__(self) -> int:
        return sum(len(members) for members in self._states.values())

    def opened(self, connection: Guarded, loop: asyncio.AbstractEventLoop) -> bool:
        """Admit a new connection (``WAITING``), closing the longest waiter at the cap; False if all are busy."""
        if self._sweeper is None:
            self._sweeper = loop.call_later(self.limits.sweep_interval, self._sweep, loop)
        if len(self) >= self.limits.max_connections and not self._make_room():
            self.counts.refused += 1
            return False
        self.counts.accepted += 1
        self.move(connection, State.WAITING)
        return True

    def move(self, connection: Guarded, state: State) -> None:
        """Record that ``connection`` is now in ``state``; its deadline counts from now if the state changed."""
        if connection.state is state:
            return
        if connection.state is not None:
            self._states[connection.state].pop(connection, None)
        self._states[state][connection] = self._now()
        connection.state = state

    def restart(self, connection: Guarded, state: State) -> None:
        """Record ``state`` afresh, even if unchanged (a new wait for a head after an answer)."""
        self.closed(connection)
        self.move(connection, state)

    def closed(self, connection: Guarded) -> None:
        """Forget a connection that is closing."""
        if connection.state is not None:
            self._states[connection.state].pop(connection, None)
            connection.state = None

    def stats(self) -> dict[str, int | float]:
        """The open connections by state, the limits, and the counts (``GET /_control/stats``)."""
        return {
            "open": len(self),
            "waiting": len(self._states[State.WAITING]),
            "reading_body": len(self._states[State.BODY]),
            "busy": len(self._states[State.BUSY]),
            "max_connections": self.limits.max_connections,
            "header_timeout": self.limits.header_timeout,
            "body_timeout": self.limits.body_timeout,
            "accepted": self.counts.accepted,
            "header_timeouts": self.counts.header_timeouts,
            "body_timeouts": self.counts.body_timeouts,
            "evicted": self.counts.evicted,
            "refused": self.counts.refused,
            "heads_too_large": self.counts.heads_too_large,
        }

    def _make_room(self) -> bool:
        now = self._now()
        stalled = self.limits.body_timeout
        for state, older_than in ((State.WAITING, 0.0), (State.BODY, 0.0), (State.BUSY, stalled)):
            members = self._states[state]
            if not members:
                continue
            victim, since = next(iter(members.items()))
            if now - since >= older_than:
                self.closed(victim)
                self.counts.evicted += 1
                victim.evicted()
                return True
        return False

    def _expired(self, state: State, timeout: float, now: float) -> list[Guarded]:
        members = self._states[state].items()
        return [c for c, _ in itertools.takewhile(lambda item: now - item[1] >= timeout, members)]

    def _sweep(self, loop: asyncio.AbstractEventLoop) -> None:
        now = self._now()
        for connection in self._expired(State.WAITING, self.limits.header_timeout, now):
            self.closed(connection)
            self.counts.header_timeouts += 1
            connection.head_timed_out()
        for connection in self._expired(State.BODY, self.limits.body_timeout, now):
            self.closed(connection)
            self.counts.body_timeouts += 1
            connection.body_timed_out()
        self._sweeper = loop.call_later(self.limits.sweep_interval, self._sweep, loop)
