/**
 * A thin typed client over `fetch`, and over a WebSocket (graphql-ws) for the subscriptions: one
 * method per operation in src/operations.graphql. Each document is sent as its text, or named by
 * its SHA-256 (persisted documents: see {@link ClientOptions.documents}).
 */

import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type DocumentNode, Kind, print } from "graphql";
import {
  type Client as SocketClient,
  createClient as createSocketClient,
  type FormattedExecutionResult,
  type SubscribePayload,
} from "graphql-ws/client";

import { ApiError, type GraphQLErrorEntry, TransportError } from "./errors.js";
import {
  type AudienceConnectionFieldsFragment,
  type AudienceFilter,
  type AudienceOrder,
  AudiencePageDocument,
  type AudiencePageQueryVariables,
  CampaignBreakdownDocument,
  CampaignBreakdownLiveDocument,
  type CampaignBreakdownLiveSubscription,
  type CampaignBreakdownLiveSubscriptionVariables,
  type CampaignBreakdownQuery,
  type CampaignBreakdownQueryVariables,
  CampaignOverviewDocument,
  type CampaignOverviewQuery,
  type CampaignOverviewQueryVariables,
  CampaignStatsDocument,
  CampaignStatsLiveDocument,
  type CampaignStatsLiveSubscription,
  type CampaignStatsLiveSubscriptionVariables,
  type CampaignStatsQueryVariables,
  type StatsFieldsFragment,
  WorkspaceCampaignsDocument,
  type WorkspaceCampaignsQuery,
  type WorkspaceCampaignsQueryVariables,
} from "./generated/graphql.js";
// What codegen wrote for the server's trusted list: each document's SHA-256 and exact text.
import persistedDocuments from "./generated/persisted-documents.json" with { type: "json" };

export interface ClientOptions {
  /** The GraphQL endpoint, such as `http://127.0.0.1:8000/graphql`. */
  url: string | URL;
  /**
   * A workspace API token, sent in the `token` header, and over WebSocket in the
   * connection_init payload as `{"token": "..."}`.
   */
  token: string;
  /** A `fetch` to use instead of the global one (tests, proxies, retries). */
  fetch?: typeof globalThis.fetch;
  /**
   * The WebSocket endpoint of the subscriptions; by default `url` with `http:` turned into `ws:`
   * and `https:` into `wss:`.
   */
  subscriptionUrl?: string | URL;
  /**
   * The WebSocket class of the subscriptions, where there is no global `WebSocket`: on Node 20,
   * `WebSocket` from the `ws` package. Browsers and Node 22 have a global one, the default.
   */
  webSocketImpl?: WebSocketConstructor;
  /**
   * How many times a subscription reconnects after its connection was lost, before it fails with
   * a {@link TransportError} (default 5, with randomised exponential backoff). A token the server
   * refuses (close code 4403) fails at once, as an {@link ApiError} with code UNAUTHENTICATED.
   */
  retryAttempts?: number;
  /**
   * How queries and subscriptions name their document (see {@link DocumentMode}): `"text"`
   * (the default) sends its text; `"hash"` sends only its SHA-256, as
   * `extensions.persistedQuery`.
   */
  documents?: DocumentMode;
}

/**
 * How a request names its document.
 *
 * - `"text"`: the document's text, in `query`, as any GraphQL server takes it.
 * - `"hash"`: only `extensions: {persistedQuery: {version: 1, sha256Hash}}`, the hash that
 *   codegen wrote into src/generated/persisted-documents.json (and into the document as
 *   `__meta__.hash`). A server that runs trusted documents only (AUDIENCE_STATS_TRUSTED_DOCUMENTS
 *   set to that file) needs this mode and never sees a text. Any other server answers
 *   PERSISTED_QUERY_NOT_FOUND for a document it has not stored yet, and the client sends that
 *   request (or subscription) once more with the text and the hash, which the server then
 *   stores: automatic persisted queries; the next calls send the hash alone. A document of your
 *   own passed to `request()` or `subscribe()` is hashed as its printed text.
 */
export type DocumentMode = "text" | "hash";

/**
 * The values of a subscription, for `for await`: the first `next()` subscribes; `return()`
 * (what `break` calls) unsubscribes, at any time, and a `next()` waiting then resolves as done.
 */
export interface LiveValues<T> extends AsyncIterableIterator<T, undefined, undefined> {
  next(): Promise<IteratorResult<T, undefined>>;
  return(): Promise<IteratorResult<T, undefined>>;
  [Symbol.asyncIterator](): LiveValues<T>;
}

/** A WebSocket class, as the browsers' `WebSocket` or the `ws` package's. */
export type WebSocketConstructor = new (url: string, protocols?: string | string[]) => unknown;

/** Per-call options. */
export interface RequestOptions {
  /**
   * Aborts the request, or ends a subscription's loop; the abort error (`signal.reason`) is
   * thrown as it is.
   */
  signal?: AbortSignal;
}

export type StatsResult = StatsFieldsFragment;
export type Breakdown = CampaignBreakdownQuery["campaignAudienceBreakdown"];
export type BreakdownGroup = Breakdown[number];
export type AudiencePage = AudienceConnectionFieldsFragment;
export type AudienceRecord = AudiencePage["edges"][number]["node"];
export type CampaignOverview = NonNullable<CampaignOverviewQuery["campaign"]>;
export type CampaignPage = WorkspaceCampaignsQuery["campaigns"];
export type CampaignSummary = CampaignPage["edges"][number]["node"];

/** What {@link Client.walkAudience} walks: one campaign's audience under one filter and order. */
export interface AudienceWalk {
  id: number;
  filter?: AudienceFilter | null;
  orderBy?: AudienceOrder | null;
  /** Records per request, 1 … 100 (default 100). */
  pageSize?: number;
}

/** What {@link Client.walkCampaigns} walks: the workspace's campaigns with stats under one filter. */
export interface CampaignWalk {
  filter?: AudienceFilter | null;
  /** Campaigns per request, 1 … 100 (default 100). */
  pageSize?: number;
}

export type Client = ReturnType<typeof createClient>;

/** The close code with which the server refuses a WebSocket connection's token. */
export const FORBIDDEN_CLOSE_CODE = 4403;

/**
 * The HTTP status that {@link ApiError.status} holds for errors that arrived over a
 * subscription's WebSocket: the upgrade's 101 Switching Protocols.
 */
export const WEBSOCKET_STATUS = 101;

interface PreparedDocument {
  query: string;
  operationName: string | undefined;
}

// Printing a document is pure, so each one is printed once per process.
const prepared = new WeakMap<DocumentNode, PreparedDocument>();

/** A document as persisted: its SHA-256, and the text that hashes to it when the client has it. */
interface PersistedDocument {
  hash: string;
  text: string | undefined;
}

const PERSISTED_TEXTS: Readonly<Record<string, string | undefined>> = persistedDocuments;
const SHA256_HEX = /^[0-9a-f]{64}$/;

// Hashing is pure too; a document of the caller's own is hashed (asynchronously) once.
const persisted = new WeakMap<DocumentNode, PersistedDocument | Promise<PersistedDocument>>();

/**
 * The hash and text of a document: those codegen gave a generated one (its `__meta__.hash`, and
 * the text of persisted-documents.json), else the SHA-256 of the printed text.
 */
function persist(document: DocumentNode): PersistedDocument | Promise<PersistedDocument> {
  let entry = persisted.get(document);
  if (entry === undefined) {
    const meta = (document as { __meta__?: { hash?: unknown } }).__meta__;
    const hash = typeof meta?.hash === "string" ? meta.hash.toLowerCase() : undefined;
    if (hash !== undefined && SHA256_HEX.test(hash)) {
      // A hash from another codegen run has no text here: the server must know it already.
      entry = { hash, text: PERSISTED_TEXTS[hash] };
    } else {
      // WebCrypto: Node, and browsers in a secure context (https: or localhost).
      const text = prepare(document).query;
      entry = sha256Hex(text).then(
        (digest) => ({ hash: digest, text }),
        (error: unknown) => {
          persisted.delete(document);
          throw error;
        },
      );
    }
    persisted.set(document, entry);
  }
  return entry;
}

async function sha256Hex(text: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function persistedQuery(hash: string) {
  return { persistedQuery: { version: 1, sha256Hash: hash } };
}

/** The server has not stored the document named by hash: send it again with its text. */
function isPersistedQueryNotFound(errors: readonly GraphQLErrorEntry[]): boolean {
  return errors.some((error) => error.extensions?.["code"] === "PERSISTED_QUERY_NOT_FOUND");
}

/**
 * graphql-ws checks that a subscribe payload has a string `query` before it serialises the
 * message, so a payload that names its document by hash alone carries an empty one, dropped
 * here: the server sees no text at all.
 */
function dropHashOnlyQuery(key: string, value: unknown): unknown {
  if (key === "payload" && isObject(value) && value["query"] === "" && "extensions" in value) {
    return Object.fromEntries(Object.entries(value).filter(([name]) => name !== "query"));
  }
  return value;
}

function prepare(document: DocumentNode): PreparedDocument {
  let entry = prepared.get(document);
  if (entry === undefined) {
    const operation = document.definitions.find(
      (definition) => definition.kind === Kind.OPERATION_DEFINITION,
    );
    entry = { query: print(document), operationName: operation?.name?.value };
    prepared.set(document, entry);
  }
  return entry;
}

function isObject(value: unknown): value is { [key: string]: unknown } {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function toErrorEntry(raw: unknown): GraphQLErrorEntry {
  if (!isObject(raw)) {
    return { message: String(raw) };
  }
  const entry: GraphQLErrorEntry = {
    message: typeof raw["message"] === "string" ? raw["message"] : JSON.stringify(raw),
  };
  const path = raw["path"];
  if (Array.isArray(path) && path.every((p) => typeof p === "string" || typeof p === "number")) {
    entry.path = path as Array<string | number>;
  }
  if (Array.isArray(raw["locations"])) {
    entry.locations = raw["locations"] as GraphQLErrorEntry["locations"];
  }
  if (isObject(raw["extensions"])) {
    entry.extensions = raw["extensions"];
  }
  return entry;
}

interface CloseEventLike {
  code: number;
  reason: string;
}

function isCloseEvent(value: unknown): value is CloseEventLike {
  return (
    typeof value === "object" &&
    value !== null &&
    typeof (value as { code?: unknown }).code === "number" &&
    "reason" in value
  );
}

/**
 * The `http(s)` URL of the endpoint as the `ws(s)` URL of its subscriptions; in a browser, a
 * relative URL is the page's.
 */
export function webSocketUrl(url: string | URL): string {
  const page = (globalThis as { location?: { href: string } }).location?.href;
  const parsed = new URL(url, page);
  if (parsed.protocol === "http:") parsed.protocol = "ws:";
  else if (parsed.protocol === "https:") parsed.protocol = "wss:";
  return parsed.toString();
}

/** What graphql-ws reports when a subscription fails, as the client's errors. */
function socketError(error: unknown, url: string): Error {
  if (Array.isArray(error)) {
    // An `error` message: the operation failed before it ran (validation, for one).
    const [first, ...rest] = error.map(toErrorEntry);
    if (first !== undefined) {
      return new ApiError([first, ...rest], WEBSOCKET_STATUS);
    }
  }
  if (isCloseEvent(error)) {
    if (error.code === FORBIDDEN_CLOSE_CODE) {
      return new ApiError(
        [
          {
            message:
              `the server refused the WebSocket connection to ${url} (4403 Forbidden): the ` +
              "token is unknown or revoked, or has as many connections open as it may",
            extensions: { code: "UNAUTHENTICATED", closeCode: error.code },
          },
        ],
        WEBSOCKET_STATUS,
      );
    }
    const reason = error.reason === "" ? "" : ` ${error.reason}`;
    return new TransportError(`the WebSocket to ${url} closed: ${error.code}${reason}`, {
      cause: error,
    });
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new TransportError(`the WebSocket to ${url} failed: ${reason}`, { cause: error });
}

function excerpt(text: string): string {
  const flat = text.replace(/\s+/g, " ").trim();
  return flat.length > 200 ? `${flat.slice(0, 200)}…` : flat;
}

/**
 * A client for one endpoint and token. Every method throws {@link ApiError} when the response
 * carries GraphQL errors (even next to partial data) and {@link TransportError} when no GraphQL
 * response arrived.
 */
export function createClient(options: ClientOptions) {
  const url = String(options.url);
  const fetchImpl = options.fetch ?? globalThis.fetch;
  if (options.documents !== undefined && !["text", "hash"].includes(options.documents)) {
    throw new TypeError(`documents must be "text" or "hash", got ${String(options.documents)}`);
  }
  const byHash = options.documents === "hash";
  let subscriptionUrl = String(options.subscriptionUrl ?? url); // made a ws(s) URL by socket()
  // One WebSocket for all the subscriptions, opened by the first and closed after the last.
  let socketClient: SocketClient | undefined;
  let acknowledged = false; // the server accepted socketClient's current connection

  function socket(): SocketClient {
    if (socketClient === undefined) {
      subscriptionUrl = webSocketUrl(options.subscriptionUrl ?? url);
      const webSocketImpl =
        options.webSocketImpl ?? (globalThis as { WebSocket?: WebSocketConstructor }).WebSocket;
      if (webSocketImpl === undefined) {
        throw new TypeError(
          "no WebSocket for subscriptions: pass webSocketImpl to createClient (on Node 20, " +
            '`import { WebSocket } from "ws"`)',
        );
      }
      socketClient = createSocketClient({
        url: subscriptionUrl,
        webSocketImpl,
        connectionParams: { token: options.token },
        jsonMessageReplacer: dropHashOnlyQuery,
        retryAttempts: options.retryAttempts ?? 5,
        // A refused token stays refused: graphql-ws would retry a 4403 like a lost connection.
        shouldRetry: (error) => isCloseEvent(error) && error.code !== FORBIDDEN_CLOSE_CODE,
        on: {
          connected: () => {
            acknowledged = true;
          },
          closed: () => {
            acknowledged = false;
          },
        },
      });
    }
    return socketClient;
  }

  /**
   * Runs any typed document; the operation methods below are built on it. In hash mode a
   * PERSISTED_QUERY_NOT_FOUND is answered by sending the request once more with the text.
   */
  async function request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    requestOptions: RequestOptions = {},
  ): Promise<TResult> {
    const { query, operationName } = prepare(document);
    if (!byHash) {
      return post<TResult>({ query, operationName, variables }, requestOptions);
    }
    const { hash, text } = await persist(document);
    const extensions = persistedQuery(hash);
    try {
      return await post<TResult>({ operationName, variables, extensions }, requestOptions);
    } catch (error) {
      if (!(error instanceof ApiError && isPersistedQueryNotFound(error.errors)) || !text) {
        throw error;
      }
    }
    return post<TResult>({ query: text, operationName, variables, extensions }, requestOptions);
  }

  /** One POST of a GraphQL request body: its data, or the errors thrown. */
  async function post<TResult>(
    body: { [key: string]: unknown },
    requestOptions: RequestOptions,
  ): Promise<TResult> {
    const signal = requestOptions.signal;
    let response: Response;
    let text: string;
    try {
      response = await fetchImpl(url, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          accept: "application/graphql-response+json, application/json",
          token: options.token,
        },
        body: JSON.stringify(body),
        ...(signal === undefined ? {} : { signal }),
      });
      text = await response.text();
    } catch (error) {
      if (signal?.aborted === true) {
        throw error;
      }
      const reason = error instanceof Error ? error.message : String(error);
      throw new TransportError(`request to ${url} failed: ${reason}`, { cause: error });
    }

    let answer: unknown;
    try {
      answer = JSON.parse(text);
    } catch (error) {
      throw new TransportError(
        `HTTP ${response.status} from ${url} is not JSON: ${JSON.stringify(excerpt(text))}`,
        { status: response.status, cause: error },
      );
    }
    if (isObject(answer) && Array.isArray(answer["errors"]) && answer["errors"].length > 0) {
      const [first, ...rest] = answer["errors"].map(toErrorEntry);
      if (first !== undefined) {
        throw new ApiError([first, ...rest], response.status);
      }
    }
    if (!response.ok || !isObject(answer) || !isObject(answer["data"])) {
      throw new TransportError(
        `HTTP ${response.status} from ${url} is not a GraphQL result: ${JSON.stringify(excerpt(text))}`,
        { status: response.status },
      );
    }
    // The server validated the result against the document that typed it.
    return answer["data"] as TResult;
  }

  /**
   * Runs any typed subscription document: its results, one per loop turn, from the first
   * `next()` (which opens the subscription) until the loop ends (`break`, or `return()` at any
   * time, even while a `next()` waits, unsubscribes) or fails. Results carrying GraphQL errors
   * end it with an {@link ApiError}; a lost connection beyond `retryAttempts` with a
   * {@link TransportError}. A loop slower than the pushes skips to the latest result, as the
   * server does: every result is a whole value, never a delta.
   */
  function subscribe<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    requestOptions?: RequestOptions,
  ): LiveValues<TResult> {
    return live(document, variables, (data) => data, requestOptions);
  }

  function live<TResult, TVariables, TValue>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    pick: (data: TResult) => TValue,
    requestOptions: RequestOptions = {},
  ): LiveValues<TValue> {
    const { query, operationName } = prepare(document);
    const signal = requestOptions.signal;
    const pending: FormattedExecutionResult<TResult, unknown>[] = [];
    let ended: { error: unknown } | "complete" | undefined;
    let started = false;
    let unsubscribe: (() => void) | undefined; // set once subscribed
    let finished = false;
    let wake: (() => void) | undefined;
    const notify = () => {
      const waiting = wake;
      wake = undefined;
      waiting?.();
    };

    // Subscribes with `payload`; in hash mode a PERSISTED_QUERY_NOT_FOUND subscribes once more
    // with the text (synchronously, in graphql-ws's error callback, so that the socket stays open).
    function open(payload: SubscribePayload, retext: string | undefined): void {
      unsubscribe = socket().subscribe<TResult>(payload, {
        next(result) {
          const last = pending[pending.length - 1];
          // A newer whole value replaces one not yet read; results with errors are kept.
          if (last !== undefined && last.errors === undefined && result.errors === undefined) {
            pending[pending.length - 1] = result;
          } else {
            pending.push(result);
          }
          notify();
        },
        error(error) {
          if (
            retext !== undefined &&
            !finished &&
            Array.isArray(error) &&
            isPersistedQueryNotFound(error.map(toErrorEntry))
          ) {
            open({ ...payload, query: retext }, undefined);
            return;
          }
          ended ??= { error };
          notify();
        },
        complete() {
          ended ??= "complete";
          notify();
        },
      });
    }

    async function start(): Promise<void> {
      started = true;
      socket(); // no WebSocket class fails here, on the loop's first turn
      const named = {
        ...(operationName === undefined ? {} : { operationName }),
        variables: variables as Record<string, unknown>,
      };
      if (!byHash) {
        open({ query, ...named }, undefined);
      } else {
        const { hash, text } = await persist(document);
        if (finished) return;
        // An empty query is the hash-only mark that dropHashOnlyQuery removes from the message.
        open({ query: "", ...named, extensions: persistedQuery(hash) }, text || undefined);
      }
      signal?.addEventListener("abort", notify);
    }

    function finish(): void {
      if (!finished) {
        finished = true;
        signal?.removeEventListener("abort", notify);
        unsubscribe?.();
        notify();
      }
    }

    async function step(): Promise<IteratorResult<TValue, undefined>> {
      while (!finished) {
        if (signal?.aborted === true) {
          finish();
          throw signal.reason;
        }
        if (!started) {
          try {
            await start();
          } catch (error) {
            finished = true;
            throw error;
          }
        }
        const result = pending.shift();
        if (result !== undefined) {
          const [first, ...others] = (result.errors ?? []).map(toErrorEntry);
          if (first !== undefined) {
            finish();
            throw new ApiError([first, ...others], WEBSOCKET_STATUS);
          }
          if (result.data == null) {
            finish();
            throw new TransportError(
              `a result without data from ${subscriptionUrl}: ${JSON.stringify(excerpt(JSON.stringify(result)))}`,
            );
          }
          // The server validated the result against the document that typed it.
          return { done: false, value: pick(result.data) };
        }
        if (ended !== undefined) {
          finish();
          if (ended === "complete") break;
          throw socketError(ended.error, subscriptionUrl);
        }
        await new Promise<void>((resolveWake) => {
          wake = resolveWake;
        });
      }
      return { done: true, value: undefined };
    }

    // Calls of next() take their turns; return() needs none.
    let turn: Promise<unknown> = Promise.resolve();
    const values: LiveValues<TValue> = {
      next() {
        const result = turn.then(step);
        turn = result.catch(() => undefined);
        return result;
      },
      async return() {
        finish();
        return { done: true, value: undefined };
      },
      [Symbol.asyncIterator]() {
        return values;
      },
    };
    return values;
  }

  /**
   * Closes the subscriptions' WebSocket, if one is open: every running subscription loop ends
   * (without an error). A later subscription opens a new one. Queries are not affected.
   */
  async function close(): Promise<void> {
    const closing = socketClient;
    socketClient = undefined;
    if (closing === undefined) {
      return;
    }
    // An accepted connection closes normally (1000); graphql-ws would wait for one still
    // connecting to open first, so that one is dropped at once.
    const disposed = closing.dispose();
    if (!acknowledged) {
      closing.terminate();
    }
    acknowledged = false;
    try {
      await disposed;
    } catch {
      // The dropped connection's close event: it is closed, as asked.
    }
  }

  /** Stats of one campaign; NOT_FOUND when it is not in the token's workspace. */
  async function campaignStats(
    variables: CampaignStatsQueryVariables,
    requestOptions?: RequestOptions,
  ): Promise<StatsResult> {
    const data = await request(CampaignStatsDocument, variables, requestOptions);
    return data.campaignAudienceStats;
  }

  /**
   * A campaign's matching audience in groups by the 1 to 3 dimensions of `by`, each with its
   * stats, ordered by the first dimension, then the next, each ascending (time buckets by start,
   * NULL last); NOT_FOUND when the campaign is not in the token's workspace. The hour and day
   * buckets (`lastAttemptHour`, `lastAttemptDay`, ending before `lastAttemptBefore`) follow the
   * wall clock of the IANA zone `timeZone`, "UTC" when absent; an unknown zone is BAD_USER_INPUT.
   */
  async function campaignBreakdown(
    variables: CampaignBreakdownQueryVariables,
    requestOptions?: RequestOptions,
  ): Promise<Breakdown> {
    const data = await request(CampaignBreakdownDocument, variables, requestOptions);
    return data.campaignAudienceBreakdown;
  }

  /**
   * Live stats of one campaign under a filter, over WebSocket: the current value at once, then
   * each new value when the campaign's records change (at most one per the server's
   * AUDIENCE_STATS_LIVE_SECONDS, default 1 s; never the same value twice in a row), for as long
   * as the loop runs:
   *
   * ```ts
   * for await (const stats of client.subscribeAudienceStats({ campaignId: 2 }, { signal })) {
   *   render(stats);
   * }
   * ```
   *
   * Breaking out of the loop unsubscribes; aborting `signal` ends it with the abort error. A
   * campaign outside the token's workspace fails the loop with an ApiError NOT_FOUND, a refused
   * token with an ApiError UNAUTHENTICATED (never retried).
   */
  function subscribeAudienceStats(
    variables: CampaignStatsLiveSubscriptionVariables,
    requestOptions?: RequestOptions,
  ): LiveValues<StatsResult> {
    const pick = (data: CampaignStatsLiveSubscription) => data.audienceStats;
    return live(CampaignStatsLiveDocument, variables, pick, requestOptions);
  }

  /**
   * A live {@link campaignBreakdown}, over WebSocket: the current groups at once, then the
   * groups each time they change; used as {@link subscribeAudienceStats}.
   */
  function subscribeAudienceBreakdown(
    variables: CampaignBreakdownLiveSubscriptionVariables,
    requestOptions?: RequestOptions,
  ): LiveValues<Breakdown> {
    const pick = (data: CampaignBreakdownLiveSubscription) => data.audienceBreakdown;
    return live(CampaignBreakdownLiveDocument, variables, pick, requestOptions);
  }

  /** A campaign with its stats and first audience page; null when it is not in the workspace. */
  async function campaignOverview(
    variables: CampaignOverviewQueryVariables,
    requestOptions?: RequestOptions,
  ): Promise<CampaignOverview | null> {
    const data = await request(CampaignOverviewDocument, variables, requestOptions);
    return data.campaign ?? null;
  }

  /** The audience page after `after`; null when the campaign is not in the workspace. */
  async function audiencePage(
    variables: AudiencePageQueryVariables,
    requestOptions?: RequestOptions,
  ): Promise<AudiencePage | null> {
    const data = await request(AudiencePageDocument, variables, requestOptions);
    return data.campaign?.audience ?? null;
  }

  /** A page of the workspace's campaigns, each with stats under `filter`. */
  async function workspaceCampaigns(
    variables: WorkspaceCampaignsQueryVariables = {},
    requestOptions?: RequestOptions,
  ): Promise<CampaignPage> {
    const data = await request(WorkspaceCampaignsDocument, variables, requestOptions);
    return data.campaigns;
  }

  /**
   * Every matching audience record of a campaign, in order, fetched a page at a time as the
   * loop asks for more. A campaign outside the workspace is an ApiError with code NOT_FOUND.
   */
  async function* walkAudience(
    walk: AudienceWalk,
    requestOptions?: RequestOptions,
  ): AsyncGenerator<AudienceRecord, void, undefined> {
    const { id, filter, orderBy } = walk;
    const first = walk.pageSize ?? 100;
    // The first page comes with the overview: its stats share the count's aggregate on the server.
    let page =
      (await campaignOverview({ id, filter, first, orderBy }, requestOptions))?.audience ?? null;
    while (true) {
      if (page === null) {
        throw new ApiError(
          [
            {
              message: `campaign ${id} not found`,
              path: ["campaign"],
              extensions: { code: "NOT_FOUND" },
            },
          ],
          200,
        );
      }
      for (const edge of page.edges) {
        yield edge.node;
      }
      const after = page.pageInfo.endCursor;
      if (!page.pageInfo.hasNextPage || after == null) {
        return;
      }
      page = await audiencePage({ id, filter, first, after, orderBy }, requestOptions);
    }
  }

  /** Every campaign of the workspace, by id, with stats under `filter`. */
  async function* walkCampaigns(
    walk: CampaignWalk = {},
    requestOptions?: RequestOptions,
  ): AsyncGenerator<CampaignSummary, void, undefined> {
    const first = walk.pageSize ?? 100;
    let after: string | null = null;
    while (true) {
      const page: CampaignPage = await workspaceCampaigns(
        { first, after, filter: walk.filter },
        requestOptions,
      );
      for (const edge of page.edges) {
        yield edge.node;
      }
      after = page.pageInfo.endCursor ?? null;
      if (!page.pageInfo.hasNextPage || after === null) {
        return;
      }
    }
  }

  return {
    request,
    subscribe,
    close,
    campaignStats,
    campaignBreakdown,
    campaignOverview,
    audiencePage,
    workspaceCampaigns,
    walkAudience,
    walkCampaigns,
    subscribeAudienceStats,
    subscribeAudienceBreakdown,
  };
}
