/** A thin typed client over `fetch`: one method per operation in src/operations.graphql. */

import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import { type DocumentNode, Kind, print } from "graphql";

import { ApiError, type GraphQLErrorEntry, TransportError } from "./errors.js";
import {
  type AudienceConnectionFieldsFragment,
  type AudienceFilter,
  type AudienceOrder,
  AudiencePageDocument,
  type AudiencePageQueryVariables,
  CampaignBreakdownDocument,
  type CampaignBreakdownQuery,
  type CampaignBreakdownQueryVariables,
  CampaignOverviewDocument,
  type CampaignOverviewQuery,
  type CampaignOverviewQueryVariables,
  CampaignStatsDocument,
  type CampaignStatsQueryVariables,
  type StatsFieldsFragment,
  WorkspaceCampaignsDocument,
  type WorkspaceCampaignsQuery,
  type WorkspaceCampaignsQueryVariables,
} from "./generated/graphql.js";

export interface ClientOptions {
  /** The GraphQL endpoint, such as `http://127.0.0.1:8000/graphql`. */
  url: string | URL;
  /** A workspace API token, sent in the `token` header. */
  token: string;
  /** A `fetch` to use instead of the global one (tests, proxies, retries). */
  fetch?: typeof globalThis.fetch;
}

/** Per-call options. */
export interface RequestOptions {
  /** Aborts the request; the abort error is thrown as it is. */
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

interface PreparedDocument {
  query: string;
  operationName: string | undefined;
}

// Printing a document is pure, so each one is printed once per process.
const prepared = new WeakMap<DocumentNode, PreparedDocument>();

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

  /** Runs any typed document; the operation methods below are built on it. */
  async function request<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    variables: TVariables,
    requestOptions: RequestOptions = {},
  ): Promise<TResult> {
    const { query, operationName } = prepare(document);
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
        body: JSON.stringify({ query, operationName, variables }),
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

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch (error) {
      throw new TransportError(
        `HTTP ${response.status} from ${url} is not JSON: ${JSON.stringify(excerpt(text))}`,
        { status: response.status, cause: error },
      );
    }
    if (isObject(body) && Array.isArray(body["errors"]) && body["errors"].length > 0) {
      const [first, ...rest] = body["errors"].map(toErrorEntry);
      if (first !== undefined) {
        throw new ApiError([first, ...rest], response.status);
      }
    }
    if (!response.ok || !isObject(body) || !isObject(body["data"])) {
      throw new TransportError(
        `HTTP ${response.status} from ${url} is not a GraphQL result: ${JSON.stringify(excerpt(text))}`,
        { status: response.status },
      );
    }
    // The server validated the result against the document that typed it.
    return body["data"] as TResult;
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
    campaignStats,
    campaignBreakdown,
    campaignOverview,
    audiencePage,
    workspaceCampaigns,
    walkAudience,
    walkCampaigns,
  };
}
