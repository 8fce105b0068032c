"""``apipay-harness contract``: the run inside pytest, its plugin, guard, preflight, progress and engine."""
