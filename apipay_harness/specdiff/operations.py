"""The rules for one operation as a whole: credentials, parameters, request body, status codes, answers.

A webhook is compared the other way round: its payload and headers travel from the server to the
client, so they follow the response rules.
"""

from __future__ import annotations

from apipay_harness.specdiff import changes as k
from apipay_harness.specdiff.compare import Direction, Site, compare_shapes
from apipay_harness.specdiff.pagination import compare_envelopes
from apipay_harness.specdiff.shapes import Shape
from apipay_harness.specdiff.surface import Body, Param, Response, Surface

__all__ = ["compare_surfaces"]


def compare_surfaces(old: Surface, new: Surface, site: Site) -> None:
    """Record every change a client of this operation (or receiver of this webhook) can observe."""
    if new.deprecated and not old.deprecated:
        site.at("operation").emit(k.OPERATION_DEPRECATED, "", "now deprecated")
    if old.security is not None and new.security is not None:
        _security(old.security, new.security, site.at("credentials"))
    direction: Direction = "response" if old.kind == "webhook" else "request"
    _params(old.params, new.params, site, direction)
    if direction == "response":
        if old.body is not None and new.body is not None:
            _payload(old.body, new.body, site.at("payload", direction="response"))
        return
    _request_body(old.body, new.body, site.at("request body"))
    _responses(old.responses, new.responses, site)


def _security(
    old: frozenset[frozenset[tuple[str, ...]]], new: frozenset[frozenset[tuple[str, ...]]], site: Site
) -> None:
    old_open, new_open = frozenset() in old, frozenset() in new
    if old_open and not new_open:
        site.emit(k.SECURITY_ADDED, "", "credentials are now required")
    elif new_open and not old_open:
        site.emit(k.SECURITY_REMOVED, "", "credentials are no longer required")
    elif not old <= new:
        gone = ", ".join(" + ".join("/".join(part) for part in sorted(way)) for way in sorted(old - new, key=sorted))
        site.emit(k.SECURITY_CHANGED, "", f"no longer accepted: {gone}")


def _params(
    old: dict[tuple[str, str], Param], new: dict[tuple[str, str], Param], site: Site, direction: Direction
) -> None:
    for key in [*old, *(key for key in new if key not in old)]:
        o, n = old.get(key), new.get(key)
        shown = n or o
        assert shown is not None
        at = site.at(shown.label, direction=direction)
        if n is None:
            kind = k.PARAMETER_REMOVED if direction == "request" else k.RESPONSE_HEADER_REMOVED
            at.emit(kind, "", "no longer documented")
            continue
        if o is None:
            if direction == "response":
                at.emit(k.RESPONSE_HEADER_ADDED, "", "new header")
            elif n.required:
                at.emit(k.PARAMETER_ADDED_REQUIRED, "", "new required parameter")
            elif (kept := _filtering_default(n.shape)) is not None:
                at.emit(k.PARAMETER_ADDED_FILTERING, "", f"new filter; omitted, it keeps only {kept}")
            else:
                default = f" (default {n.shape.default})" if n.shape.has_default else ""
                at.emit(k.PARAMETER_ADDED_OPTIONAL, "", f"new optional parameter{default}")
            continue
        if o.required != n.required and direction == "request":
            kind = k.PARAMETER_BECAME_REQUIRED if n.required else k.PARAMETER_BECAME_OPTIONAL
            at.emit(kind, "", "now required" if n.required else "no longer required")
        elif o.required and not n.required:
            at.emit(k.RESPONSE_FIELD_BECAME_OPTIONAL, "", "may now be absent")
        if direction == "request" and (o.style, o.explode) != (n.style, n.explode):
            at.emit(k.PARAMETER_STYLE_CHANGED, "", f"style {o.style}/{o.explode} -> {n.style}/{n.explode}")
        compare_shapes(o.shape, n.shape, at)


def _filtering_default(shape: Shape) -> str | None:
    """For a multi-value enum parameter whose default is a proper subset of its values, that subset."""
    values = shape.items.enum if shape.items is not None else None
    default = shape.default if shape.has_default else None
    if values is None or not isinstance(default, list) or not set(default) < set(values):
        return None
    return f"{', '.join(str(v) for v in default)} of {', '.join(str(v) for v in values)}"


def _request_body(old: Body | None, new: Body | None, site: Site) -> None:
    if old is None and new is None:
        return
    if old is None:
        assert new is not None
        kind = k.REQUEST_BODY_ADDED_REQUIRED if new.required else k.REQUEST_BODY_ADDED_OPTIONAL
        site.emit(kind, "", f"{'required' if new.required else 'optional'} body ({', '.join(new.media)})")
        return
    if new is None:
        site.emit(k.REQUEST_BODY_REMOVED, "", "no longer documented")
        return
    if old.required != new.required:
        kind = k.REQUEST_BODY_BECAME_REQUIRED if new.required else k.REQUEST_BODY_BECAME_OPTIONAL
        site.emit(kind, "", "now required" if new.required else "no longer required")
    for media in old.media.keys() - new.media.keys():
        site.emit(k.REQUEST_MEDIA_TYPE_REMOVED, "", f"{media} no longer accepted")
    for media in new.media.keys() - old.media.keys():
        site.emit(k.REQUEST_MEDIA_TYPE_ADDED, "", f"{media} now accepted")
    for media_old, media_new in _pairs(list(old.media), list(new.media)):
        compare_shapes(old.media[media_old], new.media[media_new], site)
        _part_types(old.part_types.get(media_old, {}), new.part_types.get(media_new, {}), site)


def _part_types(old: dict[str, frozenset[str]], new: dict[str, frozenset[str]], site: Site) -> None:
    for name, types in old.items():
        gone = types - new.get(name, types)
        if gone and new.get(name):
            site.emit(
                k.REQUEST_MEDIA_TYPE_REMOVED, name, f"part content types no longer accepted: {', '.join(sorted(gone))}"
            )


def _pairs(old: list[str], new: list[str]) -> list[tuple[str, str]]:
    """Media types to compare: those in both, or the only one of each side when they differ."""
    common = [(m, m) for m in old if m in new]
    if common or len(old) != 1 or len(new) != 1:
        return common
    return [(old[0], new[0])]


def _responses(old: dict[str, Response], new: dict[str, Response], site: Site) -> None:
    old_success = [s for s in old if old[s].success]
    new_success = [s for s in new if new[s].success]
    for status in new_success:
        if status not in old:
            before = f"; the old spec answers {', '.join(old_success)}" if old_success else ""
            site.at(f"response {status}").emit(k.SUCCESS_STATUS_ADDED, "", f"new success status {status}{before}")
    for status in old_success:
        if status not in new:
            site.at(f"response {status}").emit(k.SUCCESS_STATUS_REMOVED, "", "no longer answered")
    for status in new:
        if status not in old and not new[status].success:
            site.at(f"response {status}").emit(k.ERROR_STATUS_ADDED, "", "new error status")
    for status in old:
        if status not in new and not old[status].success:
            site.at(f"response {status}").emit(k.ERROR_STATUS_REMOVED, "", "no longer documented")
    for status in old:
        if status in new:
            at = site.at(f"response {status}", direction="response", error=not old[status].success)
            _response(old[status], new[status], at)


def _response(old: Response, new: Response, site: Site) -> None:
    for name in [*old.headers, *(n for n in new.headers if n not in old.headers)]:
        o, n = old.headers.get(name), new.headers.get(name)
        shown = n if n is not None else o
        at = site.at(f"{site.where} header {shown.name if shown is not None else name}")
        if n is None:
            at.emit(k.RESPONSE_HEADER_REMOVED, "", "no longer sent")
        elif o is None:
            at.emit(k.RESPONSE_HEADER_ADDED, "", "new header")
        else:
            if o.required and not n.required:
                at.emit(k.RESPONSE_FIELD_BECAME_OPTIONAL, "", "may now be absent")
            compare_shapes(o.shape, n.shape, at)
    body = site.at(f"{site.where} body")
    if not old.media and new.media:
        body.emit(k.RESPONSE_BODY_DOCUMENTED, "", f"now described ({', '.join(new.media)})")
        return
    if old.media and not new.media:
        body.emit(k.RESPONSE_BODY_REMOVED, "", "no longer described")
        return
    for media in old.media.keys() - new.media.keys():
        body.emit(k.RESPONSE_MEDIA_TYPE_REMOVED, "", f"{media} no longer sent")
    for media in new.media.keys() - old.media.keys():
        body.emit(k.RESPONSE_MEDIA_TYPE_ADDED, "", f"{media} may now be sent")
    for media_old, media_new in _pairs(list(old.media), list(new.media)):
        _schemas(old.media[media_old], new.media[media_new], body, paginated=old.success)


def _schemas(old: Shape | None, new: Shape | None, site: Site, *, paginated: bool) -> None:
    if old is None and new is not None:
        site.emit(k.RESPONSE_BODY_DOCUMENTED, "", "schema now given")
    elif old is not None and new is None:
        site.emit(k.RESPONSE_BODY_REMOVED, "", "schema no longer given")
    elif old is not None and new is not None:
        skip = compare_envelopes(old, new, site) if paginated else frozenset()
        compare_shapes(old, new, site, skip=skip)


def _payload(old: Body, new: Body, site: Site) -> None:
    for media_old, media_new in _pairs(list(old.media), list(new.media)):
        compare_shapes(old.media[media_old], new.media[media_new], site)
