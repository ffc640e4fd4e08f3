/**
 * A plain model of the contract's stats, filter and ordering semantics (CONTRACT.md §2–4) and of
 * the breakdowns (README, "Breakdowns for charts") over the seed CSV files: the independent
 * reference the live tests compare the server with.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";

import { parse } from "csv-parse/sync";

import type {
  AudienceDimension,
  AudienceFilter,
  AudienceOrder,
  AudienceStatus,
} from "../src/generated/graphql.js";
import type { JsonObject } from "../src/scalars.js";

export interface SeedAudience {
  id: number;
  campaignId: number;
  mobileNo: string;
  status: AudienceStatus;
  callStatus: string | null;
  firstStatus: string | null;
  lastStatus: string | null;
  attempt: number;
  duration: number;
  /** Epoch milliseconds; null when never attempted. */
  lastAttemptAt: number | null;
  lastDisposition: string | null;
  inputData: JsonObject;
}

export interface SeedCampaign {
  id: number;
  workspaceId: number;
  name: string;
  maxAttempts: number;
  /** Epoch milliseconds. */
  createdAt: number;
}

export interface ModelStats {
  totalAudience: number;
  totalAttempt: bigint;
  totalDuration: bigint;
  successfulCalls: number;
  coverage: number;
}

// The stored codes of the audience statuses (contract §1).
const STATUS_BY_CODE: Record<string, AudienceStatus> = {
  "0": "FRESH",
  "1": "COMPLETED",
  "2": "HALTED",
  "3": "INQUEUE",
};

export const STATUS_CODE: Record<AudienceStatus, number> = {
  FRESH: 0,
  COMPLETED: 1,
  HALTED: 2,
  INQUEUE: 3,
};

const SUCCESSFUL = new Set(["AGENT_ENDED", "USER_ENDED", "COMPLETED", "ANSWER"]);

function readCsv(path: string): Array<Record<string, string>> {
  return parse(readFileSync(path, "utf8"), { columns: true, skip_empty_lines: true });
}

function whole(value: string | undefined, column: string): number {
  if (value === undefined || !/^\d+$/.test(value)) {
    throw new Error(`seed column ${column}: not a whole number: ${String(value)}`);
  }
  return Number(value);
}

function text(value: string | undefined): string | null {
  return value === undefined || value === "" ? null : value;
}

function instant(value: string | undefined, column: string): number {
  const ms = Date.parse(value ?? "");
  if (Number.isNaN(ms)) {
    throw new Error(`seed column ${column}: not a timestamp: ${String(value)}`);
  }
  return ms;
}

export function loadAudience(seedDir: string): SeedAudience[] {
  return readCsv(join(seedDir, "audience.csv")).map((row) => {
    const status = STATUS_BY_CODE[row["status"] ?? ""];
    if (status === undefined) {
      throw new Error(`seed audience ${row["id"]}: unknown status ${row["status"]}`);
    }
    const lastAttemptAt = text(row["last_attempt_at"]);
    const inputData = text(row["input_data"]);
    return {
      id: whole(row["id"], "id"),
      campaignId: whole(row["campaign_id"], "campaign_id"),
      mobileNo: row["mobile_no"] ?? "",
      status,
      callStatus: text(row["call_status"]),
      firstStatus: text(row["first_status"]),
      lastStatus: text(row["last_status"]),
      attempt: whole(row["attempt"], "attempt"),
      duration: whole(row["duration"], "duration"),
      lastAttemptAt: lastAttemptAt === null ? null : instant(lastAttemptAt, "last_attempt_at"),
      lastDisposition: text(row["last_disposition"]),
      inputData: inputData === null ? {} : (JSON.parse(inputData) as JsonObject),
    };
  });
}

export function loadCampaigns(seedDir: string): SeedCampaign[] {
  return readCsv(join(seedDir, "campaigns.csv")).map((row) => ({
    id: whole(row["id"], "id"),
    workspaceId: whole(row["workspace_id"], "workspace_id"),
    name: row["name"] ?? "",
    maxAttempts: whole(row["max_attempts"], "max_attempts"),
    createdAt: instant(row["created_at"], "created_at"),
  }));
}

/** A list constraint: null when absent, null or empty (no constraint). */
function listOf<T>(values: ReadonlyArray<T> | null | undefined): ReadonlyArray<T> | null {
  return values == null || values.length === 0 ? null : values;
}

/** Status strings compare upper-case; blank values are ignored. */
function statusSet(values: ReadonlyArray<string> | null | undefined): Set<string> | null {
  const list = listOf(values);
  if (list === null) {
    return null;
  }
  const set = new Set(list.map((v) => v.trim().toUpperCase()).filter((v) => v !== ""));
  return set.size === 0 ? null : set;
}

/** `mobileNo` without the separators the contract ignores; null when nothing is left. */
function mobileNeedle(value: string | null | undefined): string | null {
  const needle = (value ?? "").replace(/[\s\-.()]/g, "");
  return needle === "" ? null : needle;
}

/** A predicate with the filter's meaning (contract §3): AND across fields, OR within a list. */
export function matcher(filter: AudienceFilter | null | undefined): (row: SeedAudience) => boolean {
  const needle = mobileNeedle(filter?.mobileNo);
  const statuses = listOf(filter?.status);
  const callStatuses = statusSet(filter?.callStatus);
  const firstStatuses = statusSet(filter?.firstStatus);
  const lastStatuses = statusSet(filter?.lastStatus);
  const attempts = listOf(filter?.attempt);
  const within = (set: Set<string> | null, value: string | null) =>
    set === null || (value !== null && set.has(value));
  return (row) =>
    (needle === null || row.mobileNo.includes(needle)) &&
    (statuses === null || statuses.includes(row.status)) &&
    within(callStatuses, row.callStatus) &&
    within(firstStatuses, row.firstStatus) &&
    within(lastStatuses, row.lastStatus) &&
    (attempts === null || attempts.includes(row.attempt));
}

/** `successful / attempts * 100` rounded half up to 2 decimals, in exact integer arithmetic. */
export function coverage(successful: bigint, attempts: bigint): number {
  if (attempts === 0n) {
    return 0;
  }
  // Hundredths of a percent, half up: floor((s * 10000 * 2 + a) / (2 * a)).
  const hundredths = (successful * 20000n + attempts) / (2n * attempts);
  const fraction = (hundredths % 100n).toString().padStart(2, "0");
  // The decimal text parsed as a number is the double nearest to the exact value.
  return Number(`${hundredths / 100n}.${fraction}`);
}

export function stats(rows: readonly SeedAudience[]): ModelStats {
  let totalAttempt = 0n;
  let totalDuration = 0n;
  let successfulCalls = 0;
  for (const row of rows) {
    totalAttempt += BigInt(row.attempt);
    totalDuration += BigInt(row.duration);
    if (row.callStatus !== null && SUCCESSFUL.has(row.callStatus)) {
      successfulCalls += 1;
    }
  }
  return {
    totalAudience: rows.length,
    totalAttempt,
    totalDuration,
    successfulCalls,
    coverage: coverage(BigInt(successfulCalls), totalAttempt),
  };
}

/** Sorted as the contract orders pages: by key (NULLs last either way), ties by id the same way. */
export function ordered(
  rows: readonly SeedAudience[],
  orderBy: AudienceOrder | null | undefined,
): SeedAudience[] {
  const field = orderBy?.field ?? "ID";
  const sign = (orderBy?.direction ?? "ASC") === "ASC" ? 1 : -1;
  const key = (row: SeedAudience): number | null => {
    switch (field) {
      case "ID":
        return row.id;
      case "ATTEMPT":
        return row.attempt;
      case "DURATION":
        return row.duration;
      case "LAST_ATTEMPT_AT":
        return row.lastAttemptAt;
    }
  };
  return [...rows].sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    if (ka !== kb) {
      if (ka === null) return 1;
      if (kb === null) return -1;
      return sign * (ka - kb);
    }
    return sign * (a.id - b.id);
  });
}

/** The model's view of one campaign under a filter and order. */
export function campaignAudience(
  rows: readonly SeedAudience[],
  campaignId: number,
  filter?: AudienceFilter | null,
  orderBy?: AudienceOrder | null,
): SeedAudience[] {
  const matches = matcher(filter);
  return ordered(
    rows.filter((row) => row.campaignId === campaignId && matches(row)),
    orderBy,
  );
}

/** One group of a breakdown: the key fields as on AudienceGroup (null when not grouped by). */
export interface ModelGroup {
  groupedBy: AudienceDimension[];
  status: AudienceStatus | null;
  callStatus: string | null;
  firstStatus: string | null;
  lastStatus: string | null;
  attempt: number | null;
  lastDisposition: string | null;
  stats: ModelStats;
}

type KeyField =
  "status" | "callStatus" | "firstStatus" | "lastStatus" | "attempt" | "lastDisposition";

// The record and group field each dimension reads.
const KEY_FIELD: Record<AudienceDimension, KeyField> = {
  STATUS: "status",
  CALL_STATUS: "callStatus",
  FIRST_STATUS: "firstStatus",
  LAST_STATUS: "lastStatus",
  ATTEMPT: "attempt",
  LAST_DISPOSITION: "lastDisposition",
};

type KeyValue = AudienceStatus | string | number | null;

/** Texts by Unicode code point (not UTF-16 code unit, where astral characters differ). */
function byCodePoint(a: string, b: string): number {
  const pa = Array.from(a, (c) => c.codePointAt(0) ?? 0);
  const pb = Array.from(b, (c) => c.codePointAt(0) ?? 0);
  for (let i = 0; i < Math.min(pa.length, pb.length); i += 1) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return pa.length - pb.length;
}

// Ascending in one dimension: statuses by code, texts by code point, attempts as numbers,
// NULL last.
function compareKey(dimension: AudienceDimension, a: KeyValue, b: KeyValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  switch (dimension) {
    case "STATUS":
      return STATUS_CODE[a as AudienceStatus] - STATUS_CODE[b as AudienceStatus];
    case "ATTEMPT":
      return (a as number) - (b as number);
    case "CALL_STATUS":
    case "FIRST_STATUS":
    case "LAST_STATUS":
    case "LAST_DISPOSITION":
      return byCodePoint(a as string, b as string);
  }
}

/**
 * The rows in groups by the dimensions of `by` (1 to 3, none twice), each with its stats, in
 * the documented order: by the first dimension, then the next, each ascending, NULL last.
 */
export function breakdown(
  rows: readonly SeedAudience[],
  by: readonly AudienceDimension[],
): ModelGroup[] {
  if (by.length < 1 || by.length > 3 || new Set(by).size !== by.length) {
    throw new Error(`a breakdown is by 1 to 3 dimensions, none twice: ${by.join(", ")}`);
  }
  const groups = new Map<string, { key: KeyValue[]; rows: SeedAudience[] }>();
  for (const row of rows) {
    const key = by.map((dimension): KeyValue => row[KEY_FIELD[dimension]]);
    const id = JSON.stringify(key);
    const group = groups.get(id);
    if (group === undefined) groups.set(id, { key, rows: [row] });
    else group.rows.push(row);
  }
  const sorted = [...groups.values()].sort((a, b) => {
    for (const [i, dimension] of by.entries()) {
      const d = compareKey(dimension, a.key[i] ?? null, b.key[i] ?? null);
      if (d !== 0) return d;
    }
    return 0;
  });
  return sorted.map(({ key, rows: members }) => {
    // A dimension's value in this group's key; null when not grouped by it.
    const value = (dimension: AudienceDimension): KeyValue => {
      const i = by.indexOf(dimension);
      return i < 0 ? null : (key[i] ?? null);
    };
    return {
      groupedBy: [...by],
      status: value("STATUS") as AudienceStatus | null,
      callStatus: value("CALL_STATUS") as string | null,
      firstStatus: value("FIRST_STATUS") as string | null,
      lastStatus: value("LAST_STATUS") as string | null,
      attempt: value("ATTEMPT") as number | null,
      lastDisposition: value("LAST_DISPOSITION") as string | null,
      stats: stats(members),
    };
  });
}

/** The model's breakdown of one campaign's matching records. */
export function campaignBreakdown(
  rows: readonly SeedAudience[],
  campaignId: number,
  by: readonly AudienceDimension[],
  filter?: AudienceFilter | null,
): ModelGroup[] {
  return breakdown(campaignAudience(rows, campaignId, filter), by);
}
