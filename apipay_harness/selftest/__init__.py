"""``apipay-harness selftest``: the suites against the mock clean, per variant and per fault; the tables."""
