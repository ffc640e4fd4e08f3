/**
 * A plain model of the contract's stats, filter and ordering semantics (CONTRACT.md §2–4), of
 * the filters beyond it and of the breakdowns, time buckets included (README, "Breakdowns for
 * charts" and "Filters beyond the contract's") over the seed CSV files: the independent
 * reference the live tests compare the server with.
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";

import { parse } from "csv-parse/sync";

import type {
  AudienceDimension,
  AudienceFilter,
  AudienceNullableField,
  AudienceOrder,
  AudienceStatus,
  DateTimeRange,
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

/**
 * Epoch milliseconds of ISO 8601 text, where a date and time without an offset is UTC (as in
 * loads and in DateTime inputs); NaN when it is not a timestamp.
 */
export function epochMs(value: string): number {
  const text = value.trim();
  const local = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?$/.test(text);
  return Date.parse(local ? `${text.replace(" ", "T")}Z` : text);
}

function instant(value: string | undefined, column: string): number {
  const ms = epochMs(value ?? "");
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

/** Texts matched exactly as stored (no trimming, no case folding); blank values are ignored. */
function textSet(values: ReadonlyArray<string> | null | undefined): Set<string> | null {
  const set = new Set((values ?? []).filter((v) => v !== ""));
  return set.size === 0 ? null : set;
}

type NullableKey =
  "callStatus" | "firstStatus" | "lastStatus" | "lastDisposition" | "lastAttemptAt";

type TextKey = Exclude<NullableKey, "lastAttemptAt">;

// The record field each AudienceNullableField names.
const NULLABLE: Record<AudienceNullableField, NullableKey> = {
  CALL_STATUS: "callStatus",
  FIRST_STATUS: "firstStatus",
  LAST_STATUS: "lastStatus",
  LAST_DISPOSITION: "lastDisposition",
  LAST_ATTEMPT_AT: "lastAttemptAt",
};

/** Whether the record has no value in a nullable field: NULL, or empty text for the texts. */
function noValue(row: SeedAudience, field: AudienceNullableField): boolean {
  const value = row[NULLABLE[field]];
  return value === null || value === "";
}

/** `lastAttemptAt` as a test of a record; null when the range leaves both ends open. */
function rangeTest(
  range: DateTimeRange | null | undefined,
): ((row: SeedAudience) => boolean) | null {
  const from = range?.from == null ? null : epochMs(range.from);
  const to = range?.to == null ? null : epochMs(range.to);
  if (from === null && to === null) {
    return null;
  }
  return (row) =>
    row.lastAttemptAt !== null &&
    (from === null || row.lastAttemptAt >= from) &&
    (to === null || row.lastAttemptAt < to);
}

/**
 * A predicate with the filter's meaning (contract §3, README "Filters beyond the contract's"):
 * AND across fields, OR within a list. A nullable field named in `isNull` also matches records
 * without a value there: "no value" is one more value of its list (its only one without a list).
 */
export function matcher(filter: AudienceFilter | null | undefined): (row: SeedAudience) => boolean {
  const needle = mobileNeedle(filter?.mobileNo);
  const statuses = listOf(filter?.status);
  const attempts = listOf(filter?.attempt);
  const orNone = new Set(filter?.isNull ?? []);
  const listed = (set: Set<string> | null, key: TextKey) =>
    set === null
      ? null
      : (row: SeedAudience) => {
          const value = row[key];
          return value !== null && set.has(value);
        };
  // A nullable field passes when any of its tests does; with none, it is not constrained.
  const field = (name: AudienceNullableField, test: ((row: SeedAudience) => boolean) | null) =>
    test === null && !orNone.has(name)
      ? () => true
      : (row: SeedAudience) =>
          (test !== null && test(row)) || (orNone.has(name) && noValue(row, name));
  const nullable = [
    field("CALL_STATUS", listed(statusSet(filter?.callStatus), "callStatus")),
    field("FIRST_STATUS", listed(statusSet(filter?.firstStatus), "firstStatus")),
    field("LAST_STATUS", listed(statusSet(filter?.lastStatus), "lastStatus")),
    field("LAST_DISPOSITION", listed(textSet(filter?.lastDisposition), "lastDisposition")),
    field("LAST_ATTEMPT_AT", rangeTest(filter?.lastAttemptAt)),
  ];
  return (row) =>
    (needle === null || row.mobileNo.includes(needle)) &&
    (statuses === null || statuses.includes(row.status)) &&
    (attempts === null || attempts.includes(row.attempt)) &&
    nullable.every((test) => test(row));
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

/**
 * One group of a breakdown: the key fields as on AudienceGroup (null when not grouped by). Time
 * buckets are ISO 8601 text with the zone's offset, as the server writes DateTime values.
 */
export interface ModelGroup {
  groupedBy: AudienceDimension[];
  status: AudienceStatus | null;
  callStatus: string | null;
  firstStatus: string | null;
  lastStatus: string | null;
  attempt: number | null;
  lastDisposition: string | null;
  lastAttemptHour: string | null;
  lastAttemptDay: string | null;
  lastAttemptBefore: string | null;
  stats: ModelStats;
}

type TimeDimension = "LAST_ATTEMPT_HOUR" | "LAST_ATTEMPT_DAY";

function isTime(dimension: AudienceDimension): dimension is TimeDimension {
  return dimension === "LAST_ATTEMPT_HOUR" || dimension === "LAST_ATTEMPT_DAY";
}

// A time bucket's key is its start in epoch milliseconds.
type KeyValue = AudienceStatus | string | number | null;

const MINUTE = 60_000;

/** A wall clock's reading, to the minute. */
interface WallClock {
  year: number;
  month: number;
  day: number;
  hour: number;
  minute: number;
}

/**
 * The wall clock of an IANA zone, read with Intl (an unknown zone throws a RangeError), and its
 * hours or days as the README defines them, found minute by minute: a new day begins where the
 * date changes, a new hour where the hour changes or the minutes turn to 00. Every current
 * zone's offsets are whole minutes, so a bucket starts at a whole minute of UTC.
 */
class Zone {
  private readonly format: Intl.DateTimeFormat;
  private readonly clocks = new Map<number, WallClock>();
  // Per dimension: the bucket start of each minute walked, and each start's end.
  private readonly starts = {
    LAST_ATTEMPT_HOUR: new Map<number, number>(),
    LAST_ATTEMPT_DAY: new Map<number, number>(),
  };
  private readonly ends = {
    LAST_ATTEMPT_HOUR: new Map<number, number>(),
    LAST_ATTEMPT_DAY: new Map<number, number>(),
  };

  constructor(readonly name: string) {
    this.format = new Intl.DateTimeFormat("en-US", {
      timeZone: name,
      hourCycle: "h23",
      year: "numeric",
      month: "numeric",
      day: "numeric",
      hour: "numeric",
      minute: "numeric",
    });
  }

  /** The wall clock at a whole minute (epoch milliseconds). */
  clock(at: number): WallClock {
    let clock = this.clocks.get(at);
    if (clock === undefined) {
      const parts = this.format.formatToParts(at);
      const part = (type: Intl.DateTimeFormatPartTypes) =>
        Number(parts.find((p) => p.type === type)?.value);
      clock = {
        year: part("year"),
        month: part("month"),
        day: part("day"),
        hour: part("hour"),
        minute: part("minute"),
      };
      this.clocks.set(at, clock);
    }
    return clock;
  }

  /** Whether a bucket of the dimension begins at this whole minute. */
  private begins(dimension: TimeDimension, at: number): boolean {
    const now = this.clock(at);
    const before = this.clock(at - MINUTE);
    return dimension === "LAST_ATTEMPT_DAY"
      ? now.year !== before.year || now.month !== before.month || now.day !== before.day
      : now.hour !== before.hour || (now.minute === 0 && before.minute !== 0);
  }

  /** The start (inclusive) and end (exclusive) of the bucket that holds the instant. */
  bucket(dimension: TimeDimension, at: number): [number, number] {
    const starts = this.starts[dimension];
    const ends = this.ends[dimension];
    let minute = Math.floor(at / MINUTE) * MINUTE;
    const walked: number[] = [];
    while (!starts.has(minute) && !this.begins(dimension, minute)) {
      walked.push(minute);
      minute -= MINUTE;
    }
    const start = starts.get(minute) ?? minute;
    for (const seen of [...walked, minute]) starts.set(seen, start);
    let end = ends.get(start);
    if (end === undefined) {
      end = start + MINUTE;
      while (!this.begins(dimension, end)) end += MINUTE;
      ends.set(start, end);
    }
    return [start, end];
  }

  /** A whole minute as ISO 8601 with the zone's offset then, as Python's isoformat writes it. */
  iso(at: number): string {
    const c = this.clock(at);
    const offset = (Date.UTC(c.year, c.month - 1, c.day, c.hour, c.minute) - at) / MINUTE;
    const two = (n: number) => String(n).padStart(2, "0");
    const sign = offset < 0 ? "-" : "+";
    const abs = Math.abs(offset);
    return (
      `${String(c.year).padStart(4, "0")}-${two(c.month)}-${two(c.day)}` +
      `T${two(c.hour)}:${two(c.minute)}:00${sign}${two(Math.floor(abs / 60))}:${two(abs % 60)}`
    );
  }
}

const zones = new Map<string, Zone>();

function zoneOf(name: string): Zone {
  let zone = zones.get(name);
  if (zone === undefined) {
    zone = new Zone(name);
    zones.set(name, zone);
  }
  return zone;
}

/**
 * The hour or day of the IANA zone that holds the instant (epoch milliseconds): its start and
 * end (exclusive), as ISO 8601 with the zone's offset at each.
 */
export function timeBucket(
  dimension: TimeDimension,
  at: number,
  timeZone: string,
): { start: string; before: string } {
  const zone = zoneOf(timeZone);
  const [start, end] = zone.bucket(dimension, at);
  return { start: zone.iso(start), before: zone.iso(end) };
}

/** A record's value in one dimension: empty text is none, a time bucket is its start. */
function keyOf(row: SeedAudience, dimension: AudienceDimension, zone: Zone): KeyValue {
  switch (dimension) {
    case "STATUS":
      return row.status;
    case "ATTEMPT":
      return row.attempt;
    case "CALL_STATUS":
    case "FIRST_STATUS":
    case "LAST_STATUS":
    case "LAST_DISPOSITION": {
      const value = row[NULLABLE[dimension]];
      return value === "" ? null : value;
    }
    case "LAST_ATTEMPT_HOUR":
    case "LAST_ATTEMPT_DAY":
      return row.lastAttemptAt === null ? null : zone.bucket(dimension, row.lastAttemptAt)[0];
  }
}

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
// time buckets by start, NULL last.
function compareKey(dimension: AudienceDimension, a: KeyValue, b: KeyValue): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  switch (dimension) {
    case "STATUS":
      return STATUS_CODE[a as AudienceStatus] - STATUS_CODE[b as AudienceStatus];
    case "ATTEMPT":
    case "LAST_ATTEMPT_HOUR":
    case "LAST_ATTEMPT_DAY":
      return (a as number) - (b as number);
    case "CALL_STATUS":
    case "FIRST_STATUS":
    case "LAST_STATUS":
    case "LAST_DISPOSITION":
      return byCodePoint(a as string, b as string);
  }
}

/**
 * The rows in groups by the dimensions of `by` (1 to 3, none twice, at most one time bucket),
 * each with its stats, in the documented order: by the first dimension, then the next, each
 * ascending, NULL last. Time buckets are the hours or days of the IANA zone `timeZone`.
 */
export function breakdown(
  rows: readonly SeedAudience[],
  by: readonly AudienceDimension[],
  timeZone = "UTC",
): ModelGroup[] {
  if (
    by.length < 1 ||
    by.length > 3 ||
    new Set(by).size !== by.length ||
    by.filter(isTime).length > 1
  ) {
    throw new Error(
      `a breakdown is by 1 to 3 dimensions, none twice, one time bucket at most: ${by.join(", ")}`,
    );
  }
  const zone = zoneOf(timeZone);
  const groups = new Map<string, { key: KeyValue[]; rows: SeedAudience[] }>();
  for (const row of rows) {
    const key = by.map((dimension) => keyOf(row, dimension, zone));
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
    // The time bucket's start and end, shown in the zone; null when not grouped by time.
    const time = by.find(isTime);
    const start = time === undefined ? null : (value(time) as number | null);
    const bucket = (dimension: TimeDimension) =>
      time === dimension && start !== null ? zone.iso(start) : null;
    return {
      groupedBy: [...by],
      status: value("STATUS") as AudienceStatus | null,
      callStatus: value("CALL_STATUS") as string | null,
      firstStatus: value("FIRST_STATUS") as string | null,
      lastStatus: value("LAST_STATUS") as string | null,
      attempt: value("ATTEMPT") as number | null,
      lastDisposition: value("LAST_DISPOSITION") as string | null,
      lastAttemptHour: bucket("LAST_ATTEMPT_HOUR"),
      lastAttemptDay: bucket("LAST_ATTEMPT_DAY"),
      lastAttemptBefore:
        time === undefined || start === null ? null : zone.iso(zone.bucket(time, start)[1]),
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
  timeZone = "UTC",
): ModelGroup[] {
  return breakdown(campaignAudience(rows, campaignId, filter), by, timeZone);
}
