"""The exported SDL and the schema's public surface."""

from __future__ import annotations

from collections.abc import Awaitable
from dataclasses import replace
from pathlib import Path

from graphql import (
    DangerousChangeType,
    GraphQLInputObjectType,
    GraphQLObjectType,
    GraphQLSchema,
    ObjectTypeDefinitionNode,
    build_ast_schema,
    build_schema,
    find_breaking_changes,
    find_dangerous_changes,
    parse,
)

from app.graphql.scalars import BigInt
from app.graphql.schema import EventExecutionContext, schema
from app.graphql.types import AudienceStats

SCHEMA_FILE = Path(__file__).parents[2] / "schema.graphql"
# The schema as last released. Clients generated from it must keep working, so a breaking
# change fails here unless the same change updates this snapshot on purpose.
RELEASED_SCHEMA_FILE = Path(__file__).parent / "released_schema.graphql"


def test_schema_file_matches_the_code() -> None:
    # Regenerate with `make schema` when this fails on purpose.
    assert SCHEMA_FILE.read_text() == schema.as_str() + "\n"


def test_every_public_type_field_and_argument_is_described() -> None:
    missing = []
    for name, graphql_type in schema._schema.type_map.items():
        if name.startswith("__") or name in {"String", "Int", "Float", "Boolean", "ID"}:
            continue
        if not graphql_type.description:
            missing.append(name)
        if isinstance(graphql_type, GraphQLObjectType | GraphQLInputObjectType):
            for field_name, field in graphql_type.fields.items():
                if not field.description:
                    missing.append(f"{name}.{field_name}")
                for arg_name, arg in getattr(field, "args", {}).items():
                    if not arg.description:
                        missing.append(f"{name}.{field_name}({arg_name})")
    assert missing == []


# Contract section 4, with its 64-bit-safe scalar named: the public surface we promise.
CONTRACT_SDL = """
scalar BigInt
scalar DateTime
scalar JSON

type Query {
  campaignAudienceStats(campaignId: Int!, filter: AudienceFilter): AudienceStats!
  campaign(id: Int!): Campaign
  campaigns(first: Int = 20, after: String): CampaignConnection!
}

input AudienceFilter {
  mobileNo: String
  status: [AudienceStatus!]
  callStatus: [String!]
  firstStatus: [String!]
  lastStatus: [String!]
  attempt: [Int!]
}

enum AudienceStatus { FRESH COMPLETED HALTED INQUEUE }

type AudienceStats {
  totalAudience: Int!
  coverage: Float!
  totalAttempt: BigInt!
  totalDuration: BigInt!
  successfulCalls: Int!
}

type Campaign {
  id: Int!
  name: String!
  maxAttempts: Int!
  createdAt: DateTime!
  audienceStats(filter: AudienceFilter): AudienceStats!
  audience(filter: AudienceFilter, first: Int = 10, after: String,
           orderBy: AudienceOrder): AudienceConnection!
}

input AudienceOrder { field: AudienceOrderField! = ID  direction: OrderDirection! = ASC }
enum AudienceOrderField { ID ATTEMPT DURATION LAST_ATTEMPT_AT }
enum OrderDirection { ASC DESC }

type CampaignConnection { edges: [CampaignEdge!]!  pageInfo: PageInfo!  totalCount: Int! }
type CampaignEdge { cursor: String!  node: Campaign! }
type AudienceConnection { edges: [AudienceEdge!]!  pageInfo: PageInfo!  totalCount: Int! }
type AudienceEdge { cursor: String!  node: Audience! }
type PageInfo {
  hasNextPage: Boolean!  hasPreviousPage: Boolean!  startCursor: String  endCursor: String
}

type Audience {
  id: Int!  mobileNo: String!  status: AudienceStatus!
  callStatus: String  firstStatus: String  lastStatus: String
  attempt: Int!  duration: Int!  lastAttemptAt: DateTime  lastDisposition: String  inputData: JSON!
}
"""


def test_schema_keeps_every_name_and_type_of_the_contract() -> None:
    assert _breaking(build_schema(CONTRACT_SDL), schema._schema) == []


def _breaking(old: GraphQLSchema, new: GraphQLSchema) -> list[str]:
    """Changes that break a client written against old, a changed default value included
    (graphql-core files that one as merely dangerous, yet `first` would change meaning)."""
    changed_defaults = [
        change
        for change in find_dangerous_changes(old, new)
        if change.type is DangerousChangeType.ARG_DEFAULT_VALUE_CHANGE
    ]
    return [change.description for change in [*find_breaking_changes(old, new), *changed_defaults]]


def test_schema_has_no_breaking_change_since_the_release() -> None:
    released = build_schema(RELEASED_SCHEMA_FILE.read_text())
    assert _breaking(released, build_schema(SCHEMA_FILE.read_text())) == []


def test_the_release_guard_catches_removed_fields_new_required_arguments_and_new_defaults() -> None:
    released_sdl = RELEASED_SCHEMA_FILE.read_text()
    without_coverage = replace(
        parse(released_sdl),
        definitions=tuple(
            replace(d, fields=tuple(f for f in d.fields if f.name.value != "coverage"))
            if isinstance(d, ObjectTypeDefinitionNode) and d.name.value == "AudienceStats"
            else d
            for d in parse(released_sdl).definitions
        ),
    )
    required_arg = released_sdl.replace(
        "campaignAudienceStats(", "campaignAudienceStats(\n    required: Int!\n", 1
    )
    released = build_schema(released_sdl)
    assert "Field AudienceStats.coverage was removed." in _breaking(
        released, build_ast_schema(without_coverage)
    )
    assert _breaking(released, build_schema(required_arg)) == [
        "A required argument Query.campaignAudienceStats(required:) was added."
    ]
    assert "first: Int = 20" in released_sdl
    more_campaigns = released_sdl.replace("first: Int = 20", "first: Int = 50", 1)
    assert _breaking(released, build_schema(more_campaigns)) == [
        "Query.campaigns(first:) has changed defaultValue from 20 to 50."
    ]


def test_a_subscriptions_events_do_not_grow_its_executor() -> None:
    """Each pushed value is executed by an executor of its own; what it memoises must go
    with it, or a long subscription keeps every push it ever made."""
    document = parse("subscription { audienceStats(campaignId: 1) { totalAudience coverage } }")
    executor = EventExecutionContext.build(schema._schema, document)
    assert not isinstance(executor, list)
    value = AudienceStats(
        total_audience=1,
        coverage=0.0,
        total_attempt=BigInt(0),
        total_duration=BigInt(0),
        successful_calls=0,
    )
    sizes = []
    for _ in range(50):
        event = executor.build_per_event_executor(value)  # what the subscription yielded
        result = event.execute_operation()
        assert not isinstance(result, Awaitable)
        assert result.errors is None, result.errors
        sizes.append(len(executor._relevant_sub_fields))
    assert sizes[-1] == sizes[0]
