"""The ceiling to compare with: a bare FastHttpUser loop on ``GET /status`` (``--scenario baseline``).

``apipay_harness.loadrun.locust_plugin`` adds the ``--apipay-*`` options, the request cap, thresholds and the run file.
"""

from __future__ import annotations

from locust import FastHttpUser, run_single_user, task

from apipay_harness.loadrun.locust_plugin import spend_request


class StatusUser(FastHttpUser):
    """Asks for ``/status`` as fast as it can, checking only the status code."""

    @task
    def status(self) -> None:
        """One health check."""
        spend_request(self.environment)
        with self.client.get("/status", catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"answered {resp.status_code}, expected 200")


if __name__ == "__main__":
    run_single_user(StatusUser)
