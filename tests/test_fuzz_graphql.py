"""Schemathesis fuzzes the GraphQL API of a real `audience-stats serve` on the demo data.

The schema is loaded the way a client sees it, by introspection of the running server, and
Schemathesis (over hypothesis-graphql) generates documents for each root field in three
variants: valid documents as generated; valid documents whose campaign ids, page sizes and
cursors come from the demo data (real cursors, and forged ones at extreme positions), so
the resolvers, loaders and SQL run rather than only the input checks; and documents that
break the schema once. Every answer must be a client answer: no 5xx, a JSON object with
`data` or `errors`, every error with a client `extensions.code` (never
INTERNAL_SERVER_ERROR, a server error even when answered with 200).

The run is bounded (VARIANTS' examples per root field) and derandomized, so CI sends the
same documents every time; the server has a temporary SQLite file of its own.
"""

from __future__ import annotations

import base64
import csv
import json
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import graphql
import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig
from schemathesis.generation import GenerationMode
from schemathesis.hooks import HookContext, HookDispatcher, HookScope
from schemathesis.schemas import APIOperation
from schemathesis.specs.graphql.schemas import GraphQLSchema

from app.breakdowns import Dimension
from app.errors import ErrorCode
from tests.demo import SEEDS, demo_token
from tests.server import Server, serve

ROOT = Path(__file__).parents[1]
TOKEN = demo_token()
HEADERS = {"token": TOKEN}


@dataclass(frozen=True)
class Variant:
    """One kind of generated document."""

    name: str
    mode: GenerationMode
    demo_values: bool  # campaign ids, page sizes and cursors of the demo data
    examples: int  # per root field


# With the server's start, these keep the module near a minute on a 2-core machine.
VARIANTS = [
    Variant("generated", GenerationMode.POSITIVE, demo_values=False, examples=100),
    Variant("demo-values", GenerationMode.POSITIVE, demo_values=True, examples=250),
    # Each document breaks the schema once; demo values could mend it, so none are put in.
    Variant("schema-violations", GenerationMode.NEGATIVE, demo_values=False, examples=50),
]

# Every campaign of the demo data: the demo token's workspace's, which resolve, and the other
# workspace's, which must look missing.
with (SEEDS / "campaigns.csv").open(newline="") as _file:
    CAMPAIGN_IDS = sorted(int(row["id"]) for row in csv.DictReader(_file))

SERVER_ERROR_CODES = {ErrorCode.INTERNAL_SERVER_ERROR, ErrorCode.SERVICE_UNAVAILABLE}
CLIENT_ERROR_CODES = {code.value for code in ErrorCode} - SERVER_ERROR_CODES


def _root_fields() -> list[str]:
    """The Query fields of the committed SDL (a test keeps it equal to the code's)."""
    query_type = graphql.build_schema((ROOT / "schema.graphql").read_text()).query_type
    assert query_type is not None
    return list(query_type.fields)


ROOT_FIELDS = _root_fields()


# --- the documents ---------------------------------------------------------------------

ORDER_FIELDS = ("ID", "ATTEMPT", "DURATION", "LAST_ATTEMPT_AT")
DIRECTIONS = ("ASC", "DESC")
INT32 = (-(2**31), 2**31 - 1)
INT64 = (-(2**63), 2**63 - 1)


@dataclass(frozen=True)
class AudienceCursor:
    field: str
    direction: str
    cursor: str


@dataclass(frozen=True)
class DemoData:
    """What valid documents draw from: the demo data's campaign ids and real cursors."""

    campaign_ids: list[int]
    campaign_cursors: list[str]
    audience_cursors: list[AudienceCursor]


@dataclass(frozen=True)
class DemoValues:
    """The values one document gets."""

    campaign: int
    first: int
    campaign_cursor: str
    audience_cursor: AudienceCursor
    dimensions: tuple[str, ...]  # a breakdown's `by`, valid: 1 to 3, none twice, one time
    zone: str  # a breakdown's timeZone


def encode_cursor(payload: list[Any]) -> str:
    """A cursor as the server makes them (base64url of a JSON list, unpadded)."""
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def forged_audience_cursors() -> st.SearchStrategy[AudienceCursor]:
    """Cursors in the server's format with extreme positions: a client can decode and
    re-encode them, so their values are input too."""
    ids = st.one_of(st.integers(*INT64), st.sampled_from([*INT64, 0, 1]))
    ints = st.one_of(st.integers(*INT32), st.sampled_from([*INT32, 0, -1]))
    offsets = st.sampled_from([UTC, timezone(timedelta(hours=14)), timezone(timedelta(hours=-14))])
    moments = st.one_of(st.none(), st.datetimes(timezones=offsets).map(datetime.isoformat))

    @st.composite
    def cursors(draw: st.DrawFn) -> AudienceCursor:
        field, direction = draw(st.sampled_from(ORDER_FIELDS)), draw(st.sampled_from(DIRECTIONS))
        kind = f"audience:{field.lower()}:{direction.lower()}"
        if field == "ID":
            payload = [kind, draw(ids)]
        else:
            payload = [kind, draw(moments if field == "LAST_ATTEMPT_AT" else ints), draw(ids)]
        return AudienceCursor(field, direction, encode_cursor(payload))

    return cursors()


def demo_values(demo: DemoData) -> st.SearchStrategy[DemoValues]:
    any_ids = st.one_of(st.integers(*INT32), st.sampled_from([*INT32, 0]))
    return st.builds(
        DemoValues,
        campaign=st.sampled_from(demo.campaign_ids),
        first=st.integers(1, 100),
        campaign_cursor=st.one_of(
            st.sampled_from(demo.campaign_cursors),
            any_ids.map(lambda i: encode_cursor(["campaign", i])),
        ),
        audience_cursor=st.one_of(
            st.sampled_from(demo.audience_cursors), forged_audience_cursors()
        ),
        dimensions=st.lists(
            st.sampled_from([d.name for d in Dimension]), min_size=1, max_size=3, unique=True
        )
        .filter(lambda by: sum(Dimension[name].is_time for name in by) <= 1)
        .map(tuple),
        zone=st.sampled_from(["UTC", "America/New_York", "Asia/Kathmandu"]),
    )


def _replace(node: graphql.Node, **changes: Any) -> Any:
    """A copy of an AST node with some attributes changed (nodes are immutable)."""
    return type(node)(**{**{key: getattr(node, key) for key in node.keys}, **changes})


def _argument(name: str, value: graphql.ValueNode) -> graphql.ArgumentNode:
    return graphql.ArgumentNode(name=graphql.NameNode(value=name), value=value)


class _WithDemoValues(graphql.Visitor):
    """Puts the drawn values into the arguments the generated document has."""

    def __init__(self, values: DemoValues) -> None:
        super().__init__()
        self.values = values

    def replacements(self, field: str, present: set[str]) -> dict[str, graphql.ValueNode]:
        values = self.values
        first = graphql.IntValueNode(value=str(values.first))
        campaign = graphql.IntValueNode(value=str(values.campaign))
        if field == "campaign":
            return {"id": campaign}
        by = graphql.ListValueNode(
            values=tuple(graphql.EnumValueNode(value=name) for name in values.dimensions)
        )
        if field == "campaignAudienceStats":
            return {"campaignId": campaign}
        zone = graphql.StringValueNode(value=values.zone)
        if field == "campaignAudienceBreakdown":
            return {"campaignId": campaign, "by": by, "timeZone": zone}
        if field == "audienceBreakdown":
            return {"by": by, "timeZone": zone}
        if field == "campaigns":
            return {"first": first, "after": graphql.StringValueNode(value=values.campaign_cursor)}
        if field == "audience":
            cursor = values.audience_cursor
            replaced: dict[str, graphql.ValueNode] = {"first": first}
            if "after" in present:
                # A cursor holds its ordering: ask for that one, or the cursor is refused.
                replaced["after"] = graphql.StringValueNode(value=cursor.cursor)
                replaced["orderBy"] = graphql.ObjectValueNode(
                    fields=(
                        graphql.ObjectFieldNode(
                            name=graphql.NameNode(value="field"),
                            value=graphql.EnumValueNode(value=cursor.field),
                        ),
                        graphql.ObjectFieldNode(
                            name=graphql.NameNode(value="direction"),
                            value=graphql.EnumValueNode(value=cursor.direction),
                        ),
                    )
                )
            return replaced
        return {}

    def enter_field(self, node: graphql.FieldNode, *_: Any) -> graphql.FieldNode | None:
        arguments = list(node.arguments or ())
        present = {argument.name.value for argument in arguments}
        replacements = self.replacements(node.name.value, present)
        if not present & replacements.keys():
            return None  # nothing to replace: keep visiting the node as it is
        for index, argument in enumerate(arguments):
            value = replacements.pop(argument.name.value, None)
            if value is not None:
                arguments[index] = _replace(argument, value=value)
        # An orderBy beside a replaced cursor is added when the document has none.
        if "orderBy" in replacements:
            arguments.append(_argument("orderBy", replacements["orderBy"]))
        changed: graphql.FieldNode = _replace(node, arguments=tuple(arguments))
        return changed


def with_demo_values(document: graphql.DocumentNode, values: DemoValues) -> Any:
    return graphql.visit(document, _WithDemoValues(values))


def demo_value_hooks(demo: DemoData) -> HookDispatcher:
    """Hooks that give every generated document the demo data's values."""
    values = demo_values(demo)

    def flatmap_body(_context: HookContext, document: graphql.DocumentNode) -> Any:
        return values.map(lambda drawn: with_demo_values(document, drawn))

    hooks = HookDispatcher(scope=HookScope.TEST)
    hooks.register_hook_with_name(flatmap_body, "flatmap_body")
    return hooks


# --- the answers -----------------------------------------------------------------------


@dataclass
class Outcome:
    """What the answers to one root field's documents were, to tell the run did something."""

    statuses: Counter[int]
    codes: Counter[str]
    data: int = 0  # answers whose root field resolved to a non-null value

    def __str__(self) -> str:
        return f"statuses {dict(self.statuses)}, codes {dict(self.codes)}, with data {self.data}"


def check_answer(
    operation: APIOperation, case: Any, response: Any, mode: GenerationMode, outcome: Outcome
) -> None:
    document = case.body
    context = f"\nDocument:\n{document}\nAnswer {response.status_code}: {response.text[:2000]}"
    outcome.statuses[response.status_code] += 1
    assert response.status_code < 500, f"a server error{context}"
    content_type = response.headers.get("content-type", [""])[0]
    assert content_type.startswith("application/"), context
    try:
        body = json.loads(response.content)
    except ValueError:
        pytest.fail(f"the answer is not JSON{context}")
    assert isinstance(body, dict), context
    assert "data" in body or "errors" in body, context
    errors = body.get("errors")
    if errors is not None:
        assert isinstance(errors, list), context
        assert errors, f"an empty errors list{context}"
        for error in errors:
            assert isinstance(error, dict), context
            assert isinstance(error.get("message"), str), context
            code = (error.get("extensions") or {}).get("code")
            outcome.codes[str(code)] += 1
            assert code not in SERVER_ERROR_CODES, f"a server error answered {code}{context}"
            assert code in CLIENT_ERROR_CODES, f"an error without a known code{context}"
    if mode is GenerationMode.NEGATIVE:
        # Each of these documents breaks the schema once: the server must refuse it.
        assert errors, f"a document that breaks the schema was accepted{context}"
    else:
        data = body.get("data")
        if isinstance(data, dict) and any(value is not None for value in data.values()):
            outcome.data += 1
    # Schemathesis' own verdict: JSON object, no null in a non-null field.
    operation.validate_response(response, case=case)


# --- the run ---------------------------------------------------------------------------


@dataclass
class Fuzz:
    schema: GraphQLSchema
    session: requests.Session
    demo: DemoData


def post(session: requests.Session, url: str, query: str) -> Any:
    response = session.post(url, json={"query": query}, headers=HEADERS, timeout=30)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body
    return body["data"]


def demo_data(session: requests.Session, url: str) -> DemoData:
    """The demo token's campaign ids and cursors, and audience cursors of every ordering
    (the first, middle and last of the first page of each campaign)."""
    campaigns = post(session, url, "{ campaigns(first: 100) { edges { cursor node { id } } } }")
    edges = campaigns["campaigns"]["edges"]
    audience_cursors = []
    orderings = [(field, direction) for field in ORDER_FIELDS for direction in DIRECTIONS]
    for edge in edges:
        pages = " ".join(
            f"{field}_{direction}: audience(first: 100, orderBy: "
            f"{{field: {field}, direction: {direction}}}) {{ edges {{ cursor }} }}"
            for field, direction in orderings
        )
        campaign = post(session, url, f"{{ campaign(id: {edge['node']['id']}) {{ {pages} }} }}")
        for field, direction in orderings:
            cursors = [e["cursor"] for e in campaign["campaign"][f"{field}_{direction}"]["edges"]]
            for cursor in dict.fromkeys([cursors[0], cursors[len(cursors) // 2], cursors[-1]]):
                audience_cursors.append(AudienceCursor(field, direction, cursor))
    return DemoData(
        campaign_ids=CAMPAIGN_IDS,
        campaign_cursors=[edge["cursor"] for edge in edges],
        audience_cursors=audience_cursors,
    )


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`serve` on an empty SQLite file of its own, which it fills with the demo data."""
    directory = tmp_path_factory.mktemp("fuzz")
    database = directory / "fuzz.db"
    database.touch()
    # REDIS_URL empty: the rate budgets stay in the server process, whatever the environment.
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{database}", "REDIS_URL": ""}
    with serve(directory, env) as running:
        yield running


@pytest.fixture(scope="module")
def fuzz(server: Server) -> Iterator[Fuzz]:
    """The schema as the server introspects it, and what valid documents draw from."""
    # An explicit config: no schemathesis.toml of the environment changes the run.
    schema = schemathesis.graphql.from_url(
        f"{server.url}/graphql", config=SchemathesisConfig(), headers=HEADERS, timeout=30
    )
    with requests.Session() as session:
        yield Fuzz(schema, session, demo_data(session, f"{server.url}/graphql"))


def test_every_root_field_is_fuzzed(fuzz: Fuzz) -> None:
    served = [op.ok().definition.field_name for op in fuzz.schema.get_all_operations()]
    assert sorted(served) == sorted(ROOT_FIELDS)


def fuzz_settings(variant: Variant) -> settings:
    return settings(
        max_examples=variant.examples,
        deadline=None,
        derandomize=True,
        database=None,
        # No explain phase: it replays a failure many times against the server.
        phases=[Phase.explicit, Phase.generate, Phase.shrink],
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
    )


@pytest.mark.parametrize("variant", VARIANTS, ids=lambda variant: variant.name)
@pytest.mark.parametrize("field", ROOT_FIELDS)
def test_no_server_error(fuzz: Fuzz, field: str, variant: Variant) -> None:
    operation = fuzz.schema["Query"][field]
    hooks = demo_value_hooks(fuzz.demo) if variant.demo_values else None
    strategy = operation.as_strategy(generation_mode=variant.mode, hooks=hooks)
    outcome = Outcome(Counter(), Counter())

    @fuzz_settings(variant)
    @given(case=strategy)
    def run(case: Any) -> None:
        response = case.call(session=fuzz.session, headers=HEADERS, timeout=30)
        check_answer(operation, case, response, variant.mode, outcome)

    run()
    if variant.demo_values:
        # The resolvers ran: many documents were answered with data, not only refused.
        assert outcome.data >= variant.examples // 4, outcome
