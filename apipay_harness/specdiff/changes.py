"""Every kind of change the diff reports, each declared once with its verdict for a client.

The principle behind every verdict: a client written for the old spec keeps working if the server still
accepts everything the client was allowed to send, and sends nothing the client was not told to expect.
So on the request side a change that *narrows* what is accepted breaks and one that widens it does not;
on the response side a change that *widens* what may arrive breaks and one that narrows it does not.
Three refinements: a request field or parameter that disappears breaks (the client's intent is silently
dropped); a response enum is a closed set of meanings, so a value removed breaks as well as a value added
(a client waiting for ``refunded`` is never told); error bodies are open sets of reasons, so new error
codes and statuses do not break, while error fields a client reads still must not vanish or change type.

``docs/diff.md`` carries the table :func:`rule_table` renders; a test keeps the two equal.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["KINDS", "Change", "Kind", "rule_table"]


@dataclass(frozen=True, slots=True)
class Kind:
    """One rule of the diff: its name, whether a change of this kind breaks a client, and why."""

    name: str
    breaking: bool
    rule: str


KINDS: dict[str, Kind] = {}
"""Every kind, by name, in the order they are declared (the order of the rule table)."""


def _kind(name: str, breaking: bool, rule: str) -> Kind:
    if name in KINDS:
        raise ValueError(f"change kind {name!r} declared twice")
    kind = Kind(name, breaking, rule)
    KINDS[name] = kind
    return kind


@dataclass(frozen=True, slots=True)
class Change:
    """One difference between two specs, as a client of one operation sees it."""

    kind: Kind
    operation: str
    """``METHOD /path`` (the new spec's spelling when both have it), ``WEBHOOK name`` or ``STATUSES Schema``."""
    operation_id: str | None
    where: str
    """The part of the operation: ``request body``, ``query parameter page``, ``response 201 body``..."""
    path: str
    """The field inside it (``items[].name``), empty for the part as a whole."""
    message: str

    @property
    def breaking(self) -> bool:
        """Whether a client written for the old spec breaks."""
        return self.kind.breaking


OPERATION_REMOVED = _kind("operation-removed", True, "An operation of the old spec is gone: calling it fails.")
OPERATION_ADDED = _kind("operation-added", False, "A new operation: no existing call changes.")
OPERATION_DEPRECATED = _kind("operation-deprecated", False, "An operation is now deprecated; it still works.")
WEBHOOK_REMOVED = _kind("webhook-removed", True, "A webhook of the old spec is no longer sent: the client is not told.")
WEBHOOK_ADDED = _kind("webhook-added", False, "A new webhook event; a receiver ignores events it does not know.")
SECURITY_ADDED = _kind("security-added", True, "An operation that needed no credentials now needs them.")
SECURITY_REMOVED = _kind(
    "security-removed", False, "An operation no longer needs credentials; sending them is harmless."
)
SECURITY_CHANGED = _kind(
    "security-changed", True, "A way of authenticating the old spec accepted is no longer accepted."
)

PARAMETER_REMOVED = _kind(
    "parameter-removed", True, "A parameter is gone: a client still sending it is ignored or rejected."
)
PARAMETER_ADDED_REQUIRED = _kind("parameter-added-required", True, "A new required parameter old clients do not send.")
PARAMETER_ADDED_OPTIONAL = _kind("parameter-added-optional", False, "A new optional parameter.")
PARAMETER_ADDED_FILTERING = _kind(
    "parameter-added-filtering",
    True,
    "A new multi-value filter whose default keeps only some values (statuses[] defaults to active): "
    "requests that omit it, as every old one does, now get less.",
)
PARAMETER_BECAME_REQUIRED = _kind("parameter-became-required", True, "An optional parameter is now required.")
PARAMETER_BECAME_OPTIONAL = _kind("parameter-became-optional", False, "A required parameter is now optional.")
PARAMETER_STYLE_CHANGED = _kind(
    "parameter-style-changed", True, "A parameter is serialized differently (style or explode), so old URLs misparse."
)

REQUEST_BODY_ADDED_REQUIRED = _kind(
    "request-body-added-required", True, "An operation that took no body now requires one old clients do not send."
)
REQUEST_BODY_ADDED_OPTIONAL = _kind("request-body-added-optional", False, "An operation now takes an optional body.")
REQUEST_BODY_BECAME_REQUIRED = _kind("request-body-became-required", True, "An optional request body is now required.")
REQUEST_BODY_BECAME_OPTIONAL = _kind("request-body-became-optional", False, "A required request body is now optional.")
REQUEST_BODY_REMOVED = _kind(
    "request-body-removed", True, "The request body is no longer documented: what is sent is ignored."
)
REQUEST_MEDIA_TYPE_REMOVED = _kind(
    "request-media-type-removed",
    True,
    "A content type the client sends (a body or a multipart part) is no longer accepted.",
)
REQUEST_MEDIA_TYPE_ADDED = _kind("request-media-type-added", False, "A further content type is accepted.")
REQUEST_FIELD_REMOVED = _kind(
    "request-field-removed", True, "A request field is gone: a client still sending it is ignored."
)
REQUEST_FIELD_ADDED_REQUIRED = _kind(
    "request-field-added-required", True, "A new required request field old clients lack."
)
REQUEST_FIELD_ADDED_OPTIONAL = _kind("request-field-added-optional", False, "A new optional request field.")
REQUEST_FIELD_BECAME_REQUIRED = _kind(
    "request-field-became-required", True, "An optional request field is now required."
)
REQUEST_FIELD_BECAME_OPTIONAL = _kind(
    "request-field-became-optional", False, "A required request field is now optional."
)
REQUEST_EXTRA_FIELDS_REFUSED = _kind(
    "request-extra-fields-refused", True, "An object that admitted undeclared fields now refuses them."
)
REQUEST_TYPE_NARROWED = _kind(
    "request-type-narrowed", True, "A request value's type accepts less (number to integer, null no longer allowed...)."
)
REQUEST_TYPE_WIDENED = _kind("request-type-widened", False, "A request value's type accepts more.")
REQUEST_ENUM_VALUE_REMOVED = _kind(
    "request-enum-value-removed", True, "A value the client may send is no longer accepted."
)
REQUEST_ENUM_VALUE_ADDED = _kind("request-enum-value-added", False, "A further value is accepted.")
REQUEST_ENUM_ADDED = _kind("request-enum-added", True, "A free request value is now limited to a list.")
REQUEST_ENUM_REMOVED = _kind("request-enum-removed", False, "A request value limited to a list is now free.")
REQUEST_BOUND_NARROWED = _kind(
    "request-bound-narrowed",
    True,
    "A request bound is tighter (minimum, maximum, exclusive limits, multipleOf, lengths, item counts).",
)
REQUEST_BOUND_WIDENED = _kind("request-bound-widened", False, "A request bound is looser or gone.")
REQUEST_FORMAT_NARROWED = _kind(
    "request-format-narrowed", True, "A pattern or format rejects a string the old one accepted (the report shows one)."
)
REQUEST_FORMAT_CHANGED = _kind(
    "request-format-changed",
    False,
    "A pattern or format changed, and no string the old one accepted was found that the new one rejects.",
)
REQUEST_DEFAULT_CHANGED = _kind(
    "request-default-changed",
    True,
    "The default of a parameter or field changed: omitting it now means something else.",
)

SUCCESS_STATUS_ADDED = _kind(
    "success-status-added", True, "A new success status (201 to 202, 200 or 202): a client must handle another answer."
)
SUCCESS_STATUS_REMOVED = _kind("success-status-removed", False, "A success status is no longer answered.")
ERROR_STATUS_ADDED = _kind(
    "error-status-added", False, "A new error status; clients handle unknown errors by their class (4xx, 5xx)."
)
ERROR_STATUS_REMOVED = _kind("error-status-removed", False, "An error status is no longer documented.")
RESPONSE_BODY_DOCUMENTED = _kind(
    "response-body-documented", False, "A response body the old spec left undocumented is now described."
)
RESPONSE_BODY_REMOVED = _kind("response-body-removed", True, "A described response body is no longer documented.")
RESPONSE_MEDIA_TYPE_REMOVED = _kind("response-media-type-removed", True, "A response content type is no longer sent.")
RESPONSE_MEDIA_TYPE_ADDED = _kind("response-media-type-added", False, "A further response content type is documented.")
RESPONSE_HEADER_REMOVED = _kind("response-header-removed", True, "A header the client may read is no longer sent.")
RESPONSE_HEADER_ADDED = _kind("response-header-added", False, "A new header in an answer.")
RESPONSE_FIELD_REMOVED = _kind("response-field-removed", True, "A response field the client may read is gone.")
RESPONSE_FIELD_ADDED = _kind(
    "response-field-added", False, "A new response field; clients ignore fields they do not know."
)
RESPONSE_FIELD_BECAME_OPTIONAL = _kind("response-field-became-optional", True, "A response field may now be absent.")
RESPONSE_FIELD_BECAME_REQUIRED = _kind(
    "response-field-became-required", False, "A response field is now always present."
)
RESPONSE_TYPE_WIDENED = _kind(
    "response-type-widened", True, "A response value may now have another type (string to number, or null)."
)
RESPONSE_TYPE_NARROWED = _kind("response-type-narrowed", False, "A response value has fewer possible types.")
RESPONSE_ENUM_VALUE_ADDED = _kind(
    "response-enum-value-added", True, "A response enum gains a value (a new status): a client must handle it."
)
RESPONSE_ENUM_VALUE_REMOVED = _kind(
    "response-enum-value-removed",
    True,
    "A response enum loses a value: a client waiting for or branching on it is never told.",
)
RESPONSE_ENUM_REMOVED = _kind("response-enum-removed", True, "A response value limited to a list may now be anything.")
RESPONSE_ENUM_ADDED = _kind("response-enum-added", False, "A free response value is now limited to a list.")
ERROR_ENUM_CHANGED = _kind(
    "error-enum-changed", False, "An enum in an error body (error codes) gained or lost values: errors are an open set."
)
RESPONSE_BOUND_WIDENED = _kind(
    "response-bound-widened", True, "A response bound is looser or gone: values outside the old one may arrive."
)
RESPONSE_BOUND_NARROWED = _kind("response-bound-narrowed", False, "A response bound is tighter.")
RESPONSE_FORMAT_WIDENED = _kind(
    "response-format-widened", True, "A response string may break the old pattern or format (the report shows one)."
)
RESPONSE_FORMAT_CHANGED = _kind(
    "response-format-changed",
    False,
    "A response pattern or format changed, and no new string was found that the old one rejects.",
)
PAGINATION_ENVELOPE_CHANGED = _kind(
    "pagination-envelope-changed",
    True,
    "A list's envelope changed ({data, meta} to flat {current_page, data, total}...) and pagination fields moved.",
)
PAGINATION_ENVELOPE_EXTENDED = _kind(
    "pagination-envelope-extended", False, "A list's envelope gained keys; every old pagination field is still there."
)

STATUS_ADDED = _kind("status-added", True, "A status machine has a new status a client must handle.")
STATUS_REMOVED = _kind("status-removed", True, "A status is gone: a client waiting for it waits forever.")
TRANSITION_ADDED = _kind("transition-added", True, "A new transition into or out of a status (cancelled to paid...).")
TRANSITION_REMOVED = _kind(
    "transition-removed", True, "A transition is gone: a client expecting that move never sees it."
)
INITIAL_STATUS_CHANGED = _kind("initial-status-changed", True, "Objects start in another status.")
ACTION_WITHDRAWN = _kind("action-withdrawn", True, "An action (cancel, refund...) is no longer allowed in a status.")
ACTION_ALLOWED = _kind("action-allowed", False, "An action is now allowed in a further status.")
WEBHOOK_STATUS_ADDED = _kind("webhook-status-added", True, "A webhook is now sent for a further status.")
WEBHOOK_STATUS_REMOVED = _kind("webhook-status-removed", True, "A webhook is no longer sent for a status.")
DELIVERY_DEADLINE_SHORTENED = _kind(
    "delivery-deadline-shortened", True, "A webhook receiver must answer sooner (x-webhook-delivery)."
)
DELIVERY_DEADLINE_LENGTHENED = _kind("delivery-deadline-lengthened", False, "A webhook receiver may answer later.")
DELIVERY_RETRIES_STARTED = _kind(
    "delivery-retries-started", True, "Webhooks that were sent once are now retried: a receiver sees repeats."
)
DELIVERY_RETRIES_STOPPED = _kind(
    "delivery-retries-stopped", True, "Webhooks are no longer retried: a delivery that fails is lost."
)
DELIVERY_RETRIES_CHANGED = _kind(
    "delivery-retries-changed", False, "Retried webhooks are retried a different number of times."
)


def rule_table() -> str:
    """The rules as the Markdown table ``docs/diff.md`` shows."""
    lines = ["| kind | breaking | rule |", "|---|---|---|"]
    for kind in KINDS.values():
        lines.append(f"| `{kind.name}` | {'yes' if kind.breaking else 'no'} | {kind.rule} |")
    return "\n".join(lines) + "\n"
