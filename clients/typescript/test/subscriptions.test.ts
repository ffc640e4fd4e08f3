// The subscriptions through the client against the real server on the demo data: the first
// value against the model of the seed rows, then each push after plain SQL writes to the
// server's SQLite file, against the model applied to the changed rows. A server of its own:
// these tests change its records.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import { WebSocket } from "ws";

import {
  ApiError,
  type AudienceDimension,
  type AudienceFilter,
  type Client,
  createClient,
  type StatsResult,
  TransportError,
  WEBSOCKET_STATUS,
} from "../src/index.js";
import {
  campaignAudience,
  campaignBreakdown,
  loadAudience,
  type SeedAudience,
  stats,
} from "./model.js";
import {
  ACME_TOKEN,
  freePort,
  GLOBEX_TOKEN,
  type RunningServer,
  SEEDS,
  startServer,
  writeSql,
} from "./server.js";
import { groupView, nextOf, statsView } from "./views.js";

// The server recomputes changed subscriptions every LIVE_SECONDS; a push is awaited this long.
const LIVE_SECONDS = 0.2;

const CAMPAIGN = 2; // Acme's
const FILTER: AudienceFilter = { status: ["COMPLETED", "INQUEUE"] };
const BY: AudienceDimension[] = ["CALL_STATUS"];

// The model's rows as the database holds them now: each test's writes change both.
let rows: SeedAudience[] = loadAudience(SEEDS);

/** Applies a change to the model rows with these ids. */
function change(ids: readonly number[], update: (row: SeedAudience) => SeedAudience): void {
  const chosen = new Set(ids);
  rows = rows.map((row) => (chosen.has(row.id) ? update(row) : row));
}

/** A WebSocket class that keeps every socket it opens, to count connection attempts. */
function countingWebSocket() {
  const sockets: WebSocket[] = [];
  class Counted extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols);
      sockets.push(this);
    }
  }
  return { Counted, sockets };
}

/** The loop's next value, or a failure after `timeoutMs`. */
function expectedStats(filter: AudienceFilter | null) {
  return stats(campaignAudience(rows, CAMPAIGN, filter));
}

function expectedGroups() {
  return campaignBreakdown(rows, CAMPAIGN, BY, FILTER);
}

/** Waits until the socket is closed (or fails after the timeout). */
async function closed(socket: WebSocket, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (socket.readyState !== WebSocket.CLOSED) {
    assert.ok(Date.now() < deadline, `the socket is still in state ${socket.readyState}`);
    await new Promise((resolveLater) => setTimeout(resolveLater, 20));
  }
}

let server: RunningServer;
let acme: Client;

before(async () => {
  server = await startServer({ env: { AUDIENCE_STATS_LIVE_SECONDS: String(LIVE_SECONDS) } });
  acme = createClient({ url: server.graphqlUrl, token: ACME_TOKEN, webSocketImpl: WebSocket });
});

after(async () => {
  await acme?.close();
  await server?.stop();
});

describe("subscriptions", () => {
  it("push the model's values at once, then the values of the rows as plain SQL changed them", async () => {
    const { Counted, sockets } = countingWebSocket();
    const client = createClient({
      url: server.graphqlUrl,
      token: ACME_TOKEN,
      webSocketImpl: Counted,
    });
    // Three subscriptions on one connection: stats with and without a filter, and a breakdown.
    const all = client.subscribeAudienceStats({ campaignId: CAMPAIGN });
    const filtered = client.subscribeAudienceStats({ campaignId: CAMPAIGN, filter: FILTER });
    const groups = client.subscribeAudienceBreakdown({
      campaignId: CAMPAIGN,
      by: BY,
      filter: FILTER,
    });
    const expectPushes = async (what: string) => {
      assert.deepEqual(statsView(await nextOf(all, what)), expectedStats(null), what);
      assert.deepEqual(statsView(await nextOf(filtered, what)), expectedStats(FILTER), what);
      assert.deepEqual((await nextOf(groups, what)).map(groupView), expectedGroups(), what);
    };
    try {
      await expectPushes("the first values");
      assert.equal(sockets.length, 1, "one connection for all the subscriptions");

      // Records matching the filter and one it leaves out, none answered yet: every number moves.
      const campaignRows = campaignAudience(rows, CAMPAIGN);
      const matching = campaignAudience(rows, CAMPAIGN, FILTER).filter(
        (row) => row.callStatus !== "ANSWER",
      );
      const other = campaignRows.find((row) => !["COMPLETED", "INQUEUE"].includes(row.status));
      assert.ok(matching.length >= 4 && other !== undefined, "the seeds have rows to change");
      const ids = [...matching.slice(0, 3).map((row) => row.id), other.id];
      const changed = await writeSql(
        server.databasePath,
        `UPDATE campaign_audience SET duration = duration + 7, call_status = 'ANSWER'
         WHERE id IN (${ids.map(() => "?").join(", ")})`,
        ids,
      );
      assert.equal(changed, ids.length);
      const before = expectedStats(FILTER);
      change(ids, (row) => ({ ...row, duration: row.duration + 7, callStatus: "ANSWER" }));
      assert.notDeepEqual(expectedStats(FILTER), before, "the change shows in the model");
      await expectPushes("the values after the first write");

      // A write to another campaign pushes nothing here: the next values are the next write's.
      const elsewhere = rows.find((row) => row.campaignId !== CAMPAIGN);
      assert.ok(elsewhere !== undefined);
      await writeSql(
        server.databasePath,
        "UPDATE campaign_audience SET duration = duration + 1 WHERE id = ?",
        [elsewhere.id],
      );
      change([elsewhere.id], (row) => ({ ...row, duration: row.duration + 1 }));
      await new Promise((resolveLater) => setTimeout(resolveLater, LIVE_SECONDS * 3_000));

      // A matching record halted (status code 2) leaves the filter's stats; its longer call
      // changes the unfiltered ones too.
      const halted = matching[3];
      assert.ok(halted !== undefined);
      await writeSql(
        server.databasePath,
        "UPDATE campaign_audience SET status = 2, duration = duration + 1 WHERE id = ?",
        [halted.id],
      );
      change([halted.id], (row) => ({ ...row, status: "HALTED", duration: row.duration + 1 }));
      await expectPushes("the values after the second write");
    } finally {
      await all.return();
      await filtered.return();
      await groups.return();
    }
    // The last loop gone, the connection closes.
    const [socket] = sockets;
    assert.ok(socket !== undefined);
    await closed(socket);
  });

  it("match a query of the same stats", async () => {
    const values = acme.subscribeAudienceStats({ campaignId: CAMPAIGN, filter: FILTER });
    try {
      const pushed: StatsResult = await nextOf(values, "the first value");
      assert.deepEqual(pushed, await acme.campaignStats({ campaignId: CAMPAIGN, filter: FILTER }));
    } finally {
      await values.return();
    }
  });

  it("fail with NOT_FOUND for a campaign of another workspace, or none", async () => {
    for (const campaignId of [5, 999_999]) {
      await assert.rejects(
        nextOf(acme.subscribeAudienceStats({ campaignId }), "an error"),
        (error: unknown) => {
          assert.ok(error instanceof ApiError, `an ApiError, got ${String(error)}`);
          assert.equal(error.code, "NOT_FOUND");
          assert.equal(error.status, WEBSOCKET_STATUS);
          return true;
        },
        `campaign ${campaignId}`,
      );
    }
  });

  it("fail with UNAUTHENTICATED for a bad token, on one connection attempt", async () => {
    const { Counted, sockets } = countingWebSocket();
    // The default retryAttempts (5): a refused token must not be retried anyway.
    const client = createClient({
      url: server.graphqlUrl,
      token: "not-a-token",
      webSocketImpl: Counted,
    });
    await assert.rejects(
      nextOf(client.subscribeAudienceStats({ campaignId: CAMPAIGN }), "an error"),
      (error: unknown) => {
        assert.ok(error instanceof ApiError, `an ApiError, got ${String(error)}`);
        assert.equal(error.code, "UNAUTHENTICATED");
        assert.match(error.message, /4403/);
        return true;
      },
    );
    // The client's retry would start a second connection after a second or more.
    await new Promise((resolveLater) => setTimeout(resolveLater, 1_500));
    assert.equal(sockets.length, 1);
  });

  it("take the token of another workspace for its own campaigns", async () => {
    const globex = createClient({
      url: server.graphqlUrl,
      token: GLOBEX_TOKEN,
      webSocketImpl: WebSocket,
    });
    const values = globex.subscribeAudienceStats({ campaignId: 5 });
    try {
      const first = await nextOf(values, "the first value");
      assert.deepEqual(statsView(first), stats(campaignAudience(rows, 5)));
    } finally {
      await values.return();
    }
  });

  it("end, as done, when the client closes its WebSocket", async () => {
    const { Counted, sockets } = countingWebSocket();
    const client = createClient({
      url: server.graphqlUrl,
      token: ACME_TOKEN,
      webSocketImpl: Counted,
    });
    const values = client.subscribeAudienceStats({ campaignId: CAMPAIGN });
    await nextOf(values, "the first value");
    const waiting = values.next();
    await client.close();
    assert.deepEqual(await waiting, { done: true, value: undefined });
    const [socket] = sockets;
    assert.ok(socket !== undefined);
    await closed(socket);
  });

  it("end with the abort error when the signal aborts", async () => {
    const controller = new AbortController();
    const values = acme.subscribeAudienceStats(
      { campaignId: CAMPAIGN },
      { signal: controller.signal },
    );
    await nextOf(values, "the first value");
    const waiting = values.next();
    const reason = new Error("stop");
    controller.abort(reason);
    await assert.rejects(waiting, (error: unknown) => error === reason);
    assert.deepEqual(await values.next(), { done: true, value: undefined });
  });

  it("fail with a TransportError when no server listens", async () => {
    const port = await freePort();
    const client = createClient({
      url: `http://127.0.0.1:${port}/graphql`,
      token: ACME_TOKEN,
      webSocketImpl: WebSocket,
      retryAttempts: 0,
    });
    await assert.rejects(
      nextOf(client.subscribeAudienceStats({ campaignId: CAMPAIGN }), "an error"),
      (error: unknown) => {
        assert.ok(error instanceof TransportError, `a TransportError, got ${String(error)}`);
        assert.match(error.message, new RegExp(`ws://127\\.0\\.0\\.1:${port}/graphql`));
        return true;
      },
    );
  });
});
