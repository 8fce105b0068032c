"""``apipay-harness lint``: the spec, its examples and the house rules it carries as data."""
