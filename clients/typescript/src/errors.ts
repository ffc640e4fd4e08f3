/** The errors the client throws: {@link ApiError} for GraphQL errors, {@link TransportError} for the rest. */

/** The `extensions.code` values the API documents. */
export const ERROR_CODES = [
  "UNAUTHENTICATED",
  "NOT_FOUND",
  "BAD_USER_INPUT",
  "INTERNAL_SERVER_ERROR",
  // Persisted documents: the server has not stored the hash (the client in hash mode then sends
  // the text), a trusted-documents server got no hash, or a hash that is not in its list.
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_ID_REQUIRED",
  "PERSISTED_QUERY_NOT_IN_LIST",
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** One entry of a GraphQL response's `errors` list. */
export interface GraphQLErrorEntry {
  message: string;
  path?: ReadonlyArray<string | number>;
  locations?: ReadonlyArray<{ line: number; column: number }>;
  extensions?: { [key: string]: unknown };
}

function isErrorCode(value: unknown): value is ErrorCode {
  return (ERROR_CODES as readonly unknown[]).includes(value);
}

/**
 * The server answered with GraphQL errors (an HTTP 401 for a bad token is one too, and so is a
 * subscription's WebSocket closed with 4403 for its token: UNAUTHENTICATED). `code`,
 * `message` and `path` describe the first error; `errors` holds them all.
 */
export class ApiError extends Error {
  override readonly name = "ApiError";
  /** `extensions.code` of the first error; a missing or unknown code reads as INTERNAL_SERVER_ERROR. */
  readonly code: ErrorCode;
  /** Where in the result the first error happened, such as `["campaign", "audience"]`; undefined for request-level errors. */
  readonly path: ReadonlyArray<string | number> | undefined;
  /** Every error of the response, as sent. */
  readonly errors: readonly GraphQLErrorEntry[];
  /**
   * The HTTP status of the response; 101 (the WebSocket upgrade's Switching Protocols) for the
   * errors of a subscription.
   */
  readonly status: number;

  constructor(errors: readonly [GraphQLErrorEntry, ...GraphQLErrorEntry[]], status: number) {
    const first = errors[0];
    super(first.message);
    const code = first.extensions?.["code"];
    this.code = isErrorCode(code) ? code : "INTERNAL_SERVER_ERROR";
    this.path = first.path;
    this.errors = errors;
    this.status = status;
  }
}

/**
 * No GraphQL answer: the request failed on the network, or the response was not a GraphQL
 * JSON body (a proxy's HTML error page, for instance). `cause` holds the underlying error.
 */
export class TransportError extends Error {
  override readonly name = "TransportError";
  /** The HTTP status, when a response arrived. */
  readonly status: number | undefined;

  constructor(message: string, options: { status?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.status = options.status;
  }
}
