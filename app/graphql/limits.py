"""Checks of the document before execution: size, depth and alias limits, and which
operation runs."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import (
    ASTValidationRule,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    ValidationRule,
)
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    SchemaExtension,
)

from app.errors import ErrorCode

MAX_DOCUMENT_LENGTH = 50_000
MAX_TOKENS = 5_000
MAX_DEPTH = 20
MAX_ALIASES = 30

_CODE = {"code": ErrorCode.BAD_USER_INPUT.value}


class MaxDepth(ValidationRule):
    """Bounds the nesting of fields, introspection included.

    Strawberry's QueryDepthLimiter never counts introspection fields, so a deep
    `ofType { ofType { … } }` chain would pass it. The standard introspection query (GraphiQL's)
    nests 15 deep.
    """

    def enter_operation_definition(self, node: OperationDefinitionNode, *_: object) -> None:
        fragments = {
            d.name.value: d
            for d in self.context.document.definitions
            if isinstance(d, FragmentDefinitionNode)
        }
        depth = _depth(node.selection_set, fragments, frozenset())
        if depth > MAX_DEPTH:
            name = node.name.value if node.name else "anonymous"
            self.report_error(
                GraphQLError(
                    f"Operation '{name}' nests fields {depth} deep; "
                    f"at most {MAX_DEPTH} levels are allowed.",
                    node,
                )
            )


def _depth(
    selections: SelectionSetNode | None,
    fragments: dict[str, FragmentDefinitionNode],
    entered: frozenset[str],
) -> int:
    deepest = 0
    for selection in selections.selections if selections else ():
        if isinstance(selection, FieldNode):
            deepest = max(deepest, 1 + _depth(selection.selection_set, fragments, entered))
        elif isinstance(selection, InlineFragmentNode):
            deepest = max(deepest, _depth(selection.selection_set, fragments, entered))
        elif isinstance(selection, FragmentSpreadNode):
            name = selection.name.value
            if name in fragments and name not in entered:  # cycles are reported elsewhere
                fragment = fragments[name]
                deepest = max(deepest, _depth(fragment.selection_set, fragments, entered | {name}))
    return deepest


# Built once: MaxAliasesLimiter makes a new rule class per instance, which would defeat
# validation caching if it were built per request (STRAWBERRY-NOTES section 4).
_RULES: list[type[ASTValidationRule]] = [
    MaxDepth,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


class MaxDocumentLength(SchemaExtension):
    """Refuses long documents before parsing: comments and spaces are not tokens."""

    def on_parse(self) -> Iterator[None]:
        query = self.execution_context.query or ""
        if len(query) > MAX_DOCUMENT_LENGTH:
            raise GraphQLError(
                f"The document is {len(query)} characters long; "
                f"at most {MAX_DOCUMENT_LENGTH} are allowed.",
                extensions=_CODE,
            )
        yield


class OperationNameRequired(SchemaExtension):
    """A document of several operations needs operationName, as the GraphQL spec says.

    Strawberry would otherwise run the first named one.
    """

    def on_validate(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None and context._provided_operation_name is None:
            operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
            if len(operations) > 1:
                raise GraphQLError(
                    "The document has several operations: name one in operationName.",
                    extensions=_CODE,
                )
        yield


LIMITS: list[Callable[[], SchemaExtension]] = [
    MaxDocumentLength,
    OperationNameRequired,
    lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
    lambda: AddValidationRules(_RULES),
]
