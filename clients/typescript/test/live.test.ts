// Every operation through the generated client against the real server on the demo data,
// checked against the reference model computed from seeds/*.csv.

import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";

import {
  ApiError,
  type AudienceDimension,
  type AudienceFilter,
  type AudienceNullableField,
  type AudienceOrder,
  type AudienceRecord,
  type BreakdownGroup,
  type Client,
  createClient,
  toDate,
  TransportError,
} from "../src/index.js";
import {
  campaignAudience,
  campaignBreakdown,
  coverage,
  loadAudience,
  loadCampaigns,
  type ModelGroup,
  type ModelStats,
  type SeedAudience,
  STATUS_CODE,
  stats,
} from "./model.js";
import {
  ACME_TOKEN,
  freePort,
  GLOBEX_TOKEN,
  type RunningServer,
  SEEDS,
  startServer,
} from "./server.js";
import { groupView, statsView } from "./views.js";

const AUDIENCE = loadAudience(SEEDS);
const CAMPAIGNS = loadCampaigns(SEEDS);
const WORKSPACES = [
  { workspaceId: 1, token: ACME_TOKEN },
  { workspaceId: 2, token: GLOBEX_TOKEN },
];

const FILTERS: ReadonlyArray<readonly [string, AudienceFilter | null]> = [
  ["no filter", null],
  ["empty values", { mobileNo: "", status: [], callStatus: [], attempt: [] }],
  ["audience statuses", { status: ["COMPLETED", "INQUEUE"] }],
  [
    "call statuses in any case and a number fragment",
    { callStatus: ["no_answer", "BUSY"], mobileNo: "(202) 555" },
  ],
  [
    "attempts with first and last statuses",
    {
      attempt: [2, 3],
      firstStatus: ["NO_ANSWER", "busy"],
      lastStatus: ["AGENT_ENDED", "USER_ENDED", "COMPLETED"],
    },
  ],
  ["a number fragment with a tab and dots", { mobileNo: "617\t555.8" }],
  // The filters beyond the contract's.
  [
    "dispositions exactly, or none",
    { lastDisposition: ["Interested", "Call back later"], isNull: ["LAST_DISPOSITION"] },
  ],
  [
    "a last-attempt range with and without an offset, or never attempted",
    {
      lastAttemptAt: { from: "2026-03-08T01:30:00-05:00", to: "2026-11-01T01:30:00" },
      isNull: ["LAST_ATTEMPT_AT"],
    },
  ],
  ["no call status", { isNull: ["CALL_STATUS"] }],
  [
    "statuses, or none",
    { callStatus: ["busy"], firstStatus: ["NO_ANSWER"], isNull: ["CALL_STATUS", "FIRST_STATUS"] },
  ],
  // The ones below match nothing in the seeds: '%' and '_' must not act as SQL wildcards.
  ["no match", { mobileNo: "+999" }],
  ["a literal percent sign", { mobileNo: "555%" }],
  ["a literal underscore", { mobileNo: "2_2" }],
];
const MATCHING_NOTHING = new Set(["no match", "a literal percent sign", "a literal underscore"]);

function campaignsOf(workspaceId: number) {
  return CAMPAIGNS.filter((c) => c.workspaceId === workspaceId).sort((a, b) => a.id - b.id);
}

function tokenOf(campaignId: number): string {
  const campaign = CAMPAIGNS.find((c) => c.id === campaignId);
  const workspace = WORKSPACES.find((w) => w.workspaceId === campaign?.workspaceId);
  assert.ok(workspace, `campaign ${campaignId} has a demo workspace`);
  return workspace.token;
}

/** The stats of all the groups' records together, from the groups' own numbers. */
function totalOf(groups: readonly ModelGroup[]): ModelStats {
  const totalAttempt = groups.reduce((n, g) => n + g.stats.totalAttempt, 0n);
  const successfulCalls = groups.reduce((n, g) => n + g.stats.successfulCalls, 0);
  return {
    totalAudience: groups.reduce((n, g) => n + g.stats.totalAudience, 0),
    totalAttempt,
    totalDuration: groups.reduce((n, g) => n + g.stats.totalDuration, 0n),
    successfulCalls,
    coverage: coverage(BigInt(successfulCalls), totalAttempt),
  };
}

function recordView(node: AudienceRecord): Omit<SeedAudience, "campaignId"> {
  return {
    ...node,
    lastAttemptAt: node.lastAttemptAt == null ? null : toDate(node.lastAttemptAt).getTime(),
    callStatus: node.callStatus ?? null,
    firstStatus: node.firstStatus ?? null,
    lastStatus: node.lastStatus ?? null,
    lastDisposition: node.lastDisposition ?? null,
  };
}

function modelView(row: SeedAudience): Omit<SeedAudience, "campaignId"> {
  const { campaignId: _, ...rest } = row;
  return rest;
}

/** The REST twin's query string for a campaign and filter (contract §3 parameter names). */
function restQuery(campaignId: number, filter: AudienceFilter | null): URLSearchParams {
  const params = new URLSearchParams({ campaign_id: String(campaignId) });
  if (filter?.mobileNo != null) params.append("mobile_no", filter.mobileNo);
  for (const status of filter?.status ?? []) params.append("status", String(STATUS_CODE[status]));
  for (const value of filter?.callStatus ?? []) params.append("call_status", value);
  for (const value of filter?.firstStatus ?? []) params.append("first_status", value);
  for (const value of filter?.lastStatus ?? []) params.append("last_status", value);
  for (const value of filter?.attempt ?? []) params.append("attempt", String(value));
  for (const value of filter?.lastDisposition ?? []) params.append("last_disposition", value);
  const range = filter?.lastAttemptAt;
  if (range?.from != null) params.append("last_attempt_at_from", range.from);
  if (range?.to != null) params.append("last_attempt_at_to", range.to);
  // REST names the nullable fields by column: LAST_ATTEMPT_AT is last_attempt_at.
  for (const field of filter?.isNull ?? []) params.append("is_null", field.toLowerCase());
  return params;
}

let server: RunningServer;
let acme: Client;
let globex: Client;

function clientFor(campaignId: number): Client {
  return tokenOf(campaignId) === ACME_TOKEN ? acme : globex;
}

before(async () => {
  server = await startServer();
  acme = createClient({ url: server.graphqlUrl, token: ACME_TOKEN });
  globex = createClient({ url: server.graphqlUrl, token: GLOBEX_TOKEN });
});

after(async () => {
  await server?.stop();
});

describe("the reference data", () => {
  it("exercises every filter: each matches somewhere except those meant to match nothing", () => {
    for (const [label, filter] of FILTERS) {
      const count = CAMPAIGNS.reduce(
        (n, c) => n + campaignAudience(AUDIENCE, c.id, filter).length,
        0,
      );
      if (MATCHING_NOTHING.has(label)) assert.equal(count, 0, label);
      else assert.ok(count > 0, label);
    }
  });
});

describe("CampaignStats", () => {
  for (const campaign of CAMPAIGNS) {
    it(`campaign ${campaign.id}: every filter matches the model and the REST twin`, async () => {
      const client = clientFor(campaign.id);
      for (const [label, filter] of FILTERS) {
        const expected = stats(campaignAudience(AUDIENCE, campaign.id, filter));
        const actual = await client.campaignStats({ campaignId: campaign.id, filter });
        assert.deepEqual(statsView(actual), expected, `GraphQL, ${label}`);

        const response = await fetch(
          `${server.origin}/api/v1/global/campaign-audience-stats?${restQuery(campaign.id, filter)}`,
          { headers: { token: tokenOf(campaign.id) } },
        );
        assert.equal(response.status, 200, label);
        const rest = (await response.json()) as Record<string, number>;
        assert.deepEqual(Object.keys(rest).sort(), [
          "coverage",
          "successful_calls",
          "total_attempt",
          "total_audience",
          "total_duration",
        ]);
        // REST sends plain numbers; GraphQL the same values as BigInt strings.
        assert.deepEqual(
          {
            totalAudience: rest["total_audience"],
            totalAttempt: BigInt(rest["total_attempt"] ?? Number.NaN),
            totalDuration: BigInt(rest["total_duration"] ?? Number.NaN),
            successfulCalls: rest["successful_calls"],
            coverage: rest["coverage"],
          },
          expected,
          `REST, ${label}`,
        );
      }
    });
  }
});

describe("CampaignBreakdown", () => {
  // One, two and three dimensions, each at least once, and one pair both ways round.
  // LAST_DISPOSITION is read from the records, the others from the rollup (without mobileNo).
  const BY: ReadonlyArray<readonly AudienceDimension[]> = [
    ["CALL_STATUS"],
    ["STATUS"],
    ["STATUS", "ATTEMPT"],
    ["ATTEMPT", "STATUS"],
    ["CALL_STATUS", "ATTEMPT", "LAST_STATUS"],
    ["FIRST_STATUS", "LAST_STATUS", "STATUS"],
    ["LAST_DISPOSITION"],
    ["STATUS", "LAST_DISPOSITION", "ATTEMPT"],
  ];
  // Without mobileNo the server reads the rollup; with it, the records.
  const BREAKDOWN_FILTERS: ReadonlyArray<readonly [string, AudienceFilter | null]> = [
    ["no filter", null],
    ["audience statuses", { status: ["COMPLETED", "INQUEUE"] }],
    ["a number fragment", { mobileNo: "(202) 555" }],
    ["no match", { mobileNo: "+999" }],
  ];

  it("the reference data has NULL groups, groups of many records and empty breakdowns", () => {
    const all = CAMPAIGNS.flatMap((c) =>
      BY.flatMap((by) =>
        BREAKDOWN_FILTERS.map(([label, filter]) => ({
          label,
          groups: campaignBreakdown(AUDIENCE, c.id, by, filter),
        })),
      ),
    );
    const groups = all.flatMap((b) => b.groups);
    assert.ok(groups.some((g) => g.callStatus === null && g.groupedBy.includes("CALL_STATUS")));
    assert.ok(groups.some((g) => g.lastStatus === null && g.groupedBy.includes("LAST_STATUS")));
    assert.ok(
      groups.some((g) => g.lastDisposition === null && g.groupedBy.includes("LAST_DISPOSITION")),
    );
    assert.ok(groups.some((g) => g.stats.totalAudience > 1));
    for (const { label, groups: found } of all) {
      if (label !== "no match") continue;
      assert.deepEqual(found, []);
    }
    for (const [label, filter] of BREAKDOWN_FILTERS) {
      if (label === "no match") continue;
      const count = CAMPAIGNS.reduce(
        (n, c) => n + campaignAudience(AUDIENCE, c.id, filter).length,
        0,
      );
      assert.ok(count > 0, label);
    }
  });

  for (const { workspaceId, token } of WORKSPACES) {
    for (const campaign of campaignsOf(workspaceId)) {
      it(`workspace ${workspaceId}, campaign ${campaign.id}: every grouping and filter matches the model and adds up to the stats`, async () => {
        const client = token === ACME_TOKEN ? acme : globex;
        for (const by of BY) {
          for (const [label, filter] of BREAKDOWN_FILTERS) {
            const context = `by ${by.join(", ")}, ${label}`;
            const expected = campaignBreakdown(AUDIENCE, campaign.id, by, filter);
            const groups = await client.campaignBreakdown({
              campaignId: campaign.id,
              by: [...by],
              filter,
            });
            const actual = groups.map(groupView);
            assert.deepEqual(actual, expected, context);

            const total = await client.campaignStats({ campaignId: campaign.id, filter });
            assert.deepEqual(totalOf(actual), statsView(total), `${context}: the groups' total`);
          }
        }
      });
    }
  }

  it("another workspace's campaign, or none, is NOT_FOUND", async () => {
    for (const [client, campaignId] of [
      [acme, 5],
      [globex, 1],
      [acme, 999_999],
    ] as const) {
      await assert.rejects(
        client.campaignBreakdown({ campaignId, by: ["STATUS"] }),
        (error: unknown) => {
          assert.ok(error instanceof ApiError, `an ApiError, got ${String(error)}`);
          assert.equal(error.code, "NOT_FOUND");
          assert.deepEqual(error.path, ["campaignAudienceBreakdown"]);
          return true;
        },
        `campaign ${campaignId}`,
      );
    }
  });
});

/** The earlier or later of two DateTime values, either absent. */
function bound(a: string | null | undefined, b: string | null | undefined, later: boolean) {
  if (a == null || b == null) return a ?? b ?? null;
  const aIsLater = toDate(a).getTime() > toDate(b).getTime();
  return aIsLater === later ? a : b;
}

/**
 * The README's drill-down: the filter narrowed to one group of a breakdown under it, by each
 * dimension's value (a value by its list, a time bucket by `lastAttemptAt` within the filter's
 * range, none by `isNull`).
 */
function drillDown(filter: AudienceFilter | null, group: BreakdownGroup): AudienceFilter {
  const narrowed: AudienceFilter = { ...filter };
  const isNull = new Set(filter?.isNull ?? []);
  const oneOrNone = (field: AudienceNullableField, value: string | null | undefined) => {
    if (value == null) {
      isNull.add(field);
      return null;
    }
    isNull.delete(field);
    return [value];
  };
  for (const dimension of group.groupedBy) {
    switch (dimension) {
      case "STATUS":
        if (group.status != null) narrowed.status = [group.status];
        break;
      case "ATTEMPT":
        if (group.attempt != null) narrowed.attempt = [group.attempt];
        break;
      case "CALL_STATUS":
        narrowed.callStatus = oneOrNone("CALL_STATUS", group.callStatus);
        break;
      case "FIRST_STATUS":
        narrowed.firstStatus = oneOrNone("FIRST_STATUS", group.firstStatus);
        break;
      case "LAST_STATUS":
        narrowed.lastStatus = oneOrNone("LAST_STATUS", group.lastStatus);
        break;
      case "LAST_DISPOSITION":
        narrowed.lastDisposition = oneOrNone("LAST_DISPOSITION", group.lastDisposition);
        break;
      case "LAST_ATTEMPT_HOUR":
      case "LAST_ATTEMPT_DAY": {
        const start = group.lastAttemptHour ?? group.lastAttemptDay;
        if (start == null) {
          narrowed.lastAttemptAt = null;
          isNull.add("LAST_ATTEMPT_AT");
        } else {
          const range = filter?.lastAttemptAt;
          narrowed.lastAttemptAt = {
            from: bound(start, range?.from, true),
            to: bound(group.lastAttemptBefore, range?.to, false),
          };
          isNull.delete("LAST_ATTEMPT_AT");
        }
        break;
      }
    }
  }
  narrowed.isNull = [...isNull];
  return narrowed;
}

describe("CampaignBreakdown by time buckets", () => {
  type Labelled = readonly [string, AudienceFilter | null];
  const NO_FILTER: Labelled = ["no filter", null];
  // The range cuts buckets at both ends; with isNull, the never attempted stay in.
  const RANGE: Labelled = [
    "a range within buckets, or never attempted",
    {
      lastAttemptAt: { from: "2026-03-08T01:30:00-05:00", to: "2026-11-01T05:30:00Z" },
      isNull: ["LAST_ATTEMPT_AT"],
    },
  ];
  // Days where New York's clocks change (25 hours on 2026-11-01, 23 on 2026-03-08) and of a
  // quarter-hour offset (Kathmandu, +05:45); hours with New York's 01:00 twice on 2026-11-01.
  const CASES: ReadonlyArray<{
    by: readonly AudienceDimension[];
    timeZone: string;
    filters: readonly Labelled[];
  }> = [
    { by: ["LAST_ATTEMPT_DAY"], timeZone: "UTC", filters: [NO_FILTER, RANGE] },
    { by: ["LAST_ATTEMPT_DAY"], timeZone: "America/New_York", filters: [NO_FILTER, RANGE] },
    { by: ["LAST_ATTEMPT_DAY"], timeZone: "Asia/Kathmandu", filters: [NO_FILTER, RANGE] },
    { by: ["LAST_ATTEMPT_HOUR"], timeZone: "America/New_York", filters: [NO_FILTER] },
    {
      by: ["LAST_DISPOSITION", "LAST_ATTEMPT_DAY"],
      timeZone: "Asia/Kathmandu",
      filters: [NO_FILTER],
    },
  ];
  // The model's groups of each case, worked out while the tests are collected, before any
  // request: finding the buckets minute by minute takes seconds, and a connection left idle
  // that long between two requests may be closed by the server under the next one.
  const caseId = (
    campaignId: number,
    by: readonly AudienceDimension[],
    zone: string,
    label: string,
  ) => JSON.stringify([campaignId, by, zone, label]);
  const EXPECTED = new Map<string, ModelGroup[]>();
  for (const campaign of CAMPAIGNS) {
    for (const { by, timeZone, filters } of CASES) {
      for (const [label, filter] of filters) {
        EXPECTED.set(
          caseId(campaign.id, by, timeZone, label),
          campaignBreakdown(AUDIENCE, campaign.id, by, filter, timeZone),
        );
      }
    }
  }

  it("the reference data has days of 23 and 25 hours, 01:00 twice and never-attempted records", () => {
    const breakdowns = (by: readonly AudienceDimension[], timeZone: string) =>
      CAMPAIGNS.flatMap((c) => EXPECTED.get(caseId(c.id, by, timeZone, NO_FILTER[0])) ?? []);
    const days = breakdowns(["LAST_ATTEMPT_DAY"], "America/New_York").map((g) => [
      g.lastAttemptDay,
      g.lastAttemptBefore,
    ]);
    assert.ok(
      days.some(([d, b]) => d === "2026-03-08T00:00:00-05:00" && b === "2026-03-09T00:00:00-04:00"),
    );
    assert.ok(
      days.some(([d, b]) => d === "2026-11-01T00:00:00-04:00" && b === "2026-11-02T00:00:00-05:00"),
    );
    const hours = breakdowns(["LAST_ATTEMPT_HOUR"], "America/New_York").map(
      (g) => g.lastAttemptHour,
    );
    assert.ok(hours.includes("2026-11-01T01:00:00-04:00"));
    assert.ok(hours.includes("2026-11-01T01:00:00-05:00"));
    assert.ok(hours.includes(null));
    // Kathmandu's days hold other records than UTC's.
    const sizes = (timeZone: string) =>
      breakdowns(["LAST_ATTEMPT_DAY"], timeZone).map((g) => g.stats.totalAudience);
    assert.notDeepEqual(sizes("Asia/Kathmandu"), sizes("UTC"));
  });

  for (const campaign of CAMPAIGNS) {
    it(`campaign ${campaign.id}: the model's groups, adding up to the stats, each reached by its drill-down`, async () => {
      const client = clientFor(campaign.id);
      for (const { by, timeZone, filters } of CASES) {
        for (const [label, filter] of filters) {
          const context = `by ${by.join(", ")} in ${timeZone}, ${label}`;
          const groups = await client.campaignBreakdown({
            campaignId: campaign.id,
            by: [...by],
            filter,
            timeZone,
          });
          const actual = groups.map(groupView);
          assert.deepEqual(actual, EXPECTED.get(caseId(campaign.id, by, timeZone, label)), context);
          const total = await client.campaignStats({ campaignId: campaign.id, filter });
          assert.deepEqual(totalOf(actual), statsView(total), `${context}: the groups' total`);

          // Each group's stats again under its drill-down filter, all in flight at once.
          const drilled = await Promise.all(
            groups.map(async (group) => {
              const narrowed = drillDown(filter, group);
              const found = await client.campaignStats({
                campaignId: campaign.id,
                filter: narrowed,
              });
              return { group, narrowed, found };
            }),
          );
          for (const { group, narrowed, found } of drilled) {
            assert.deepEqual(
              statsView(found),
              statsView(group.stats),
              `${context}: the drill-down ${JSON.stringify(narrowed)}`,
            );
          }
        }
      }
    });
  }

  it("takes UTC when no time zone is given", async () => {
    const expected = campaignBreakdown(AUDIENCE, 2, ["LAST_ATTEMPT_HOUR"], null, "UTC");
    const groups = await acme.campaignBreakdown({ campaignId: 2, by: ["LAST_ATTEMPT_HOUR"] });
    assert.deepEqual(groups.map(groupView), expected);
  });

  it("an unknown time zone, or both time buckets, is BAD_USER_INPUT", async () => {
    for (const [by, timeZone] of [
      [["LAST_ATTEMPT_DAY"], "Mars/Olympus_Mons"],
      [["LAST_ATTEMPT_DAY", "LAST_ATTEMPT_HOUR"], "UTC"],
    ] as const) {
      await assert.rejects(
        acme.campaignBreakdown({ campaignId: 1, by: [...by], timeZone }),
        (error: unknown) => {
          assert.ok(error instanceof ApiError, `an ApiError, got ${String(error)}`);
          assert.equal(error.code, "BAD_USER_INPUT");
          assert.deepEqual(error.path, ["campaignAudienceBreakdown"]);
          return true;
        },
        `by ${by.join(", ")} in ${timeZone}`,
      );
    }
  });
});

describe("CampaignOverview", () => {
  it("gives the campaign, its stats and the first page in order", async () => {
    const filter: AudienceFilter = { status: ["COMPLETED", "INQUEUE"] };
    const orderBy: AudienceOrder = { field: "DURATION", direction: "DESC" };
    const expected = campaignAudience(AUDIENCE, 2, filter, orderBy);
    const campaign = CAMPAIGNS.find((c) => c.id === 2);
    assert.ok(campaign);

    const overview = await acme.campaignOverview({ id: 2, filter, first: 5, orderBy });

    assert.ok(overview);
    assert.equal(overview.id, 2);
    assert.equal(overview.name, campaign.name);
    assert.equal(overview.maxAttempts, campaign.maxAttempts);
    assert.equal(toDate(overview.createdAt).getTime(), campaign.createdAt);
    assert.deepEqual(statsView(overview.audienceStats), stats(expected));
    const page = overview.audience;
    assert.equal(page.totalCount, expected.length);
    assert.deepEqual(
      page.edges.map((e) => recordView(e.node)),
      expected.slice(0, 5).map(modelView),
    );
    assert.equal(page.pageInfo.hasNextPage, expected.length > 5);
    assert.equal(page.pageInfo.hasPreviousPage, false);
    assert.equal(page.pageInfo.startCursor, page.edges[0]?.cursor);
    assert.equal(page.pageInfo.endCursor, page.edges.at(-1)?.cursor);
  });

  it("gives the default page of 10 by id without arguments", async () => {
    const overview = await globex.campaignOverview({ id: 6 });
    const expected = campaignAudience(AUDIENCE, 6);
    assert.ok(overview);
    assert.deepEqual(
      overview.audience.edges.map((e) => recordView(e.node)),
      expected.slice(0, 10).map(modelView),
    );
    assert.deepEqual(statsView(overview.audienceStats), stats(expected));
  });

  it("is null for a campaign of another workspace or none", async () => {
    assert.equal(await acme.campaignOverview({ id: 5 }), null);
    assert.equal(await globex.campaignOverview({ id: 1 }), null);
    assert.equal(await acme.campaignOverview({ id: 999_999 }), null);
  });
});

describe("AudiencePage", () => {
  const walks: ReadonlyArray<{
    id: number;
    filter: AudienceFilter | null;
    orderBy: AudienceOrder | null;
    first: number;
  }> = [
    { id: 2, filter: null, orderBy: null, first: 100 },
    {
      id: 1,
      filter: { status: ["COMPLETED"] },
      orderBy: { field: "ATTEMPT", direction: "DESC" },
      first: 37,
    },
    // Never-attempted records (FRESH) come last in both directions.
    {
      id: 2,
      filter: { status: ["FRESH", "HALTED", "INQUEUE"] },
      orderBy: { field: "LAST_ATTEMPT_AT", direction: "DESC" },
      first: 37,
    },
    { id: 4, filter: null, orderBy: { field: "LAST_ATTEMPT_AT", direction: "ASC" }, first: 41 },
    {
      id: 6,
      filter: { callStatus: ["no_answer", "busy", "failed"] },
      orderBy: { field: "ATTEMPT", direction: "ASC" },
      first: 9,
    },
    {
      id: 3,
      filter: { mobileNo: "617" },
      orderBy: { field: "DURATION", direction: "DESC" },
      first: 13,
    },
    { id: 5, filter: { attempt: [1] }, orderBy: { field: "ID", direction: "DESC" }, first: 50 },
  ];

  for (const walk of walks) {
    const order =
      walk.orderBy === null ? "ID ASC" : `${walk.orderBy.field} ${walk.orderBy.direction}`;
    it(`walks campaign ${walk.id} by ${order}, ${walk.first} a page: every match once, in order`, async () => {
      const client = clientFor(walk.id);
      const expected = campaignAudience(AUDIENCE, walk.id, walk.filter, walk.orderBy);
      const { id, filter, orderBy, first } = walk;

      const overview = await client.campaignOverview({ id, filter, orderBy, first });
      assert.ok(overview);
      let page = overview.audience;
      const seen: AudienceRecord[] = [];
      let pages = 1;
      while (true) {
        assert.equal(page.totalCount, expected.length);
        assert.ok(page.edges.length <= first);
        assert.equal(page.pageInfo.hasPreviousPage, pages > 1);
        assert.equal(page.pageInfo.startCursor ?? null, page.edges[0]?.cursor ?? null);
        assert.equal(page.pageInfo.endCursor ?? null, page.edges.at(-1)?.cursor ?? null);
        seen.push(...page.edges.map((e) => e.node));
        if (!page.pageInfo.hasNextPage) break;
        const after = page.pageInfo.endCursor;
        assert.ok(after);
        const next = await client.audiencePage({ id, filter, orderBy, first, after });
        assert.ok(next);
        page = next;
        pages += 1;
      }

      assert.equal(pages, Math.max(1, Math.ceil(expected.length / first)));
      assert.deepEqual(seen.map(recordView), expected.map(modelView));
    });
  }

  it("walkAudience yields the same records as the model", async () => {
    const orderBy: AudienceOrder = { field: "LAST_ATTEMPT_AT", direction: "DESC" };
    const ids: number[] = [];
    for await (const node of globex.walkAudience({ id: 6, orderBy, pageSize: 64 })) {
      ids.push(node.id);
    }
    assert.deepEqual(
      ids,
      campaignAudience(AUDIENCE, 6, null, orderBy).map((r) => r.id),
    );
  });

  it("walkAudience ends at once on an empty match and refuses a campaign it cannot see", async () => {
    const none: AudienceRecord[] = [];
    for await (const node of acme.walkAudience({ id: 1, filter: { mobileNo: "+999" } }))
      none.push(node);
    assert.deepEqual(none, []);

    const walker = acme.walkAudience({ id: 5 });
    await assert.rejects(walker.next(), { name: "ApiError", code: "NOT_FOUND" });
  });
});

describe("WorkspaceCampaigns", () => {
  const filter: AudienceFilter = { callStatus: ["AGENT_ENDED", "user_ended"] };

  for (const { workspaceId, token } of WORKSPACES) {
    it(`lists workspace ${workspaceId}'s campaigns page by page, with stats`, async () => {
      const client = token === ACME_TOKEN ? acme : globex;
      const expected = campaignsOf(workspaceId);

      let page = await client.workspaceCampaigns({ first: 3 });
      const nodes = [...page.edges.map((e) => e.node)];
      assert.equal(page.totalCount, expected.length);
      assert.equal(page.pageInfo.hasNextPage, expected.length > 3);
      while (page.pageInfo.hasNextPage) {
        page = await client.workspaceCampaigns({ first: 3, after: page.pageInfo.endCursor });
        assert.equal(page.totalCount, expected.length);
        nodes.push(...page.edges.map((e) => e.node));
      }

      assert.deepEqual(
        nodes.map((n) => ({
          ...n,
          createdAt: toDate(n.createdAt).getTime(),
          audienceStats: statsView(n.audienceStats),
        })),
        expected.map((c) => ({
          id: c.id,
          name: c.name,
          maxAttempts: c.maxAttempts,
          createdAt: c.createdAt,
          audienceStats: stats(campaignAudience(AUDIENCE, c.id)),
        })),
      );
    });

    it(`walkCampaigns gives workspace ${workspaceId}'s campaigns with filtered stats`, async () => {
      const client = token === ACME_TOKEN ? acme : globex;
      const seen: Array<{ id: number; stats: ModelStats }> = [];
      for await (const node of client.walkCampaigns({ filter, pageSize: 1 })) {
        seen.push({ id: node.id, stats: statsView(node.audienceStats) });
      }
      assert.deepEqual(
        seen,
        campaignsOf(workspaceId).map((c) => ({
          id: c.id,
          stats: stats(campaignAudience(AUDIENCE, c.id, filter)),
        })),
      );
    });
  }
});

describe("errors", () => {
  async function failure(promise: Promise<unknown>): Promise<ApiError> {
    const error = await promise.then(
      () => assert.fail("expected an error"),
      (e: unknown) => e,
    );
    assert.ok(error instanceof ApiError, `an ApiError, got ${String(error)}`);
    return error;
  }

  it("an unknown token is UNAUTHENTICATED (HTTP 401)", async () => {
    const stranger = createClient({
      url: server.graphqlUrl,
      token: "demo-nobody-0000000000000000",
    });
    const error = await failure(stranger.campaignStats({ campaignId: 1 }));
    assert.equal(error.code, "UNAUTHENTICATED");
    assert.equal(error.status, 401);
    assert.equal(error.path, undefined);
    assert.ok(error.message.length > 0);
  });

  it("another workspace's campaign in campaignStats is NOT_FOUND", async () => {
    for (const [client, campaignId] of [
      [acme, 5],
      [globex, 1],
      [acme, 999_999],
    ] as const) {
      const error = await failure(client.campaignStats({ campaignId }));
      assert.equal(error.code, "NOT_FOUND");
      assert.deepEqual(error.path, ["campaignAudienceStats"]);
    }
  });

  it("a page size outside 1 … 100 is BAD_USER_INPUT", async () => {
    for (const first of [0, 101, -1]) {
      const error = await failure(acme.campaignOverview({ id: 1, first }));
      assert.equal(error.code, "BAD_USER_INPUT", `first: ${first}`);
      assert.deepEqual(error.path, ["campaign", "audience"]);
    }
    const error = await failure(acme.workspaceCampaigns({ first: 0 }));
    assert.equal(error.code, "BAD_USER_INPUT");
  });

  it("a malformed cursor, or one of another ordering, is BAD_USER_INPUT", async () => {
    const malformed = await failure(acme.audiencePage({ id: 1, after: "not-a-cursor" }));
    assert.equal(malformed.code, "BAD_USER_INPUT");

    const overview = await acme.campaignOverview({
      id: 1,
      first: 2,
      orderBy: { field: "DURATION" },
    });
    const cursor = overview?.audience.pageInfo.endCursor;
    assert.ok(cursor);
    const mismatched = await failure(
      acme.audiencePage({ id: 1, after: cursor, orderBy: { field: "ATTEMPT" } }),
    );
    assert.equal(mismatched.code, "BAD_USER_INPUT");
  });

  it("a filter beyond its bounds is BAD_USER_INPUT", async () => {
    const long = await failure(
      acme.campaignStats({ campaignId: 1, filter: { mobileNo: "1".repeat(33) } }),
    );
    assert.equal(long.code, "BAD_USER_INPUT");
    const attempts = await failure(
      acme.campaignStats({ campaignId: 1, filter: { attempt: [1001] } }),
    );
    assert.equal(attempts.code, "BAD_USER_INPUT");
  });

  it("no server at the address is a TransportError", async () => {
    const port = await freePort();
    const nowhere = createClient({ url: `http://127.0.0.1:${port}/graphql`, token: ACME_TOKEN });
    await assert.rejects(nowhere.campaignStats({ campaignId: 1 }), (error: unknown) => {
      assert.ok(error instanceof TransportError);
      assert.equal(error.status, undefined);
      return true;
    });
  });
});
