"""The mock's fixed data (keys, organizations, units, catalog), read from ``fixtures.yaml``."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

__all__ = ["FIXTURES_PATH", "CatalogSeed", "Fixtures", "Organization", "Unit", "load_fixtures"]

FIXTURES_PATH = Path(__file__).with_name("fixtures.yaml")


@dataclass(frozen=True, slots=True)
class Organization:
    """An organization and its API key."""

    id: int
    key: str
    verified: bool
    catalog: bool
    rate_limit: int | None


@dataclass(frozen=True, slots=True)
class Unit:
    """A unit of measure."""

    id: int
    name: str
    name_kaz: str


@dataclass(frozen=True, slots=True)
class CatalogSeed:
    """A catalog item present at start-up."""

    id: int
    organization: int
    name: str
    selling_price: Decimal
    unit_id: int
    barcode: str | None


@dataclass(frozen=True, slots=True)
class Fixtures:
    """Everything the fixtures file holds."""

    organizations: tuple[Organization, ...]
    units: tuple[Unit, ...]
    catalog: tuple[CatalogSeed, ...]


def load_fixtures(path: Path = FIXTURES_PATH) -> Fixtures:
    """Read the fixtures file (prices as exact decimals)."""
    data: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    orgs = tuple(
        Organization(int(o["id"]), str(o["key"]), bool(o["verified"]), bool(o["catalog"]), o.get("rate_limit"))
        for o in data["organizations"]
    )
    units = tuple(Unit(int(u["id"]), str(u["name"]), str(u["name_kaz"])) for u in data["units"])
    catalog = tuple(
        CatalogSeed(
            int(c["id"]),
            int(c["organization"]),
            str(c["name"]),
            Decimal(str(c["selling_price"])),
            int(c["unit_id"]),
            c.get("barcode"),
        )
        for c in data["catalog"]
    )
    return Fixtures(orgs, units, catalog)
