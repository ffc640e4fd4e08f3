/**
 * TypeScript types and helpers for the schema's custom scalars, as codegen.ts maps them:
 * `BigInt` and `DateTime` arrive as strings, `JSON` as a {@link JsonObject}.
 */

/** A JSON value, as `JSON.parse` returns it. */
export type JsonValue =
  string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A JSON object: the type of the `JSON` scalar, which `Audience.inputData` always holds. */
export type JsonObject = { [key: string]: JsonValue };

const WHOLE_NUMBER = /^-?\d+$/;

/**
 * The exact value of a `BigInt` field (`totalAttempt`, `totalDuration`). The server sends these
 * as decimal strings because sums can pass 2^53, where `number` silently loses digits; use
 * `Number(value)` only where that cannot happen.
 *
 * @throws {TypeError} when the text is not a whole decimal number.
 */
export function toBigInt(value: string): bigint {
  if (!WHOLE_NUMBER.test(value)) {
    throw new TypeError(`not a BigInt value: ${JSON.stringify(value)}`);
  }
  return BigInt(value);
}

/**
 * The instant of a `DateTime` field (ISO 8601 with a UTC offset, such as
 * `2026-03-13T10:46:07+00:00`).
 *
 * @throws {TypeError} when the text is not a date the platform can parse.
 */
export function toDate(value: string): Date {
  const date = new Date(value);
  if (Number.isNaN(date.getTime())) {
    throw new TypeError(`not a DateTime value: ${JSON.stringify(value)}`);
  }
  return date;
}
