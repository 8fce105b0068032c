"""Every check a contract report can name, declared once: its id, suite, the rule it enforces and what it judges.

The suites in ``contracts/`` name a check by one of the constants below (never by a string), the report
shows the description of a failed check and falls back to its rule, ``-k`` matches the id, and
``docs/suites.md``'s check table is generated from here. A report may qualify an id with what one
instance judged: ``edge_accepted[body.amount maximum]`` is an instance of ``edge_accepted``; ``lookup``
resolves either form. ``tests/contract/test_check_registry.py`` walks the suites to prove that every id a
report can contain is declared here and that every entry is used.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass

__all__ = [
    "CHECKS",
    "SCHEMATHESIS_CHECKS",
    "STATEFUL_PREFIX",
    "SUITES",
    "SUITE_ORDER",
    "Check",
    "Suite",
    "END_MARKER",
    "START_MARKER",
    "base_id",
    "by_suite",
    "check_table",
    "lookup",
    "schemathesis_check",
]


@dataclass(frozen=True, slots=True)
class Suite:
    """One kind of judgement; its tests live in ``modules`` (the file names users select by)."""

    name: str
    modules: tuple[str, ...]
    description: str


SUITES: tuple[Suite, ...] = (
    Suite("schema", ("test_schema.py",), "schemathesis' engine over every operation and through the spec's links"),
    Suite("bounds", ("test_bounds.py",), "the edges of every bounded field: just inside accepted, just outside 422"),
    Suite(
        "lifecycle",
        ("test_lifecycle.py", "test_transitions.py"),
        "invoices and refunds against the oracle: the state machine, pinned scenarios and the transition table",
    ),
    Suite("auth", ("test_auth_tenancy.py",), "401 without a valid key, 403 unverified, nothing of another's"),
    Suite("lists", ("test_lists.py",), "pages, search, filters and sorting against the model's own invoices"),
    Suite("webhooks", ("test_webhooks.py",), "the deliveries a scenario's transitions must send, signed and valid"),
    Suite("concurrency", ("test_concurrency.py",), "racing refunds, cancels, payments and creations"),
    Suite("errors", ("test_errors_rate_limit.py", "test_robustness.py"), "error bodies, the rate limit, unusual text"),
)
SUITE_ORDER: tuple[str, ...] = tuple(suite.name for suite in SUITES)
"""The suites in the order a reader meets them (reports sort by it)."""


@dataclass(frozen=True, slots=True)
class Check:
    """One check: what a result's ``check`` field names."""

    id: str
    suite: str
    rule: str
    """The spec rule (a JSON pointer into ``openapi/apipay.yaml``) or the documented rule it enforces."""
    description: str
    """One line: what passes."""
    versions: tuple[str, ...] = ()
    """The API versions whose documents have this rule (empty: every version); elsewhere the check is not run."""

    def __str__(self) -> str:
        return self.id

    def applies_to(self, version: str) -> bool:
        """Whether API ``version``'s documents have the rule this check enforces."""
        return not self.versions or version in self.versions

    def instance(self, detail: str) -> str:
        """The id of one instance of this check, e.g. ``edge_accepted[body.amount maximum]``."""
        return f"{self.id}[{detail}]"


_DECLARED: dict[str, Check] = {}


def _declare(check_id: str, suite: str, rule: str, description: str, *, versions: tuple[str, ...] = ()) -> Check:
    if check_id in _DECLARED:
        raise ValueError(f"check {check_id!r} is declared twice")
    if suite not in SUITE_ORDER:
        raise ValueError(f"check {check_id!r} names an unknown suite {suite!r}")
    check = Check(check_id, suite, rule, description, versions)
    _DECLARED[check_id] = check
    return check


_TRANSITIONS = "#/components/schemas/InvoiceStatus/x-status-transitions"
_REFUND = "#/paths/~1invoices~1{id}~1refund/post/description"
_INVOICES_GET = "#/paths/~1invoices/get"

# ----- schema -----------------------------------------------------------------------------------------------------

SCHEMATHESIS = _declare(
    "schemathesis",
    "schema",
    "#/paths",
    "one operation's examples, boundary and fuzzed cases (its own result when skipped or cut short)",
)
STATEFUL_LINKS = _declare(
    "stateful_links",
    "schema",
    "#/paths/~1invoices/post/responses/201/links",
    "sequences along the spec's links (its own result when skipped or cut short)",
)

_SCHEMATHESIS: tuple[tuple[str, str, str], ...] = (
    ("not_a_server_error", "schemathesis:not_a_server_error", "no request, valid or not, is answered 5xx"),
    ("status_code_conformance", "#/paths/{path}/{method}/responses", "every status answered is documented"),
    (
        "content_type_conformance",
        "#/paths/{path}/{method}/responses/{status}/content",
        "the Content-Type is one the answer documents",
    ),
    (
        "response_schema_conformance",
        "#/paths/{path}/{method}/responses/{status}/content/application~1json/schema",
        "the body matches the answer's documented schema",
    ),
    (
        "response_headers_conformance",
        "#/paths/{path}/{method}/responses/{status}/headers",
        "the answer's documented headers are present and valid",
    ),
    (
        "negative_data_rejection",
        "#/paths/{path}/{method}/requestBody or parameters",
        "a request the spec does not allow is refused with a 4xx",
    ),
    (
        "positive_data_acceptance",
        "#/paths/{path}/{method}/requestBody or parameters",
        "a request the spec allows is accepted (statuses per operation in schemathesis.toml)",
    ),
    ("ignored_auth", "#/components/securitySchemes/ApiKey", "an operation needing a key refuses a missing or bad one"),
    ("use_after_free", "schemathesis:use_after_free", "a deleted resource is no longer found"),
    (
        "ensure_resource_availability",
        "schemathesis:ensure_resource_availability",
        "a resource just created is found by the operations its links lead to",
    ),
)
STATEFUL_PREFIX = "stateful:"
"""Ids of schemathesis' checks in the stateful phase carry this prefix (``stateful:not_a_server_error``)."""

SCHEMATHESIS_CHECKS: tuple[str, ...] = tuple(name for name, _, _ in _SCHEMATHESIS)
"""Every response check the schema suite asks schemathesis for (its whole response-checking set)."""

for _name, _rule, _description in _SCHEMATHESIS:
    _declare(_name, "schema", _rule, _description)
for _name, _rule, _description in _SCHEMATHESIS:
    _declare(f"{STATEFUL_PREFIX}{_name}", "schema", _rule, f"along the spec's links: {_description}")

# ----- bounds -----------------------------------------------------------------------------------------------------

BOUNDS_EDGE_VALUE = _declare(
    "bounds_edge_value",
    "bounds",
    "#/components/schemas (minimum, maximum, minLength, maxLength, minItems, maxItems, enum, x-invalid-examples)",
    "one edge of a bounded field (its own result when skipped or its request could not be made)",
)
EDGE_ACCEPTED = _declare(
    "edge_accepted",
    "bounds",
    "the field's bound keyword or its examples",
    "a value on the edge of a bound (or a documented example) is accepted; instances name field and edge",
)
OUTSIDE_REJECTED = _declare(
    "outside_rejected",
    "bounds",
    "#/components/responses/ValidationFailed",
    "a value just outside a bound (or an x-invalid-example) is refused as the spec says, naming the field: a 422, "
    "or (x-outside-bounds-answer) the batch item listed in rejected[]",
)

# ----- lifecycle --------------------------------------------------------------------------------------------------

INVOICE_LIFECYCLE_MATCHES_MODEL = _declare(
    "invoice_lifecycle_matches_model",
    "lifecycle",
    _TRANSITIONS,
    "random programs of creates, payments, expiries, cancels, clock moves and refunds leave every invoice as the "
    "oracle says",
)
TRANSITION_TABLE = _declare(
    "transition_table",
    "lifecycle",
    _TRANSITIONS,
    "each (status, action) pair: refused and unchanged where the table forbids it, led where it says otherwise",
)
REFUNDS_ADD_UP_TO_AMOUNT = _declare(
    "refunds_add_up_to_amount",
    "lifecycle",
    _REFUND,
    "partial refunds up to the amount are accepted and the totals follow them",
)
REFUND_OVER_AVAILABLE_REFUSED = _declare(
    "refund_over_available_refused",
    "lifecycle",
    _REFUND,
    "a refund one kopeck over available_for_refund is refused and changes nothing",
)
REFUND_WITHOUT_AMOUNT_TAKES_REST = _declare(
    "refund_without_amount_takes_rest",
    "lifecycle",
    "#/components/schemas/RefundRequest",
    "a refund without an amount refunds what is left",
)
REFUND_AFTER_FAILED_REFUND = _declare(
    "refund_after_failed_refund",
    "lifecycle",
    _REFUND,
    "after a failed refund the totals and further refunds keep to one reading of whether it still counts",
)
REFUND_NEEDS_PAYMENT = _declare(
    "refund_needs_payment",
    "lifecycle",
    f"{_TRANSITIONS}/statuses/pending/can_refund",
    "a refund of an invoice that was never paid is refused and changes nothing",
)
CANCEL_ONLY_PENDING = _declare(
    "cancel_only_pending",
    "lifecycle",
    f"{_TRANSITIONS}/statuses/paid/can_cancel",
    "only a pending invoice cancels: a paid one, or a second cancel, is refused",
)
QUEUED_CANCEL_COMPLETES = _declare(
    "queued_cancel_completes",
    "lifecycle",
    f"{_TRANSITIONS}/statuses/cancelling",
    "a queued cancel shows cancelled once the target's clock has moved a minute on",
)
TERMINAL_STATUSES_FINAL = _declare(
    "terminal_statuses_final",
    "lifecycle",
    f"{_TRANSITIONS}/statuses/expired/successors",
    "an expired invoice is neither cancelled nor expired again, and paid only where the table lets a late payment "
    "land (2.1)",
)
CART_AMOUNT_AND_ITEMS = _declare(
    "cart_amount_and_items",
    "lifecycle",
    "#/components/schemas/CartItemInput",
    "a cart invoice's amount is the sum of its items' prices times counts, and it lists them",
)
CART_ITEMS_SNAPSHOT = _declare(
    "cart_items_snapshot",
    "lifecycle",
    "#/components/schemas/InvoiceItem/description",
    "a cart invoice keeps its items' prices at creation when the catalog price changes",
)

NEW_INVOICE_SETTLES = _declare(
    "new_invoice_settles",
    "lifecycle",
    f"{_TRANSITIONS}/statuses/processing",
    "a new invoice answers processing and settles to pending (or error, which reconciliation brings back to pending); "
    "until then it is not refundable",
    versions=("2.1",),
)
DUPLICATE_IDEMPOTENCY_KEY_REFUSED = _declare(
    "duplicate_idempotency_key_refused",
    "lifecycle",
    "#/paths/~1invoices/post/x-idempotency",
    "a second create with a live invoice's external_order_id_idempotency is 409 duplicate_idempotency_key with "
    "that invoice's id and status; once it is cancelled the key creates a new invoice",
    versions=("2.1",),
)
SIMULATE_STATUS_ONLY_FROM_PENDING = _declare(
    "simulate_status_only_from_pending",
    "lifecycle",
    "#/paths/~1invoices~1{id}~1simulate-status/post/x-status-effect",
    "simulate-status moves only a pending invoice; from any other status it is 400 invalid_status_transition",
    versions=("2.1",),
)

# ----- auth -------------------------------------------------------------------------------------------------------

UNAUTHENTICATED_REJECTED = _declare(
    "unauthenticated_rejected",
    "auth",
    "#/components/responses/Unauthorized",
    "a request without a key, or with a wrong one, is answered 401",
)
UNVERIFIED_FORBIDDEN = _declare(
    "unverified_forbidden",
    "auth",
    "#/components/responses/Forbidden",
    "an unverified organization's key is answered 403",
)
FOREIGN_INVOICE_NOT_FOUND = _declare(
    "foreign_invoice_not_found",
    "auth",
    "#/components/responses/NotFound",
    "another organization's invoice does not exist for this key: 404, never 403 or its data",
)
FOREIGN_INVOICE_NOT_LISTED = _declare(
    "foreign_invoice_not_listed",
    "auth",
    "tenancy: an organization's lists and totals hold only its own invoices, refunds and items",
    "no list or status check answered to one organization holds another organization's invoices",
)
FOREIGN_INVOICE_NOT_IN_TOTALS = _declare(
    "foreign_invoice_not_in_totals",
    "auth",
    "tenancy: an organization's lists and totals hold only its own invoices, refunds and items",
    "another organization's invoices count in neither the list's total nor its pages",
)
FOREIGN_REFUND_NOT_LISTED = _declare(
    "foreign_refund_not_listed",
    "auth",
    "tenancy: an organization's lists and totals hold only its own invoices, refunds and items",
    "GET /refunds answered to one organization holds none of another organization's refunds",
)
FOREIGN_CATALOG_ITEM_NOT_LISTED = _declare(
    "foreign_catalog_item_not_listed",
    "auth",
    "tenancy: an organization's lists and totals hold only its own invoices, refunds and items",
    "the catalog answered to one organization holds none of another organization's items",
)
FOREIGN_RESOURCE_REFUSED = _declare(
    "foreign_resource_refused",
    "auth",
    "tenancy: an organization acts only on its own catalog items",
    "changing, deleting or putting in a cart another organization's catalog item is refused with a 4xx",
)
FOREIGN_WEBHOOK_REFUSED = _declare(
    "foreign_webhook_refused",
    "auth",
    "#/components/schemas/CreateInvoiceRequest/properties/webhook_id",
    "an invoice naming another organization's webhook_id is refused with a 4xx (its events would go to another's URL)",
    versions=("2026-02-13",),
)

# ----- lists ------------------------------------------------------------------------------------------------------

PAGES_YIELD_EACH_ONCE = _declare(
    "pages_yield_each_once",
    "lists",
    "#/components/schemas/PageMeta",
    "walking small pages yields each matching invoice once and every page's meta counts the model's rows",
)
SEARCH_DESCRIPTION_AND_ORDER_ID = _declare(
    "search_description_and_order_id",
    "lists",
    f"{_INVOICES_GET}/parameters/2/description",
    "search finds invoices by description and by external order id, and nothing else",
)
STATUS_FILTER = _declare(
    "status_filter",
    "lists",
    f"{_INVOICES_GET}/parameters/3/description",
    "status[] with one or several statuses returns exactly the model's invoices in them",
)
DATE_RANGE_INCLUSIVE = _declare(
    "date_range_inclusive",
    "lists",
    "#/components/parameters/DateTo/description",
    "date_from and date_to include both boundary days in one and the same zone's calendar",
)
SORTING = _declare(
    "sorting",
    "lists",
    f"{_INVOICES_GET}/parameters/6/schema",
    "every documented sort_by in both sort_orders orders the rows",
)
REFUND_FILTERS = _declare(
    "refund_filters",
    "lists",
    "#/paths/~1refunds/get/description",
    "GET /refunds filters by invoice_id, status[] and date as the model says",
)

# ----- webhooks ---------------------------------------------------------------------------------------------------

ONE_EVENT_PER_TRANSITION = _declare(
    "one_event_per_transition",
    "webhooks",
    f"{_TRANSITIONS}/webhooks",
    "each transition sends its event at least once and nothing else is sent (rejected steps send none)",
)
SIGNATURE_OVER_RAW_BYTES = _declare(
    "signature_over_raw_bytes",
    "webhooks",
    "#/components/parameters/WebhookSignature",
    "X-Webhook-Signature is sha256= and the HMAC-SHA256 of the raw bytes received",
)
PAYLOAD_MATCHES_SCHEMA = _declare(
    "payload_matches_schema",
    "webhooks",
    "#/webhooks",
    "each payload names a documented event and matches its schema",
)
PAYLOAD_DESCRIBES_INVOICE = _declare(
    "payload_describes_invoice",
    "webhooks",
    "#/webhooks",
    "each payload carries the invoice's amount and external order id",
)
DELIVERIES_RECORDED = _declare(
    "deliveries_recorded",
    "webhooks",
    "control API: GET /_control/webhooks/deliveries records every delivery attempted",
    "every delivery the receiver got is in the control API's log with status 200",
)

WEBHOOK_RETRIED = _declare(
    "webhook_retried",
    "webhooks",
    "#/x-webhook-delivery",
    "a delivery answered 5xx, 429 or not at all is sent again after each documented delay, as many times as "
    "documented and no more, the same event each time",
    versions=("2.1",),
)

# ----- concurrency ------------------------------------------------------------------------------------------------

PARALLEL_REFUNDS_WITHIN_AMOUNT = _declare(
    "parallel_refunds_within_amount",
    "concurrency",
    _REFUND,
    "refunds racing on one invoice add up to at most its amount and the totals equal those accepted",
)
CANCEL_OR_PAY_WINS = _declare(
    "cancel_or_pay_wins",
    "concurrency",
    f"{_TRANSITIONS}/statuses/pending/successors",
    "a cancel racing a payment: exactly one wins and the invoice ends in the winner's status",
)
PARALLEL_CREATES_UNIQUE = _declare(
    "parallel_creates_unique",
    "concurrency",
    "#/paths/~1invoices/post/responses/201",
    "invoices created together each get their own id and keep their own amount",
)
PARALLEL_CANCELS_ONE_WINS = _declare(
    "parallel_cancels_one_wins",
    "concurrency",
    f"{_TRANSITIONS}/statuses/cancelling/can_cancel",
    "cancels racing on one pending invoice: exactly one is accepted",
)
NO_SERVER_ERROR_UNDER_LOAD = _declare(
    "no_server_error_under_load",
    "concurrency",
    "#/paths",
    "no racing request is answered 5xx",
)

# ----- errors -----------------------------------------------------------------------------------------------------

ERROR_BODY_MATCHES_SCHEMA = _declare(
    "error_body_matches_schema",
    "errors",
    "#/components/responses",
    "a provoked error answers its documented status with the body the spec documents for it",
)
RATE_LIMIT_COUNTS_DOWN = _declare(
    "rate_limit_counts_down",
    "errors",
    "#/components/headers/RateLimitRemaining",
    "X-RateLimit-Remaining counts down to the 429",
)
DOCUMENTED_HEADERS_SENT = _declare(
    "documented_headers_sent",
    "errors",
    "#/paths/{path}/{method}/responses/{status}/headers",
    "every answer the errors suite provokes (its errors, the countdown, the 429) carries each header its documented "
    "response marks required, with a value of that header's schema",
)
UNUSUAL_TEXT_NOT_A_SERVER_ERROR = _declare(
    "unusual_text_not_a_server_error",
    "errors",
    "#/paths/{path}/{method}/responses",
    "unusual text (NUL, controls, long Unicode) in any string field is answered with a documented status, never 5xx",
)

CHECKS: Mapping[str, Check] = dict(sorted(_DECLARED.items(), key=lambda kv: SUITE_ORDER.index(kv[1].suite)))
"""Every declared check by id, in suite order and, within a suite, in the order declared here."""


def base_id(check_id: str) -> str:
    """The declared id an instance belongs to: ``edge_accepted[body.amount maximum]`` → ``edge_accepted``."""
    if check_id.endswith("]") and "[" in check_id:
        return check_id[: check_id.index("[")]
    return check_id


def lookup(check_id: str) -> Check | None:
    """The check a result's id names (an instance resolves to its check); ``None`` for an undeclared id."""
    return CHECKS.get(base_id(check_id))


def schemathesis_check(name: str, *, stateful: bool = False) -> Check:
    """The declared check of one schemathesis check name, in the per-operation or the stateful phase."""
    return CHECKS[f"{STATEFUL_PREFIX}{name}" if stateful else name]


def by_suite() -> Iterator[tuple[Suite, list[Check]]]:
    """Each suite with its checks, in reading order."""
    for suite in SUITES:
        yield suite, [c for c in CHECKS.values() if c.suite == suite.name]


START_MARKER = "<!-- checks:start -->"
END_MARKER = "<!-- checks:end -->"


def check_table() -> str:
    """The Markdown table of every check (``docs/suites.md`` holds it between markers; a test keeps it current)."""
    lines = [
        f"{len(CHECKS)} checks in {len(SUITES)} suites, declared in `apipay_harness/core/checks.py`. "
        "A report may name an instance of a check: `edge_accepted[body.amount maximum]`.",
        "",
        "| suite | check | rule | what passes | API versions |",
        "|---|---|---|---|---|",
    ]
    for suite, checks in by_suite():
        for check in checks:
            rule = f"`{check.rule}`" if check.rule.startswith("#") else check.rule
            cells = (suite.name, f"`{check.id}`", rule, check.description, ", ".join(check.versions) or "all")
            lines.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return "\n".join(lines) + "\n"
