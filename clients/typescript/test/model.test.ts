// The reference model itself, against the contract's worked examples and hand-made records.

import assert from "node:assert/strict";
import { describe, it } from "node:test";

import {
  breakdown,
  campaignAudience,
  campaignBreakdown,
  coverage,
  epochMs,
  matcher,
  ordered,
  type SeedAudience,
  stats,
  timeBucket,
} from "./model.js";

function record(overrides: Partial<SeedAudience> & { id: number }): SeedAudience {
  return {
    campaignId: 1,
    mobileNo: "+12025550123",
    status: "COMPLETED",
    callStatus: null,
    firstStatus: null,
    lastStatus: null,
    attempt: 0,
    duration: 0,
    lastAttemptAt: null,
    lastDisposition: null,
    inputData: {},
    ...overrides,
  };
}

describe("coverage", () => {
  it("matches the contract's examples", () => {
    assert.equal(coverage(1n, 32n), 3.13);
    assert.equal(coverage(2n, 3n), 66.67);
  });

  it("rounds an exact half up, not to even", () => {
    // 1 / 800 * 100 = 0.125 exactly; 3 / 1600 * 100 = 0.1875.
    assert.equal(coverage(1n, 800n), 0.13);
    assert.equal(coverage(3n, 1600n), 0.19);
    assert.equal(coverage(5n, 8n), 62.5);
  });

  it("is 0 without attempts and stays exact past 2^53", () => {
    assert.equal(coverage(0n, 0n), 0);
    assert.equal(coverage(1n, 2n ** 60n), 0);
    assert.equal(coverage(2n ** 59n, 2n ** 60n), 50);
  });
});

describe("stats", () => {
  it("is all zeros for no records", () => {
    assert.deepEqual(stats([]), {
      totalAudience: 0,
      totalAttempt: 0n,
      totalDuration: 0n,
      successfulCalls: 0,
      coverage: 0,
    });
  });

  it("counts successful call statuses only", () => {
    const rows = [
      "AGENT_ENDED",
      "USER_ENDED",
      "COMPLETED",
      "ANSWER",
      "NO_ANSWER",
      "IN_PROGRESS",
      null,
    ].map((callStatus, i) => record({ id: i + 1, callStatus, attempt: 2, duration: 10 }));
    assert.deepEqual(stats(rows), {
      totalAudience: 7,
      totalAttempt: 14n,
      totalDuration: 70n,
      successfulCalls: 4,
      coverage: 28.57,
    });
  });
});

describe("matcher", () => {
  const row = record({ id: 1, mobileNo: "+12025550123", callStatus: "NO_ANSWER", attempt: 2 });

  it("finds the number fragment, ignoring separators in the given text", () => {
    assert.equal(matcher({ mobileNo: "(202) 555-01" })(row), true);
    assert.equal(matcher({ mobileNo: "202.555\t0123" })(row), true);
    assert.equal(matcher({ mobileNo: "203" })(row), false);
  });

  it("treats % and _ as ordinary characters", () => {
    assert.equal(matcher({ mobileNo: "%" })(row), false);
    assert.equal(matcher({ mobileNo: "_" })(row), false);
    assert.equal(matcher({ mobileNo: "%" })(record({ id: 2, mobileNo: "+1%202" })), true);
  });

  it("reads absent, null, empty lists and empty text as no constraint", () => {
    for (const filter of [
      null,
      undefined,
      {},
      { status: [] },
      { mobileNo: "" },
      { callStatus: null },
    ]) {
      assert.equal(matcher(filter)(row), true);
    }
  });

  it("compares call statuses upper-case, ORs a list and ANDs the fields", () => {
    assert.equal(matcher({ callStatus: ["no_answer"] })(row), true);
    assert.equal(matcher({ callStatus: ["BUSY", "No_Answer"] })(row), true);
    assert.equal(matcher({ callStatus: ["no_answer"], attempt: [2, 3] })(row), true);
    assert.equal(matcher({ callStatus: ["no_answer"], attempt: [1] })(row), false);
    assert.equal(matcher({ firstStatus: ["NO_ANSWER"] })(row), false);
  });
});

describe("matcher beyond the contract's fields", () => {
  const at = (text: string) => epochMs(`${text}Z`);
  const rows = [
    record({ id: 1, lastDisposition: "Interested", lastAttemptAt: at("2026-03-13T10:00:00") }),
    record({ id: 2, lastDisposition: "interested ", lastAttemptAt: at("2026-03-13T11:00:00") }),
    record({ id: 3, lastDisposition: null, callStatus: "BUSY", lastAttemptAt: null }),
    record({
      id: 4,
      lastDisposition: "",
      callStatus: "",
      lastAttemptAt: at("2026-03-14T00:00:00"),
    }),
  ];
  const ids = (filter: Parameters<typeof matcher>[0]) =>
    rows.filter(matcher(filter)).map((r) => r.id);

  it("matches dispositions exactly as stored, ignoring blank values", () => {
    assert.deepEqual(ids({ lastDisposition: ["Interested"] }), [1]);
    assert.deepEqual(ids({ lastDisposition: ["interested "] }), [2]);
    assert.deepEqual(ids({ lastDisposition: [""] }), [1, 2, 3, 4]);
  });

  it("reads a range as half-open, a time without an offset as UTC, an open end as unbounded", () => {
    assert.deepEqual(
      ids({ lastAttemptAt: { from: "2026-03-13T10:00:00", to: "2026-03-13T11:00:00" } }),
      [1],
    );
    assert.deepEqual(ids({ lastAttemptAt: { from: "2026-03-13T06:00:00-05:00" } }), [2, 4]);
    assert.deepEqual(ids({ lastAttemptAt: { to: "2026-03-14T05:45:00+05:45" } }), [1, 2]);
    assert.deepEqual(ids({ lastAttemptAt: {} }), [1, 2, 3, 4]);
  });

  it("adds no value (NULL or empty text) to a field's values with isNull, or matches only it", () => {
    assert.deepEqual(ids({ isNull: ["LAST_DISPOSITION"] }), [3, 4]);
    assert.deepEqual(
      ids({ isNull: ["LAST_DISPOSITION"], lastDisposition: ["Interested"] }),
      [1, 3, 4],
    );
    assert.deepEqual(ids({ isNull: ["CALL_STATUS"], callStatus: ["busy"] }), [1, 2, 3, 4]);
    assert.deepEqual(ids({ isNull: ["CALL_STATUS"] }), [1, 2, 4]);
    assert.deepEqual(ids({ isNull: ["LAST_ATTEMPT_AT"] }), [3]);
    assert.deepEqual(
      ids({ isNull: ["LAST_ATTEMPT_AT"], lastAttemptAt: { from: "2026-03-13T10:30:00Z" } }),
      [2, 3, 4],
    );
  });
});

describe("timeBucket", () => {
  // [bucket, instant, start, end], worked out by hand from each zone's clock changes.
  const cases: Record<string, ReadonlyArray<readonly ["DAY" | "HOUR", string, string, string]>> = {
    UTC: [
      ["DAY", "2026-03-13T10:46:07Z", "2026-03-13T00:00:00+00:00", "2026-03-14T00:00:00+00:00"],
      ["HOUR", "2026-03-13T10:46:07Z", "2026-03-13T10:00:00+00:00", "2026-03-13T11:00:00+00:00"],
    ],
    // Clocks go back on 1 November (a day of 25 hours, 01:00 twice) and forward on 8 March
    // (23 hours, no 02:00).
    "America/New_York": [
      ["DAY", "2026-11-01T12:00:00Z", "2026-11-01T00:00:00-04:00", "2026-11-02T00:00:00-05:00"],
      ["HOUR", "2026-11-01T05:30:00Z", "2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00"],
      ["HOUR", "2026-11-01T06:30:00Z", "2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00"],
      ["DAY", "2026-03-08T12:00:00Z", "2026-03-08T00:00:00-05:00", "2026-03-09T00:00:00-04:00"],
      ["HOUR", "2026-03-08T06:30:00Z", "2026-03-08T01:00:00-05:00", "2026-03-08T03:00:00-04:00"],
    ],
    // A quarter-hour offset.
    "Asia/Kathmandu": [
      ["DAY", "2026-03-13T10:46:07Z", "2026-03-13T00:00:00+05:45", "2026-03-14T00:00:00+05:45"],
      ["HOUR", "2026-03-13T10:46:07Z", "2026-03-13T16:00:00+05:45", "2026-03-13T17:00:00+05:45"],
    ],
    // Clocks skip midnight (00:00 → 01:00): the day begins at 01:00.
    "America/Santiago": [
      ["DAY", "2026-09-06T12:00:00Z", "2026-09-06T01:00:00-03:00", "2026-09-07T00:00:00-03:00"],
    ],
    // Clocks go back half an hour, 02:00 → 01:30: the minutes never turn to 00, so hour 1
    // lasts 90 minutes.
    "Australia/Lord_Howe": [
      ["HOUR", "2026-04-04T14:50:00Z", "2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+10:30"],
      ["HOUR", "2026-04-04T15:10:00Z", "2026-04-05T01:00:00+11:00", "2026-04-05T02:00:00+10:30"],
    ],
  };

  for (const [zone, buckets] of Object.entries(cases)) {
    for (const [bucket, at, start, before] of buckets) {
      it(`the ${bucket.toLowerCase()} of ${at} in ${zone} is ${start} to ${before}`, () => {
        const dimension = bucket === "DAY" ? "LAST_ATTEMPT_DAY" : "LAST_ATTEMPT_HOUR";
        assert.deepEqual(timeBucket(dimension, epochMs(at), zone), { start, before });
      });
    }
  }

  it("holds its first and its last instant", () => {
    const zone = "America/New_York";
    assert.deepEqual(timeBucket("LAST_ATTEMPT_HOUR", epochMs("2026-11-01T05:00:00Z"), zone), {
      start: "2026-11-01T01:00:00-04:00",
      before: "2026-11-01T01:00:00-05:00",
    });
    assert.deepEqual(timeBucket("LAST_ATTEMPT_HOUR", epochMs("2026-11-01T05:59:59.999Z"), zone), {
      start: "2026-11-01T01:00:00-04:00",
      before: "2026-11-01T01:00:00-05:00",
    });
  });

  it("refuses an unknown zone", () => {
    assert.throws(() => timeBucket("LAST_ATTEMPT_DAY", 0, "Mars/Olympus_Mons"), RangeError);
  });
});

describe("ordered", () => {
  const rows = [
    record({ id: 1, lastAttemptAt: 200, attempt: 1 }),
    record({ id: 2, lastAttemptAt: null, attempt: 1 }),
    record({ id: 3, lastAttemptAt: 100, attempt: 2 }),
    record({ id: 4, lastAttemptAt: null, attempt: 0 }),
    record({ id: 5, lastAttemptAt: 200, attempt: 1 }),
  ];
  const ids = (list: SeedAudience[]) => list.map((r) => r.id);

  it("puts never-attempted records last in both directions", () => {
    assert.deepEqual(
      ids(ordered(rows, { field: "LAST_ATTEMPT_AT", direction: "ASC" })),
      [3, 1, 5, 2, 4],
    );
    assert.deepEqual(
      ids(ordered(rows, { field: "LAST_ATTEMPT_AT", direction: "DESC" })),
      [5, 1, 3, 4, 2],
    );
  });

  it("breaks ties by id in the same direction, and sorts by id by default", () => {
    assert.deepEqual(ids(ordered(rows, { field: "ATTEMPT", direction: "DESC" })), [3, 5, 2, 1, 4]);
    assert.deepEqual(ids(ordered(rows, null)), [1, 2, 3, 4, 5]);
  });

  it("keeps only the campaign's matching records", () => {
    const mixed = [...rows, record({ id: 6, campaignId: 2 })];
    assert.deepEqual(ids(campaignAudience(mixed, 1, { attempt: [1] })), [1, 2, 5]);
  });
});

describe("breakdown", () => {
  const rows = [
    record({ id: 1, status: "FRESH", callStatus: null, attempt: 0 }),
    record({ id: 2, status: "COMPLETED", callStatus: "USER_ENDED", attempt: 10, duration: 5 }),
    record({ id: 3, status: "COMPLETED", callStatus: "ANSWER", attempt: 2, duration: 7 }),
    record({ id: 4, status: "HALTED", callStatus: "BUSY", attempt: 2 }),
    record({ id: 5, status: "COMPLETED", callStatus: "ANSWER", attempt: 2, duration: 1 }),
    record({ id: 6, status: "INQUEUE", callStatus: "answer", attempt: 1 }),
  ];
  // Dispositions are texts too: by code point ("Z" < "a"), NULL last.
  const labelled = [
    record({ id: 1, lastDisposition: "callback" }),
    record({ id: 2, lastDisposition: null }),
    record({ id: 3, lastDisposition: "Zero interest" }),
    record({ id: 4, lastDisposition: "Interested" }),
    record({ id: 5, lastDisposition: "callback" }),
  ];
  const keys = (by: Parameters<typeof breakdown>[1]) =>
    breakdown(rows, by).map((g) => [g.status, g.callStatus, g.attempt, g.stats.totalAudience]);

  it("orders statuses by code, not by name", () => {
    assert.deepEqual(
      breakdown(rows, ["STATUS"]).map((g) => g.status),
      ["FRESH", "COMPLETED", "HALTED", "INQUEUE"],
    );
  });

  it("orders attempts as numbers and texts by code point, NULL last", () => {
    assert.deepEqual(
      breakdown(rows, ["ATTEMPT"]).map((g) => g.attempt),
      [0, 1, 2, 10],
    );
    assert.deepEqual(keys(["CALL_STATUS", "ATTEMPT"]), [
      [null, "ANSWER", 2, 2],
      [null, "BUSY", 2, 1],
      [null, "USER_ENDED", 10, 1],
      [null, "answer", 1, 1],
      [null, null, 0, 1],
    ]);
  });

  it("groups dispositions by code point, NULL last", () => {
    assert.deepEqual(
      breakdown(labelled, ["LAST_DISPOSITION"]).map((g) => [
        g.lastDisposition,
        g.stats.totalAudience,
      ]),
      [
        ["Interested", 1],
        ["Zero interest", 1],
        ["callback", 2],
        [null, 1],
      ],
    );
  });

  it("orders by the first dimension, then the next", () => {
    assert.deepEqual(keys(["ATTEMPT", "STATUS"]), [
      ["FRESH", null, 0, 1],
      ["INQUEUE", null, 1, 1],
      ["COMPLETED", null, 2, 2],
      ["HALTED", null, 2, 1],
      ["COMPLETED", null, 10, 1],
    ]);
  });

  it("echoes the dimensions, leaves the others' key fields null and adds up to the stats", () => {
    const groups = breakdown(rows, ["LAST_STATUS", "STATUS"]);
    for (const group of groups) {
      assert.deepEqual(group.groupedBy, ["LAST_STATUS", "STATUS"]);
      assert.equal(group.lastStatus, null);
      assert.equal(group.callStatus, null);
      assert.equal(group.firstStatus, null);
      assert.equal(group.attempt, null);
      assert.equal(group.lastDisposition, null);
    }
    // No record has a last status: one NULL group per audience status, in code order.
    assert.deepEqual(
      groups.map((g) => g.status),
      ["FRESH", "COMPLETED", "HALTED", "INQUEUE"],
    );
    assert.deepEqual(groups[1]?.stats, stats(rows.filter((r) => r.status === "COMPLETED")));
    const total = groups.reduce((n, g) => n + g.stats.totalAudience, 0);
    assert.equal(total, rows.length);
  });

  it("is empty for no records and keeps only the campaign's matching ones", () => {
    assert.deepEqual(breakdown([], ["STATUS"]), []);
    const mixed = [...rows, record({ id: 7, campaignId: 2, status: "HALTED" })];
    assert.deepEqual(
      campaignBreakdown(mixed, 1, ["STATUS"], { status: ["HALTED", "FRESH"] }).map((g) => [
        g.status,
        g.stats.totalAudience,
      ]),
      [
        ["FRESH", 1],
        ["HALTED", 1],
      ],
    );
  });

  it("groups empty text with NULL", () => {
    const blank = [
      record({ id: 1, callStatus: "", lastDisposition: "" }),
      record({ id: 2, callStatus: null, lastDisposition: null }),
      record({ id: 3, callStatus: "BUSY", lastDisposition: "Voicemail" }),
    ];
    assert.deepEqual(
      breakdown(blank, ["CALL_STATUS", "LAST_DISPOSITION"]).map((g) => [
        g.callStatus,
        g.lastDisposition,
        g.stats.totalAudience,
      ]),
      [
        ["BUSY", "Voicemail", 1],
        [null, null, 2],
      ],
    );
  });

  it("groups by the zone's time buckets, by start, never attempted last", () => {
    const at = (text: string) => epochMs(text);
    const timed = [
      record({ id: 1, lastAttemptAt: at("2026-11-01T06:30:00Z"), status: "HALTED" }),
      record({ id: 2, lastAttemptAt: null }),
      record({ id: 3, lastAttemptAt: at("2026-11-01T05:59:00Z") }),
      record({ id: 4, lastAttemptAt: at("2026-11-01T05:00:00Z") }),
      record({ id: 5, lastAttemptAt: at("2026-10-31T23:00:00Z") }),
    ];
    const hours = breakdown(timed, ["LAST_ATTEMPT_HOUR"], "America/New_York");
    assert.deepEqual(
      hours.map((g) => [g.lastAttemptHour, g.lastAttemptBefore, g.stats.totalAudience]),
      [
        ["2026-10-31T19:00:00-04:00", "2026-10-31T20:00:00-04:00", 1],
        ["2026-11-01T01:00:00-04:00", "2026-11-01T01:00:00-05:00", 2],
        ["2026-11-01T01:00:00-05:00", "2026-11-01T02:00:00-05:00", 1],
        [null, null, 1],
      ],
    );
    for (const group of hours) {
      assert.deepEqual(group.groupedBy, ["LAST_ATTEMPT_HOUR"]);
      assert.equal(group.lastAttemptDay, null);
    }
    assert.deepEqual(
      breakdown(timed, ["STATUS", "LAST_ATTEMPT_DAY"]).map((g) => [
        g.status,
        g.lastAttemptDay,
        g.lastAttemptBefore,
        g.lastAttemptHour,
        g.stats.totalAudience,
      ]),
      [
        ["COMPLETED", "2026-10-31T00:00:00+00:00", "2026-11-01T00:00:00+00:00", null, 1],
        ["COMPLETED", "2026-11-01T00:00:00+00:00", "2026-11-02T00:00:00+00:00", null, 2],
        ["COMPLETED", null, null, null, 1],
        ["HALTED", "2026-11-01T00:00:00+00:00", "2026-11-02T00:00:00+00:00", null, 1],
      ],
    );
  });

  it("refuses no dimension, more than three, a repeated one and two time buckets", () => {
    assert.throws(() => breakdown(rows, []));
    assert.throws(() => breakdown(rows, ["STATUS", "ATTEMPT", "CALL_STATUS", "LAST_STATUS"]));
    assert.throws(() => breakdown(rows, ["STATUS", "STATUS"]));
    assert.throws(() => breakdown(rows, ["LAST_ATTEMPT_DAY", "LAST_ATTEMPT_HOUR"]));
  });
});
