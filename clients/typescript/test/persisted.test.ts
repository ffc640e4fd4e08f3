// Persisted documents, live: the client in hash mode against a server that runs only the
// documents of the generated src/generated/persisted-documents.json (trusted documents), and
// against a normal server, where the first call of each document goes through the automatic
// persisted queries round trip. Both servers run on the demo data; the answers of hash mode
// must equal those of text mode.

import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, describe, it } from "node:test";

import { parse } from "graphql";
import { WebSocket } from "ws";

import {
  ApiError,
  AudiencePageDocument,
  CampaignBreakdownDocument,
  CampaignBreakdownLiveDocument,
  CampaignOverviewDocument,
  CampaignStatsDocument,
  CampaignStatsLiveDocument,
  type AudienceFilter,
  type Client,
  createClient,
  type DocumentMode,
  WEBSOCKET_STATUS,
  WorkspaceCampaignsDocument,
} from "../src/index.js";
import { campaignAudience, loadAudience, stats } from "./model.js";
import { ACME_TOKEN, REPO_ROOT, type RunningServer, SEEDS, startServer } from "./server.js";
import { nextOf, statsView } from "./views.js";

/** The file codegen writes, as committed: the trusted server reads this very file. */
const DOCUMENTS_FILE = join(
  REPO_ROOT,
  "clients",
  "typescript",
  "src",
  "generated",
  "persisted-documents.json",
);
const DOCUMENTS = JSON.parse(readFileSync(DOCUMENTS_FILE, "utf8")) as Record<string, string>;

const GENERATED = {
  CampaignStats: CampaignStatsDocument,
  CampaignBreakdown: CampaignBreakdownDocument,
  CampaignOverview: CampaignOverviewDocument,
  AudiencePage: AudiencePageDocument,
  WorkspaceCampaigns: WorkspaceCampaignsDocument,
  CampaignStatsLive: CampaignStatsLiveDocument,
  CampaignBreakdownLive: CampaignBreakdownLiveDocument,
};

function hashOf(document: object): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  assert.equal(typeof hash, "string");
  return hash as string;
}

const CAMPAIGN = 2; // Acme's
const FILTER: AudienceFilter = { status: ["COMPLETED", "INQUEUE"] };

/** Every query operation of the client, as one call each; `cursor` is a page's end. */
function operations(cursor: string) {
  return [
    [
      "CampaignStats",
      (client: Client) => client.campaignStats({ campaignId: CAMPAIGN, filter: FILTER }),
    ],
    [
      "CampaignBreakdown",
      (client: Client) =>
        client.campaignBreakdown({
          campaignId: CAMPAIGN,
          by: ["CALL_STATUS", "ATTEMPT"],
          timeZone: "America/New_York",
        }),
    ],
    [
      "CampaignOverview",
      (client: Client) =>
        client.campaignOverview({
          id: CAMPAIGN,
          first: 3,
          orderBy: { field: "ATTEMPT", direction: "DESC" },
        }),
    ],
    [
      "AudiencePage",
      (client: Client) =>
        client.audiencePage({
          id: CAMPAIGN,
          first: 3,
          after: cursor,
          orderBy: { field: "ATTEMPT", direction: "DESC" },
        }),
    ],
    ["WorkspaceCampaigns", (client: Client) => client.workspaceCampaigns({ first: 2 })],
  ] as const;
}

/** A fetch that keeps the parsed body of every request it sends. */
function recordingFetch() {
  const bodies: Array<Record<string, unknown>> = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    bodies.push(JSON.parse(String(init?.body)) as Record<string, unknown>);
    return globalThis.fetch(input, init);
  };
  return { fetch, bodies };
}

/** A WebSocket class that keeps the payload of every subscribe message its sockets send. */
function recordingWebSocket() {
  const subscribes: Array<Record<string, unknown>> = [];
  class Recorded extends WebSocket {
    override send(data: unknown, ...rest: unknown[]): void {
      const message = JSON.parse(String(data)) as { type?: string; payload?: unknown };
      if (message.type === "subscribe") {
        subscribes.push(message.payload as Record<string, unknown>);
      }
      (super.send as (...args: unknown[]) => void)(data, ...rest);
    }
  }
  return { Recorded, subscribes };
}

/** A body (or subscribe payload) that names its document by hash only. */
function assertHashOnly(body: Record<string, unknown>, hash: string, what: string): void {
  assert.ok(!("query" in body), `${what} carries no text`);
  assert.deepEqual(body["extensions"], { persistedQuery: { version: 1, sha256Hash: hash } }, what);
}

/** A body (or subscribe payload) with the document's persisted text and its hash. */
function assertWithText(body: Record<string, unknown>, hash: string, what: string): void {
  assert.equal(body["query"], DOCUMENTS[hash], `${what} carries the persisted text`);
  assert.deepEqual(body["extensions"], { persistedQuery: { version: 1, sha256Hash: hash } }, what);
}

/** The first value of a live loop, which it then leaves. */
async function firstOf<T>(values: AsyncIterator<T>, what: string): Promise<T> {
  try {
    return await nextOf(values, what);
  } finally {
    await values.return?.();
  }
}

async function post(url: string, body: unknown) {
  const response = await fetch(url, {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/graphql-response+json",
      token: ACME_TOKEN,
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

function codeOf(body: Record<string, unknown>): unknown {
  const errors = body["errors"] as Array<{ extensions?: { code?: unknown } }> | undefined;
  return errors?.[0]?.extensions?.code;
}

let trusted: RunningServer;
let normal: RunningServer;
let reference: Client; // text mode on the normal server
const clients: Client[] = [];
let cursor: string;
// The text mode answers of the normal server, by operation.
const expected = new Map<string, unknown>();

function client(server: RunningServer, documents: DocumentMode, more = {}): Client {
  const made = createClient({
    url: server.graphqlUrl,
    token: ACME_TOKEN,
    webSocketImpl: WebSocket,
    documents,
    ...more,
  });
  clients.push(made);
  return made;
}

before(async () => {
  [trusted, normal] = await Promise.all([
    startServer({ env: { AUDIENCE_STATS_TRUSTED_DOCUMENTS: DOCUMENTS_FILE } }),
    startServer(),
  ]);
  reference = client(normal, "text");
  const overview = await reference.campaignOverview({
    id: CAMPAIGN,
    first: 3,
    orderBy: { field: "ATTEMPT", direction: "DESC" },
  });
  const end = overview?.audience.pageInfo.endCursor;
  assert.ok(end, "campaign 2 has more than one page of 3");
  cursor = end;
  for (const [name, call] of operations(cursor)) {
    expected.set(name, await call(reference));
  }
});

after(async () => {
  await Promise.all(clients.map((each) => each.close()));
  await Promise.all([trusted?.stop(), normal?.stop()]);
});

describe("the generated persisted documents", () => {
  it("name every operation by the SHA-256 of its text", () => {
    assert.deepEqual(
      Object.keys(DOCUMENTS).sort(),
      Object.values(GENERATED).map(hashOf).sort(),
      "one document per operation, under the hash embedded in its document node",
    );
    for (const [hash, text] of Object.entries(DOCUMENTS)) {
      assert.equal(createHash("sha256").update(text).digest("hex"), hash);
    }
  });
});

describe("a trusted-documents server", () => {
  it("answers every query of the client in hash mode, from hashes only", async () => {
    const { fetch, bodies } = recordingFetch();
    const hashed = client(trusted, "hash", { fetch });
    for (const [name, call] of operations(cursor)) {
      const before = bodies.length;
      assert.deepEqual(await call(hashed), expected.get(name), name);
      assert.equal(bodies.length, before + 1, `${name}: one request, no text resent`);
      const body = bodies[before] ?? {};
      assertHashOnly(body, hashOf(GENERATED[name]), name);
      assert.equal(body["operationName"], name);
    }
    // The numbers are the model's, not only the same on both servers.
    const filtered = await hashed.campaignStats({ campaignId: CAMPAIGN, filter: FILTER });
    const model = stats(campaignAudience(loadAudience(SEEDS), CAMPAIGN, FILTER));
    assert.deepEqual(statsView(filtered), model);
  });

  it("pushes both subscriptions in hash mode, from hashes only", async () => {
    const { Recorded, subscribes } = recordingWebSocket();
    const hashed = client(trusted, "hash", { webSocketImpl: Recorded });
    const live = await firstOf(
      hashed.subscribeAudienceStats({ campaignId: CAMPAIGN, filter: FILTER }),
      "the stats",
    );
    assert.deepEqual(live, expected.get("CampaignStats"));
    const groups = await firstOf(
      hashed.subscribeAudienceBreakdown({
        campaignId: CAMPAIGN,
        by: ["CALL_STATUS", "ATTEMPT"],
        timeZone: "America/New_York",
      }),
      "the groups",
    );
    assert.deepEqual(groups, expected.get("CampaignBreakdown"));
    assert.equal(subscribes.length, 2);
    assertHashOnly(subscribes[0] ?? {}, hashOf(CampaignStatsLiveDocument), "stats subscribe");
    assertHashOnly(subscribes[1] ?? {}, hashOf(CampaignBreakdownLiveDocument), "groups subscribe");
  });

  it("refuses a text with PERSISTED_QUERY_ID_REQUIRED, even a trusted document's", async () => {
    const text = DOCUMENTS[hashOf(CampaignStatsDocument)];
    const raw = await post(trusted.graphqlUrl, { query: text, variables: { campaignId: 2 } });
    assert.equal(raw.status, 400);
    assert.equal(codeOf(raw.body), "PERSISTED_QUERY_ID_REQUIRED");
    assert.ok(!("data" in raw.body), "a request error has no data");

    const texts = client(trusted, "text");
    await assert.rejects(texts.campaignStats({ campaignId: CAMPAIGN }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "PERSISTED_QUERY_ID_REQUIRED");
      assert.equal(error.status, 400);
      return true;
    });
    await assert.rejects(
      firstOf(texts.subscribeAudienceStats({ campaignId: CAMPAIGN }), "a refusal"),
      (error: unknown) => {
        assert.ok(error instanceof ApiError);
        assert.equal(error.code, "PERSISTED_QUERY_ID_REQUIRED");
        assert.equal(error.status, WEBSOCKET_STATUS);
        return true;
      },
    );
  });

  it("refuses an unknown hash with PERSISTED_QUERY_NOT_IN_LIST, and the client sends no text", async () => {
    const raw = await post(trusted.graphqlUrl, {
      extensions: { persistedQuery: { version: 1, sha256Hash: "0".repeat(64) } },
    });
    assert.equal(raw.status, 400);
    assert.equal(codeOf(raw.body), "PERSISTED_QUERY_NOT_IN_LIST");

    const { fetch, bodies } = recordingFetch();
    const hashed = client(trusted, "hash", { fetch });
    const custom = parse("query Custom { campaigns(first: 1) { totalCount } }");
    await assert.rejects(hashed.request(custom, {}), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "PERSISTED_QUERY_NOT_IN_LIST");
      return true;
    });
    assert.equal(bodies.length, 1);
    assert.ok(!("query" in (bodies[0] ?? {})));
  });
});

describe("a normal server (automatic persisted queries)", () => {
  it("stores each document on its first call, then takes its hash alone", async () => {
    const { fetch, bodies } = recordingFetch();
    const hashed = client(normal, "hash", { fetch });
    for (const [name, call] of operations(cursor)) {
      const hash = hashOf(GENERATED[name]);
      bodies.length = 0;
      assert.deepEqual(await call(hashed), expected.get(name), `${name}, first call`);
      assert.equal(bodies.length, 2, `${name}: the hash, PERSISTED_QUERY_NOT_FOUND, the text`);
      assertHashOnly(bodies[0] ?? {}, hash, `${name}, first request`);
      assertWithText(bodies[1] ?? {}, hash, `${name}, second request`);

      bodies.length = 0;
      assert.deepEqual(await call(hashed), expected.get(name), `${name}, second call`);
      assert.equal(bodies.length, 1, `${name}: the hash alone`);
      assertHashOnly(bodies[0] ?? {}, hash, `${name}, second call`);
    }
  });

  it("hashes a document of the caller's own and persists it the same way", async () => {
    const { fetch, bodies } = recordingFetch();
    const hashed = client(normal, "hash", { fetch });
    const text = "query Custom {\n  campaigns(first: 1) {\n    totalCount\n  }\n}";
    const custom = parse(text);
    const hash = createHash("sha256").update(text).digest("hex");
    const first = await hashed.request(custom, {});
    assert.equal(bodies.length, 2);
    assertHashOnly(bodies[0] ?? {}, hash, "first request");
    assert.equal(bodies[1]?.["query"], text);
    assert.deepEqual(await hashed.request(custom, {}), first);
    assert.equal(bodies.length, 3);
    assertHashOnly(bodies[2] ?? {}, hash, "second call");
    assert.deepEqual(first, await reference.request(custom, {}));
  });

  it("subscribes by hash, resubscribes once with the text, then by hash alone", async () => {
    const { Recorded, subscribes } = recordingWebSocket();
    const hashed = client(normal, "hash", { webSocketImpl: Recorded });
    const hash = hashOf(CampaignStatsLiveDocument);
    const subscribe = () => hashed.subscribeAudienceStats({ campaignId: CAMPAIGN, filter: FILTER });

    assert.deepEqual(await firstOf(subscribe(), "the stats"), expected.get("CampaignStats"));
    assert.equal(subscribes.length, 2, "the hash, PERSISTED_QUERY_NOT_FOUND, the text");
    assertHashOnly(subscribes[0] ?? {}, hash, "first subscribe");
    assertWithText(subscribes[1] ?? {}, hash, "second subscribe");

    assert.deepEqual(await firstOf(subscribe(), "the stats again"), expected.get("CampaignStats"));
    assert.equal(subscribes.length, 3);
    assertHashOnly(subscribes[2] ?? {}, hash, "a later subscribe");

    // Text mode on the same server: the same first value, from the text.
    const texts = client(normal, "text", { webSocketImpl: Recorded });
    const fromText = await firstOf(
      texts.subscribeAudienceStats({ campaignId: CAMPAIGN, filter: FILTER }),
      "the stats from the text",
    );
    assert.deepEqual(fromText, expected.get("CampaignStats"));
    assert.equal(typeof subscribes[3]?.["query"], "string");
    assert.ok(!("extensions" in (subscribes[3] ?? {})));
  });
});
