"""The schema, its limits and its error handling."""

from __future__ import annotations

from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    AddValidationRules,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    QueryDepthLimiter,
)
from strawberry.schema.config import StrawberryConfig

from app.graphql.errors import ErrorCodes, log_internal_errors
from app.graphql.query import Query
from app.graphql.scalars import SCALAR_MAP

MAX_DEPTH = 10
MAX_ALIASES = 30
MAX_TOKENS = 5000

# Built once: these limiters make a new rule class per instance, which would defeat
# validation caching if they were built per request (see STRAWBERRY-NOTES section 4).
_LIMIT_RULES = [
    *QueryDepthLimiter(max_depth=MAX_DEPTH).validation_rules,
    *MaxAliasesLimiter(max_alias_count=MAX_ALIASES).validation_rules,
]


class Schema(strawberry.Schema):
    def process_errors(self, errors: list[GraphQLError], execution_context: Any = None) -> None:
        # Client mistakes are answered, not logged; only unexpected failures are logged.
        log_internal_errors(errors)


schema = Schema(
    query=Query,
    config=StrawberryConfig(scalar_map=SCALAR_MAP),
    extensions=[
        lambda: AddValidationRules(_LIMIT_RULES),
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        ErrorCodes,
    ],
)
