// The client's request and error handling, over a stand-in fetch (no server).

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  ApiError,
  CampaignStatsDocument,
  createClient,
  toBigInt,
  toDate,
  TransportError,
  webSocketUrl,
} from "../src/index.js";

interface Call {
  url: string;
  init: RequestInit;
}

/** A fetch that records its calls and answers with `respond`. */
function stubFetch(respond: () => Response | Promise<Response>) {
  const calls: Call[] = [];
  const fetch: typeof globalThis.fetch = async (input, init) => {
    calls.push({ url: String(input), init: init ?? {} });
    return respond();
  };
  return { fetch, calls };
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

const CAMPAIGN_STATS_HASH = (CampaignStatsDocument as { __meta__?: { hash?: string } }).__meta__
  ?.hash;

const STATS = {
  totalAudience: 3,
  totalAttempt: "9007199254740993",
  totalDuration: "12",
  successfulCalls: 1,
  coverage: 0,
};

describe("requests", () => {
  it("posts the named operation with its variables and the token header", async () => {
    const { fetch, calls } = stubFetch(() => json({ data: { campaignAudienceStats: STATS } }));
    const client = createClient({ url: "http://api.test/graphql", token: "secret", fetch });

    const stats = await client.campaignStats({ campaignId: 7, filter: { status: ["HALTED"] } });

    assert.deepEqual(stats, STATS);
    assert.equal(calls.length, 1);
    const [call] = calls;
    assert.equal(call?.url, "http://api.test/graphql");
    assert.equal(call?.init.method, "POST");
    const headers = new Headers(call?.init.headers);
    assert.equal(headers.get("token"), "secret");
    assert.equal(headers.get("content-type"), "application/json");
    const body = JSON.parse(String(call?.init.body)) as Record<string, unknown>;
    assert.equal(body["operationName"], "CampaignStats");
    assert.deepEqual(body["variables"], { campaignId: 7, filter: { status: ["HALTED"] } });
    assert.match(String(body["query"]), /query CampaignStats\(/);
    // The shared selection travels with the operation.
    assert.match(String(body["query"]), /fragment StatsFields on AudienceStats/);
  });

  it("posts CampaignBreakdown with its dimensions and returns the group list", async () => {
    const group = {
      groupedBy: ["CALL_STATUS", "ATTEMPT"],
      status: null,
      callStatus: "NO_ANSWER",
      firstStatus: null,
      lastStatus: null,
      attempt: 2,
      lastDisposition: null,
      stats: STATS,
    };
    const { fetch, calls } = stubFetch(() =>
      json({ data: { campaignAudienceBreakdown: [group] } }),
    );
    const client = createClient({ url: "http://api.test/graphql", token: "secret", fetch });

    const groups = await client.campaignBreakdown({
      campaignId: 7,
      by: ["CALL_STATUS", "ATTEMPT"],
      filter: { mobileNo: "617" },
    });

    assert.deepEqual(groups, [group]);
    const body = JSON.parse(String(calls[0]?.init.body)) as Record<string, unknown>;
    assert.equal(body["operationName"], "CampaignBreakdown");
    assert.deepEqual(body["variables"], {
      campaignId: 7,
      by: ["CALL_STATUS", "ATTEMPT"],
      filter: { mobileNo: "617" },
    });
    assert.match(String(body["query"]), /campaignAudienceBreakdown\(/);
    assert.match(String(body["query"]), /fragment StatsFields on AudienceStats/);
  });
});

describe("hash mode", () => {
  const notFound = () =>
    json(
      {
        errors: [
          {
            message: "PersistedQueryNotFound: send the query with its hash.",
            extensions: { code: "PERSISTED_QUERY_NOT_FOUND" },
          },
        ],
      },
      400,
    );

  it("resends the text once on PERSISTED_QUERY_NOT_FOUND, and no more", async () => {
    const { fetch, calls } = stubFetch(notFound);
    const client = createClient({
      url: "http://api.test/graphql",
      token: "t",
      fetch,
      documents: "hash",
    });

    await assert.rejects(client.campaignStats({ campaignId: 7 }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "PERSISTED_QUERY_NOT_FOUND");
      assert.equal(error.status, 400);
      return true;
    });
    const bodies = calls.map(
      (call) => JSON.parse(String(call.init.body)) as Record<string, unknown>,
    );
    assert.equal(bodies.length, 2);
    assert.equal(bodies[0]?.["query"], undefined);
    assert.match(String(bodies[1]?.["query"]), /^fragment StatsFields on AudienceStats \{/);
    for (const body of bodies) {
      assert.equal(body["operationName"], "CampaignStats");
      assert.deepEqual(body["variables"], { campaignId: 7 });
      assert.deepEqual(body["extensions"], {
        persistedQuery: { version: 1, sha256Hash: CAMPAIGN_STATS_HASH },
      });
    }
  });

  it("resends nothing on other errors", async () => {
    const { fetch, calls } = stubFetch(() =>
      json(
        { errors: [{ message: "no", extensions: { code: "PERSISTED_QUERY_NOT_IN_LIST" } }] },
        400,
      ),
    );
    const client = createClient({
      url: "http://api.test/graphql",
      token: "t",
      fetch,
      documents: "hash",
    });

    await assert.rejects(client.campaignStats({ campaignId: 7 }), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "PERSISTED_QUERY_NOT_IN_LIST");
      return true;
    });
    assert.equal(calls.length, 1);
  });

  it("takes text or hash only", () => {
    assert.throws(
      () => createClient({ url: "http://api.test/graphql", token: "t", documents: "id" as "hash" }),
      TypeError,
    );
  });
});

describe("errors", () => {
  it("turns GraphQL errors into an ApiError with code, message and path", async () => {
    const { fetch } = stubFetch(() =>
      json({
        data: { campaign: null },
        errors: [
          {
            message: "first: must be 1 … 100, got 0",
            path: ["campaign", "audience"],
            extensions: { code: "BAD_USER_INPUT" },
          },
          { message: "second", extensions: { code: "NOT_FOUND" } },
        ],
      }),
    );
    const client = createClient({ url: "http://api.test/graphql", token: "t", fetch });

    const error = await client.campaignOverview({ id: 1, first: 0 }).catch((e: unknown) => e);

    assert.ok(error instanceof ApiError);
    assert.equal(error.code, "BAD_USER_INPUT");
    assert.equal(error.message, "first: must be 1 … 100, got 0");
    assert.deepEqual(error.path, ["campaign", "audience"]);
    assert.equal(error.status, 200);
    assert.equal(error.errors.length, 2);
  });

  it("reads a 401 body as UNAUTHENTICATED", async () => {
    const { fetch } = stubFetch(() =>
      json(
        {
          errors: [
            {
              message: "The API token is unknown or revoked.",
              extensions: { code: "UNAUTHENTICATED" },
            },
          ],
        },
        401,
      ),
    );
    const client = createClient({ url: "http://api.test/graphql", token: "t", fetch });

    await assert.rejects(client.workspaceCampaigns(), (error: unknown) => {
      assert.ok(error instanceof ApiError);
      assert.equal(error.code, "UNAUTHENTICATED");
      assert.equal(error.status, 401);
      assert.equal(error.path, undefined);
      return true;
    });
  });

  it("reads a missing or unknown code as INTERNAL_SERVER_ERROR", async () => {
    for (const extensions of [undefined, { code: "SOMETHING_NEW" }]) {
      const { fetch } = stubFetch(() =>
        json({ data: null, errors: [{ message: "boom", extensions }] }),
      );
      const client = createClient({ url: "http://api.test/graphql", token: "t", fetch });
      await assert.rejects(client.campaignStats({ campaignId: 1 }), {
        name: "ApiError",
        code: "INTERNAL_SERVER_ERROR",
      });
    }
  });

  it("reports a body that is not JSON as a TransportError with the status", async () => {
    const { fetch } = stubFetch(
      () => new Response("<html><h1>502 Bad Gateway</h1></html>", { status: 502 }),
    );
    const client = createClient({ url: "http://api.test/graphql", token: "t", fetch });

    await assert.rejects(client.campaignStats({ campaignId: 1 }), (error: unknown) => {
      assert.ok(error instanceof TransportError);
      assert.equal(error.status, 502);
      assert.match(error.message, /HTTP 502 .* not JSON: .*502 Bad Gateway/);
      return true;
    });
  });

  it("reports JSON that is not a GraphQL result as a TransportError", async () => {
    for (const [body, status] of [
      [{ detail: "Not Found" }, 404],
      [{ data: null }, 200],
      [[1, 2], 200],
    ] as const) {
      const { fetch } = stubFetch(() => json(body, status));
      const client = createClient({ url: "http://api.test/graphql", token: "t", fetch });
      await assert.rejects(client.campaignStats({ campaignId: 1 }), {
        name: "TransportError",
        status,
      });
    }
  });

  it("wraps a network failure in a TransportError that keeps the cause", async () => {
    const failure = new TypeError("fetch failed");
    const client = createClient({
      url: "http://api.test/graphql",
      token: "t",
      fetch: () => Promise.reject(failure),
    });

    await assert.rejects(client.campaignStats({ campaignId: 1 }), (error: unknown) => {
      assert.ok(error instanceof TransportError);
      assert.equal(error.cause, failure);
      assert.equal(error.status, undefined);
      assert.match(error.message, /request to http:\/\/api\.test\/graphql failed: fetch failed/);
      return true;
    });
  });

  it("lets the caller's abort through unchanged", async () => {
    const controller = new AbortController();
    const reason = new DOMException("stopped", "AbortError");
    const client = createClient({
      url: "http://api.test/graphql",
      token: "t",
      fetch: () => {
        controller.abort(reason);
        return Promise.reject(reason);
      },
    });

    await assert.rejects(
      client.campaignStats({ campaignId: 1 }, { signal: controller.signal }),
      (error: unknown) => {
        assert.equal(error, reason);
        return true;
      },
    );
  });
});

/**
 * A WebSocket class that records each socket's URL and subprotocol, and whose server closes
 * every connection with `close` as soon as it opens (with null, never answers at all).
 */
function fakeWebSocket(close: { code: number; reason: string } | null) {
  const opened: Array<{ url: string; protocols: string | string[] | undefined }> = [];
  class Fake {
    static readonly CONNECTING = 0;
    static readonly OPEN = 1;
    static readonly CLOSING = 2;
    static readonly CLOSED = 3;
    readyState = Fake.CONNECTING;
    onclose: ((event: { code: number; reason: string; wasClean: boolean }) => void) | null = null;

    constructor(url: string, protocols?: string | string[]) {
      opened.push({ url, protocols });
      if (close !== null) {
        setTimeout(() => {
          this.readyState = Fake.CLOSED;
          this.onclose?.({ ...close, wasClean: true });
        }, 0);
      }
    }

    close(): void {
      this.readyState = Fake.CLOSED;
    }

    send(): void {}
  }
  return { Fake, opened };
}

describe("subscriptions", () => {
  it("take the WebSocket URL from the endpoint's", () => {
    assert.equal(webSocketUrl("http://api.test:8000/graphql"), "ws://api.test:8000/graphql");
    assert.equal(webSocketUrl(new URL("https://api.test/graphql")), "wss://api.test/graphql");
  });

  it("open the derived or given URL with graphql-transport-ws, and take 4403 as UNAUTHENTICATED at once", async () => {
    for (const [options, expected] of [
      [{ url: "https://api.test/graphql" }, "wss://api.test/graphql"],
      [
        { url: "https://api.test/graphql", subscriptionUrl: "wss://live.api.test/graphql" },
        "wss://live.api.test/graphql",
      ],
    ] as const) {
      const { Fake, opened } = fakeWebSocket({ code: 4403, reason: "Forbidden" });
      const client = createClient({ ...options, token: "t", webSocketImpl: Fake });

      const values = client.subscribeAudienceStats({ campaignId: 7 });
      await assert.rejects(values.next(), (error: unknown) => {
        assert.ok(error instanceof ApiError, `an ApiError, got ${String(error)}`);
        assert.equal(error.code, "UNAUTHENTICATED");
        assert.equal(error.status, 101);
        return true;
      });
      assert.deepEqual(await values.next(), { done: true, value: undefined });
      assert.deepEqual(opened, [{ url: expected, protocols: "graphql-transport-ws" }]);
    }
  });

  it("end a lost connection with a TransportError once the retries are spent", async () => {
    // 1006: the connection was lost, which graphql-ws would retry.
    const { Fake, opened } = fakeWebSocket({ code: 1006, reason: "" });
    const client = createClient({
      url: "http://api.test/graphql",
      token: "t",
      webSocketImpl: Fake,
      retryAttempts: 0,
    });

    await assert.rejects(client.subscribeAudienceStats({ campaignId: 7 }).next(), (error) => {
      assert.ok(error instanceof TransportError, `a TransportError, got ${String(error)}`);
      assert.match(error.message, /ws:\/\/api\.test\/graphql closed: 1006$/);
      return true;
    });
    assert.equal(opened.length, 1);
  });

  it("end the loop on return(), even while a next() waits", async () => {
    // The first value never comes.
    const { Fake } = fakeWebSocket(null);
    const client = createClient({
      url: "http://api.test/graphql",
      token: "t",
      webSocketImpl: Fake,
    });
    const values = client.subscribeAudienceStats({ campaignId: 7 });

    const waiting = values.next();
    assert.deepEqual(await values.return(), { done: true, value: undefined });
    assert.deepEqual(await waiting, { done: true, value: undefined });
    await client.close();
  });
});

describe("scalar helpers", () => {
  it("reads BigInt strings exactly", () => {
    assert.equal(toBigInt("9007199254740993"), 2n ** 53n + 1n);
    assert.equal(toBigInt("-12"), -12n);
    for (const bad of ["", "1.5", "1e3", " 1", "0x10"]) {
      assert.throws(() => toBigInt(bad), TypeError);
    }
  });

  it("reads DateTime strings as instants", () => {
    assert.equal(toDate("2026-03-13T10:46:07+00:00").getTime(), Date.UTC(2026, 2, 13, 10, 46, 7));
    assert.throws(() => toDate("yesterday"), TypeError);
  });
});
