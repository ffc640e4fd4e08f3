/** The server's values in the model's terms (test/model.ts), for the live tests to compare. */

import assert from "node:assert/strict";

import { type BreakdownGroup, type StatsResult, toBigInt } from "../src/index.js";
import type { ModelGroup, ModelStats } from "./model.js";

export function statsView(actual: StatsResult): ModelStats {
  // BigInt fields arrive as decimal strings.
  assert.match(actual.totalAttempt, /^\d+$/);
  assert.match(actual.totalDuration, /^\d+$/);
  return {
    totalAudience: actual.totalAudience,
    totalAttempt: toBigInt(actual.totalAttempt),
    totalDuration: toBigInt(actual.totalDuration),
    successfulCalls: actual.successfulCalls,
    coverage: actual.coverage,
  };
}

export function groupView(group: BreakdownGroup): ModelGroup {
  return {
    groupedBy: group.groupedBy,
    status: group.status ?? null,
    callStatus: group.callStatus ?? null,
    firstStatus: group.firstStatus ?? null,
    lastStatus: group.lastStatus ?? null,
    attempt: group.attempt ?? null,
    lastDisposition: group.lastDisposition ?? null,
    lastAttemptHour: group.lastAttemptHour ?? null,
    lastAttemptDay: group.lastAttemptDay ?? null,
    lastAttemptBefore: group.lastAttemptBefore ?? null,
    stats: statsView(group.stats),
  };
}

/** The next value of a live loop, failing the test if none comes within the time. */
export async function nextOf<T>(values: AsyncIterator<T>, what: string, timeoutMs = 10_000) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`waited ${timeoutMs} ms for ${what}`)), timeoutMs);
  });
  try {
    const result = await Promise.race([values.next(), timeout]);
    assert.ok(result.done !== true, `the loop ended before ${what}`);
    return result.value;
  } finally {
    clearTimeout(timer);
  }
}
