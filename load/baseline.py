"""The ceiling to compare with: a bare FastHttpUser loop on ``GET /status`` (``--scenario baseline``)."""

from __future__ import annotations

import apipay_load  # noqa: F401  (options, request cap, thresholds and the run file)
from apipay_load import request_allowed
from locust import FastHttpUser, run_single_user, task
from locust.exception import StopUser

__all__ = ["StatusUser"]


class StatusUser(FastHttpUser):
    """Asks for ``/status`` as fast as it can, checking only the status code."""

    @task
    def status(self) -> None:
        """One health check."""
        if not request_allowed(self.environment):
            raise StopUser()
        with self.client.get("/status", catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"answered {resp.status_code}, expected 200")


if __name__ == "__main__":
    run_single_user(StatusUser)
