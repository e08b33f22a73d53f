"""Reading SCIM requests: the JSON body, list parameters and filters, and writing answers."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, TypeVar

from flask import Response, request
from pydantic import ValidationError
from scim2_models import (
    BaseModel,
    Context,
    Error,
    InvalidFilterException,
    ListResponse,
    Resource,
    ResponseParameters,
    SCIMException,
    ScimFilter,
)
from scim2_models.path import CompareOperator, Comparison, FilterNode, LogicalExpr, LogicalOperator
from sqlalchemy import ColumnElement, Select, and_, false, func, select
from sqlalchemy.orm import InstrumentedAttribute

from tracker.extensions import db
from tracker.scim.auth import Refused, scim_json
from tracker.scim.provisioning import row_id

R = TypeVar("R", bound=BaseModel)
MAX_RESULTS = 200  # the most resources one page holds (ServiceProviderConfig says so)


def json_body() -> Any:
    """Return the request's JSON body (application/scim+json or application/json)."""
    kind = (request.mimetype or "").lower()
    if kind not in ("application/scim+json", "application/json"):
        raise Refused(
            400, "Send a JSON body with Content-Type: application/scim+json.", "invalidSyntax"
        )
    body = request.get_json(silent=True)  # the app's guard has bounded its size and depth
    if body is None:
        raise Refused(400, "The body is not valid JSON.", "invalidSyntax")
    if _holds_nul(body):  # no database can store or compare such text
        raise Refused(
            400, "The body holds a NUL character, which no text may contain.", "invalidValue"
        )
    return body


def _holds_nul(value: Any) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_holds_nul(k) or _holds_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def parse(model: type[R], body: Any, context: Context) -> R:
    """Validate `body` as `model` in `context`; refuse with a SCIM error (invalidSyntax…) if not."""
    if not isinstance(body, dict):
        raise Refused(400, "The body must be a JSON object.", "invalidSyntax")
    try:
        return model.model_validate(body, scim_ctx=context)
    except ValidationError as error:
        first = Error.from_validation_errors(error)[0]
        raise SCIMException.from_error(first) from None


@dataclass(frozen=True)
class Page:
    """What a list request asks: a filter, where to start (1-based) and how many."""

    filter: FilterNode | None
    start: int
    count: int
    parameters: ResponseParameters[Any]


def page_arguments() -> Page:
    """Read filter, startIndex, count, attributes and excludedAttributes from the query string."""
    text = request.args.get("filter", "").strip()
    node = None
    if text:
        try:
            node = ScimFilter(text).ast
        except (InvalidFilterException, ValueError) as error:
            raise Refused(
                400, f"The filter {text!r} is not valid: {error}", "invalidFilter"
            ) from None
    start = max(_integer("startIndex", 1), 1)  # RFC 7644 §3.4.2.4: below 1 means 1
    count = min(max(_integer("count", MAX_RESULTS), 0), MAX_RESULTS)
    try:
        parameters = ResponseParameters[Any].model_validate(
            {k: v for k, v in request.args.items() if k in ("attributes", "excludedAttributes")}
        )
    except ValidationError as error:
        first = Error.from_validation_errors(error)[0]
        raise Refused(400, f"attributes: {first.detail}", "invalidValue") from None
    return Page(node, start, count, parameters)


def selected(
    query: Select[Any], page: Page, filters: dict[str, Any], key: Any
) -> tuple[int, list[Any]]:
    """Return how many rows `query` under the page's filter holds, and the page's rows by `key`.

    Two statements, whatever the number of rows.
    """
    clause = where(page.filter, filters)
    if clause is not None:
        query = query.where(clause)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = db.session.scalars(query.order_by(key).offset(page.start - 1).limit(page.count))
    return total, list(rows)


def _integer(name: str, default: int) -> int:
    given = request.args.get(name, "").strip()
    if not given:
        return default
    if not given.lstrip("-").isdigit() or len(given) > 9:
        raise Refused(400, f"{name} must be a whole number, not {given!r}.", "invalidValue")
    return int(given)


def where(node: FilterNode | None, columns: dict[str, Any]) -> ColumnElement[bool] | None:
    """Translate a filter into a WHERE clause over `columns` ({attribute: column or callable}).

    `eq` on the mapped attributes, joined with `and`; anything else is invalidFilter.
    """
    if node is None:
        return None
    if isinstance(node, LogicalExpr) and node.op is LogicalOperator.and_:
        clauses = [where(term, columns) for term in node.terms]
        return and_(*(c for c in clauses if c is not None))
    if isinstance(node, Comparison) and node.op is CompareOperator.eq and not node.attr_path.uri:
        name = node.attr_path.attr + (
            f".{node.attr_path.sub_attr}" if node.attr_path.sub_attr else ""
        )
        column = {key.lower(): value for key, value in columns.items()}.get(name.lower())
        if column is not None:
            return _equals(column, node.value)
    supported = ", ".join(f'{name} eq "…"' for name in columns)
    raise Refused(
        400,
        f"The filter {str(node)!r} is not supported here: use {supported}, joined with and.",
        "invalidFilter",
    )


def _equals(column: Any, value: Any) -> ColumnElement[bool]:
    if callable(column) and not isinstance(column, InstrumentedAttribute):
        return column(value)  # type: ignore[no-any-return]
    if isinstance(value, bool) or value is None:
        return column == value  # type: ignore[no-any-return]
    return func.lower(column) == str(value).lower()  # string comparisons ignore case here


def id_equals(column: Any) -> Any:
    """Return a filter function matching `column` against an id given as text."""

    def matches(value: Any) -> ColumnElement[bool]:
        number = row_id(str(value))
        return false() if number is None else column == number

    return matches


def listed(model: Any, resources: list[R], total: int, page: Page) -> Response:
    """A ListResponse of `resources` (of `model`), the `total` that match, from `page.start`."""
    answer = ListResponse[model](
        total_results=total,
        start_index=page.start,
        items_per_page=len(resources),
        resources=resources,
    )
    body = answer.model_dump(scim_ctx=Context.SEARCH_RESPONSE, response_parameters=page.parameters)
    return scim_json(body)


def one(resource: Resource[Any], context: Context, status: int = 200) -> Response:
    """`resource` as the answer to a request in `context`, with its Location when created."""
    parameters = None
    if request.method == "GET":
        parameters = page_arguments().parameters
    body = resource.model_dump(scim_ctx=context, response_parameters=parameters)
    response = scim_json(body, status)
    if status == 201 and resource.meta is not None and resource.meta.location:
        response.headers["Location"] = str(resource.meta.location)
    return response
