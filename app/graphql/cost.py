"""What an operation costs, from its document before it runs and from its result after.

The prices are the schema's @cost and @listSize directives (app.graphql.directives), read
as the IBM GraphQL Cost Directive specification has them: an object costs 1 unless its
field says otherwise, a scalar or enum 0, and a list its weight and its items' cost for each
item it may hold. Before execution a list holds as many items as its slicing argument asks
(`first`, or its default); after it, as many as it returned. The report is Shopify's
`extensions.cost`.
"""

from __future__ import annotations

import math
from collections.abc import AsyncIterator, Iterator, Mapping
from itertools import chain
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    get_named_type,
    get_nullable_type,
    get_operation_ast,
    is_composite_type,
    is_list_type,
)
from graphql.execution.values import VariableValues, get_argument_values, get_variable_values
from strawberry.extensions import SchemaExtension
from strawberry.types.graphql import OperationType

from app.errors import AppError
from app.graphql.directives import Cost, ListSize
from app.throttle import ThrottleStatus

INTROSPECTION_COST = 1  # a __schema or __type field, whatever it selects


class _Walk:
    """One operation's fields, with its fragments and variables at hand."""

    def __init__(self, document: DocumentNode, variables: VariableValues | None = None) -> None:
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.variables = variables

    def fields(self, selections: SelectionSetNode) -> list[FieldNode]:
        """The fields selected, one per response key, as execution merges them: the first
        node of each key, with the selections of all of them."""
        merged: dict[str, list[FieldNode]] = {}
        for node in self._nodes(selections):
            merged.setdefault((node.alias or node.name).value, []).append(node)
        fields = []
        for first, *others in merged.values():
            if others and first.selection_set is not None:
                below = [n.selection_set.selections for n in (first, *others) if n.selection_set]
                first = FieldNode(
                    alias=first.alias,
                    name=first.name,
                    arguments=first.arguments,
                    directives=first.directives,
                    selection_set=SelectionSetNode(selections=tuple(chain.from_iterable(below))),
                )
            fields.append(first)
        return fields

    def _nodes(self, selections: SelectionSetNode) -> Iterator[FieldNode]:
        for selection in selections.selections:
            if isinstance(selection, FieldNode):
                yield selection
            elif isinstance(selection, InlineFragmentNode):
                yield from self._nodes(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    yield from self._nodes(fragment.selection_set)

    def requested(
        self,
        selections: SelectionSetNode,
        parent: GraphQLObjectType,
        sizes: Mapping[str, int],
    ) -> float:
        """The most the selections may cost; `sizes` are the list sizes that the parent
        field's @listSize gives its sized fields."""
        total = 0.0
        for node in self.fields(selections):
            name = node.name.value
            if name.startswith("__"):
                total += INTROSPECTION_COST if name != "__typename" else 0
                continue
            field = parent.fields[name]
            weight, list_size = _price(field)
            items = sizes.get(name, 1)
            inner: dict[str, int] = {}
            if list_size is not None:
                size = _size(list_size, get_argument_values(field, node, self.variables))
                if list_size.sized_fields:
                    inner = dict.fromkeys(list_size.sized_fields, size)
                elif is_list_type(get_nullable_type(field.type)):
                    items = size
            child = get_named_type(field.type)
            below = 0.0
            if node.selection_set is not None and isinstance(child, GraphQLObjectType):
                below = self.requested(node.selection_set, child, inner)
            total += items * (weight + below)
        return total

    def actual(self, selections: SelectionSetNode, parent: GraphQLObjectType, data: Any) -> float:
        """What the selections cost for the values they returned."""
        total = 0.0
        for node in self.fields(selections):
            name = node.name.value
            if name.startswith("__"):
                total += INTROSPECTION_COST if name != "__typename" else 0
                continue
            field = parent.fields[name]
            weight, _ = _price(field)
            key = (node.alias or node.name).value
            if not isinstance(data, dict) or key not in data:  # skipped (@skip, @include)
                continue
            value = data[key]
            child = get_named_type(field.type)
            values = value if isinstance(value, list) else [value]
            for item in values:
                below = 0.0
                if item is not None and node.selection_set and isinstance(child, GraphQLObjectType):
                    below = self.actual(node.selection_set, child, item)
                total += weight + below
        return total


def _price(field: GraphQLField) -> tuple[float, ListSize | None]:
    definition = (field.extensions or {}).get("strawberry-definition")
    directives = getattr(definition, "directives", None) or ()
    weight = 1.0 if is_composite_type(get_named_type(field.type)) else 0.0
    list_size = None
    for directive in directives:
        if isinstance(directive, Cost):
            weight = float(directive.weight)
        elif isinstance(directive, ListSize):
            list_size = directive
    return weight, list_size


def _size(list_size: ListSize, arguments: Mapping[str, Any]) -> int:
    for name in list_size.slicing_arguments or ():
        value = arguments.get(name)
        if isinstance(value, int):
            return max(value, 0)
    return list_size.assumed_size or 0


def requested_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
) -> int | None:
    """The most the operation may cost; None when it cannot run (no such operation, or bad
    variables), which execution then reports."""
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        return None
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    if isinstance(coerced, list):
        return None
    return coerced_cost(schema, document, operation, coerced)


def coerced_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation: OperationDefinitionNode,
    variables: VariableValues | None,
) -> int | None:
    """requested_cost of an operation whose variables are coerced already (None: without
    them, where no slicing argument refers to one)."""
    root = schema.get_root_type(operation.operation)
    if root is None:
        return None
    return math.ceil(_Walk(document, variables).requested(operation.selection_set, root, {}))


def actual_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    data: Mapping[str, Any] | None,
) -> int:
    operation = get_operation_ast(document, operation_name)
    root = None if operation is None else schema.get_root_type(operation.operation)
    if operation is None or root is None or data is None:
        return 0
    return math.ceil(_Walk(document).actual(operation.selection_set, root, data))


def cost_report(
    requested: int, actual: int | None, status: ThrottleStatus | None
) -> dict[str, object]:
    """Shopify's shape of `extensions.cost`."""
    report: dict[str, object] = {"requestedQueryCost": requested, "actualQueryCost": actual}
    if status is not None:
        report["throttleStatus"] = {
            "maximumAvailable": float(status.maximum),
            "currentlyAvailable": max(0, math.floor(status.available)),
            "restoreRate": float(status.restore_rate),
        }
    return report


class QueryCost(SchemaExtension):
    """Prices the operation, takes its cost from the caller's budget before it runs (or
    refuses it), settles the difference with what it cost in the end, and reports both in
    `extensions.cost`."""

    report: dict[str, object] | None = None

    async def on_execute(self) -> AsyncIterator[None]:
        run = self.execution_context
        if run.operation_type is OperationType.SUBSCRIPTION:  # each push pays (subscription.py)
            yield
            return
        schema = run.schema._schema
        document = run.graphql_document
        assert document is not None
        requested = requested_cost(schema, document, run.operation_name, run.variables)
        if requested is None:
            yield
            return
        budget = run.context.budget
        try:
            await budget.charge(requested)
        except AppError as refused:
            error = GraphQLError(refused.message, original_error=refused)
            run.result = ExecutionResult(data=None, errors=[error])
            self.report = cost_report(requested, None, budget.status)
            yield
            return
        yield
        result = run.result
        data = result.data if isinstance(result, ExecutionResult) else None
        actual = actual_cost(schema, document, run.operation_name, data)
        status = await budget.settle(requested, actual)
        self.report = cost_report(requested, actual, status)

    def get_results(self) -> dict[str, Any]:
        return {} if self.report is None else {"cost": self.report}
