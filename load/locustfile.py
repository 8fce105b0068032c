"""ApiPay load users: the invoice lifecycle under concurrency, and readers paging through lists.

    locust -f load/locustfile.py --host http://127.0.0.1:8080/api/v1      # web UI
    apipay-harness load --run-time 60s                                    # headless, with thresholds and audit
    python load/locustfile.py --host http://127.0.0.1:8080/api/v1         # one lifecycle user, in-process

``apipay_harness.loadrun.locust_plugin`` adds the ``--apipay-*`` options, the request cap and the records' way home.
"""

from __future__ import annotations

import gevent
from locust import FastHttpUser, run_single_user, task

from apipay_harness.loadrun import flows, scenarios
from apipay_harness.loadrun.calls import MAX_TRIES, Answer, Call, judge
from apipay_harness.loadrun.locust_plugin import spend_request, user_parts


class ApiPayUser(FastHttpUser):
    """Base of the ApiPay users: every answer is checked inline, every invoice touched is recorded."""

    abstract = True

    def on_start(self) -> None:
        """Take a random source, the options (a worker has the master's by now), the records and a runtime."""
        self.rng, self.settings, self.store, self.runtime = user_parts(self.environment)

    def wait_time(self) -> float:
        """Think time between tasks: uniform in [0, --apipay-think-time]."""
        return self.rng.uniform(0.0, self.settings.think_time)

    def send(self, call: Call) -> Answer:
        """Send ``call`` within the request cap, fail it with ``judge``'s reason, retry a 429 after its wait."""
        key, data, headers = self.store.attempt(call.record), call.data(), call.headers(self.settings.api_key)
        for _ in range(MAX_TRIES):  # a 429 is sent again after the wait it asks for
            spend_request(self.environment)  # every send counts against the cap, retries included
            with self.client.request(
                call.method, call.url, name=call.name, data=data, headers=headers, catch_response=True
            ) as resp:
                answer = Answer.read(resp.status_code, resp.content, error=getattr(resp, "error", None))
                reason = judge(call, answer)
                resp.failure(reason) if reason else resp.success()  # an expected 4xx is a success
            if answer.status != 429:
                break
            gevent.sleep(answer.retry_in)  # honour the server's retry_after before retrying
        self.store.settle(call.record, key, answer.status)
        return answer


class LifecycleUser(ApiPayUser):
    """Create → pay → partial refund → race for the rest; pay a cart → refund all; cancel; expire."""

    weight = 3

    def on_start(self) -> None:
        """Find two catalog items to build cart invoices from (none: flat invoices only)."""
        super().on_start()
        self.prices = flows.catalog_prices(self)

    @task(3)
    def pay_then_refund_in_parts(self) -> None:
        """Of two concurrent refunds of the rest, exactly one may be accepted."""
        scenarios.pay_then_refund_in_parts(self)

    @task(2)
    def pay_cart_then_refund_all(self) -> None:
        """A cart's amount is Σ price × count; refunding it all leaves the invoice refunded."""
        scenarios.pay_cart_then_refund_all(self, self.prices)

    @task(2)
    def create_then_cancel(self) -> None:
        """An accepted cancel ends cancelled within the deadline."""
        scenarios.create_then_cancel(self)

    @task(1)
    def create_then_expire(self) -> None:
        """An expired invoice reads expired."""
        scenarios.create_then_expire(self)


class ReaderUser(ApiPayUser):
    """Pages through the invoice list with filters and reads single invoices seen there."""

    weight = 1
    seen: tuple[int, ...] = ()

    @task(3)
    def list_invoices(self) -> None:
        """A filtered page holds only invoices in those statuses."""
        self.seen = scenarios.list_invoices(self, self.seen)

    @task(2)
    def get_invoice(self) -> None:
        """An invoice seen in a list reads as one."""
        self.seen = scenarios.get_invoice(self, self.seen)


if __name__ == "__main__":
    run_single_user(LifecycleUser)
