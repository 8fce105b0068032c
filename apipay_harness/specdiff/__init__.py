"""``apipay-harness diff``: what changed between two OpenAPI specs for a client, each change judged breaking or not.

| module | job |
|---|---|
| ``loader`` | read an OpenAPI 3.0/3.1 file (numbers as Decimal), follow local ``$ref``s |
| ``shapes`` | what a client can observe of a value (types, enum, bounds, fields) |
| ``builder`` | a schema of either OpenAPI version turned into a shape |
| ``combine`` | ``allOf`` as intersection, ``oneOf``/``anyOf`` as union |
| ``surface`` | an operation's client-facing surface: parameters, body, responses, credentials |
| ``compare`` | the rules for one value's schema, request or response side |
| ``strings`` | whether a pattern/format change lets some string through: a witness, not a guess |
| ``pagination`` | list envelopes (``{data, meta}``, flat, ``{data, links, meta}``) |
| ``operations`` | the rules for an operation as a whole: credentials, parameters, bodies, statuses |
| ``transitions`` | ``x-status-transitions`` status machines |
| ``delivery`` | ``x-webhook-delivery``: how soon a receiver answers, how often a webhook is retried |
| ``changes`` | every kind of change and its verdict, declared once |
| ``diff`` | match two specs and collect the changes |
| ``render`` | the Markdown and JSON reports |
"""

from __future__ import annotations

from apipay_harness.specdiff.changes import KINDS, Change, Kind, rule_table
from apipay_harness.specdiff.diff import DiffReport, SpecInfo, diff_documents, diff_files
from apipay_harness.specdiff.loader import Document, load_document

__all__ = [
    "KINDS",
    "Change",
    "DiffReport",
    "Document",
    "Kind",
    "SpecInfo",
    "diff_documents",
    "diff_files",
    "load_document",
    "rule_table",
]
