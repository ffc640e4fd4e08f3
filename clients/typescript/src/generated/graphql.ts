/* eslint-disable */
import type { JsonObject } from '../scalars.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';
export type Maybe<T> = T | null;
export type InputMaybe<T> = T | null | undefined;
export type Exact<T extends { [key: string]: unknown }> = { [K in keyof T]: T[K] };
export type MakeOptional<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]?: Maybe<T[SubKey]> };
export type MakeMaybe<T, K extends keyof T> = Omit<T, K> & { [SubKey in K]: Maybe<T[SubKey]> };
export type MakeEmpty<T extends { [key: string]: unknown }, K extends keyof T> = { [_ in K]?: never };
export type Incremental<T> = T | { [P in keyof T]?: P extends ' $fragmentName' | '__typename' ? T[P] : never };
/** All built-in and custom scalars, mapped to their actual values */
export type Scalars = {
  ID: { input: string; output: string; }
  String: { input: string; output: string; }
  Boolean: { input: boolean; output: boolean; }
  Int: { input: number; output: number; }
  Float: { input: number; output: number; }
  /** A 64-bit signed whole number, sent as a string of decimal digits (for example "4294967296") because JavaScript numbers lose precision above 2^53. Accepted as input in either form. */
  BigInt: { input: string; output: string; }
  /** Date with time (isoformat) */
  DateTime: { input: string; output: string; }
  /** The `JSON` scalar type represents JSON values as specified by [ECMA-404](https://ecma-international.org/wp-content/uploads/ECMA-404_2nd_edition_december_2017.pdf). */
  JSON: { input: JsonObject; output: JsonObject; }
};

/** One contact of a campaign, with the summary of its calls. */
export type Audience = {
  __typename?: 'Audience';
  /** Record id, unique across all campaigns. */
  id: Scalars['Int']['output'];
  /** The contact's number, usually E.164. */
  mobileNo: Scalars['String']['output'];
  /** Audience status. */
  status: AudienceStatus;
  /** Status of the latest call; may be a live status while a call runs. */
  callStatus?: Maybe<Scalars['String']['output']>;
  /** Final status of the first call attempt. */
  firstStatus?: Maybe<Scalars['String']['output']>;
  /** Final status of the last finished attempt. */
  lastStatus?: Maybe<Scalars['String']['output']>;
  /** Call attempts made to this contact. */
  attempt: Scalars['Int']['output'];
  /** Total talk time over all attempts, seconds. */
  duration: Scalars['Int']['output'];
  /** When the last attempt started (UTC); null if never attempted. */
  lastAttemptAt?: Maybe<Scalars['DateTime']['output']>;
  /** Outcome label set by the agent, such as "Interested". */
  lastDisposition?: Maybe<Scalars['String']['output']>;
  /** The custom fields uploaded with the contact, as a JSON object. */
  inputData: Scalars['JSON']['output'];
};

/** A keyset-paginated page of a campaign's matching audience. */
export type AudienceConnection = {
  __typename?: 'AudienceConnection';
  /** The records of this page, in order. */
  edges: Array<AudienceEdge>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Number of matching records in all pages (= audienceStats.totalAudience). */
  totalCount: Scalars['Int']['output'];
};

/** What a breakdown groups the audience by: STATUS, CALL_STATUS, FIRST_STATUS, LAST_STATUS, ATTEMPT, LAST_DISPOSITION, or the hour (LAST_ATTEMPT_HOUR) or day (LAST_ATTEMPT_DAY) of the last attempt in the breakdown's time zone; up to 3 at once, at most one of them a time bucket. A status or disposition that is empty text counts as none (null), and so do records never attempted for the time buckets. */
export const AudienceDimension = {
  STATUS: 'STATUS',
  CALL_STATUS: 'CALL_STATUS',
  FIRST_STATUS: 'FIRST_STATUS',
  LAST_STATUS: 'LAST_STATUS',
  ATTEMPT: 'ATTEMPT',
  LAST_DISPOSITION: 'LAST_DISPOSITION',
  LAST_ATTEMPT_HOUR: 'LAST_ATTEMPT_HOUR',
  LAST_ATTEMPT_DAY: 'LAST_ATTEMPT_DAY'
} as const;

export type AudienceDimension = typeof AudienceDimension[keyof typeof AudienceDimension];
/** An audience record and its cursor. */
export type AudienceEdge = {
  __typename?: 'AudienceEdge';
  /** Opaque position of this record in the page's ordering. */
  cursor: Scalars['String']['output'];
  /** The audience record. */
  node: Audience;
};

/** Narrows a campaign's audience. Different fields combine with AND; the values of one list combine with OR. An absent field, null, an empty list or an empty string mean no constraint. Lists hold at most 100 values; a single value is accepted as a list. */
export type AudienceFilter = {
  /** Matches numbers containing this text (at most 32 characters). Spaces, '-', '.', '(' and ')' are ignored; '%', '_' and '\' are ordinary characters. */
  mobileNo?: InputMaybe<Scalars['String']['input']>;
  /** Matches records with one of these audience statuses. */
  status?: InputMaybe<Array<AudienceStatus>>;
  /** Matches records whose latest call status is one of these (case-insensitive, e.g. NO_ANSWER, COMPLETED). */
  callStatus?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Matches records whose first attempt ended with one of these statuses. */
  firstStatus?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Matches records whose last finished attempt ended with one of these statuses. */
  lastStatus?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Matches records with one of these attempt counts (each 0 … 1000). */
  attempt?: InputMaybe<Array<Scalars['Int']['input']>>;
  /** Matches records whose disposition is one of these, exactly as stored. */
  lastDisposition?: InputMaybe<Array<Scalars['String']['input']>>;
  /** Matches records whose last attempt started in this range. */
  lastAttemptAt?: InputMaybe<DateTimeRange>;
  /** Fields for which no value matches too: for each field named here, a record matches when it has no value there or (given that field's filter) one of its values. `isNull: [CALL_STATUS]` alone matches the records without a call status; with `callStatus: [BUSY]` beside it, those without one or BUSY. This is how a breakdown's null group is listed. */
  isNull?: InputMaybe<Array<AudienceNullableField>>;
};

/** One group of a breakdown: the matching records that share a value of each dimension grouped by, and their statistics. */
export type AudienceGroup = {
  __typename?: 'AudienceGroup';
  /** The dimensions grouped by, in the order asked. Their key fields hold this group's values, where null is the group of records without a value (a NULL status); the key fields of the other dimensions are always null. */
  groupedBy: Array<AudienceDimension>;
  /** The records' audience status, when grouped by STATUS. */
  status?: Maybe<AudienceStatus>;
  /** The records' latest call status, when grouped by CALL_STATUS. */
  callStatus?: Maybe<Scalars['String']['output']>;
  /** The records' first attempt's status, when grouped by FIRST_STATUS. */
  firstStatus?: Maybe<Scalars['String']['output']>;
  /** The records' last finished attempt's status, when grouped by LAST_STATUS. */
  lastStatus?: Maybe<Scalars['String']['output']>;
  /** The records' number of call attempts, when grouped by ATTEMPT. */
  attempt?: Maybe<Scalars['Int']['output']>;
  /** The agent's outcome label of the records, when grouped by LAST_DISPOSITION. */
  lastDisposition?: Maybe<Scalars['String']['output']>;
  /** The start of the hour (in the breakdown's time zone, with its offset) in which the records' last attempt started, when grouped by LAST_ATTEMPT_HOUR. */
  lastAttemptHour?: Maybe<Scalars['DateTime']['output']>;
  /** The start of the day (the zone's midnight, or the first instant of the day where clocks skip it) in which the records' last attempt started, when grouped by LAST_ATTEMPT_DAY. */
  lastAttemptDay?: Maybe<Scalars['DateTime']['output']>;
  /** The end (exclusive) of the group's hour or day: the start of the next one. `lastAttemptAt: {from: <the start>, to: lastAttemptBefore}` lists the group's records. Null unless grouped by a time bucket, and for the records never attempted. */
  lastAttemptBefore?: Maybe<Scalars['DateTime']['output']>;
  /** Statistics of the group's records. */
  stats: AudienceStats;
};

/** An audience field that may hold no value: CALL_STATUS, FIRST_STATUS, LAST_STATUS, LAST_DISPOSITION (for these, empty text counts as no value too) and LAST_ATTEMPT_AT (null: never attempted). */
export const AudienceNullableField = {
  CALL_STATUS: 'CALL_STATUS',
  FIRST_STATUS: 'FIRST_STATUS',
  LAST_STATUS: 'LAST_STATUS',
  LAST_DISPOSITION: 'LAST_DISPOSITION',
  LAST_ATTEMPT_AT: 'LAST_ATTEMPT_AT'
} as const;

export type AudienceNullableField = typeof AudienceNullableField[keyof typeof AudienceNullableField];
/** How audience pages are sorted. */
export type AudienceOrder = {
  /** The sort key; ties are broken by id. */
  field?: AudienceOrderField;
  /** Ascending or descending, for the key and the id. */
  direction?: OrderDirection;
};

/** What audience pages are sorted by: ID, ATTEMPT, DURATION or LAST_ATTEMPT_AT (records never attempted come last in both directions). Ties are broken by id. */
export const AudienceOrderField = {
  ID: 'ID',
  ATTEMPT: 'ATTEMPT',
  DURATION: 'DURATION',
  LAST_ATTEMPT_AT: 'LAST_ATTEMPT_AT'
} as const;

export type AudienceOrderField = typeof AudienceOrderField[keyof typeof AudienceOrderField];
/** Aggregated statistics of the audience records that match a filter. */
export type AudienceStats = {
  __typename?: 'AudienceStats';
  /** Number of matching records. */
  totalAudience: Scalars['Int']['output'];
  /** successfulCalls / totalAttempt * 100, rounded half up to 2 decimals; 0 when there are no attempts. */
  coverage: Scalars['Float']['output'];
  /** Sum of call attempts. */
  totalAttempt: Scalars['BigInt']['output'];
  /** Sum of talk time, in seconds. */
  totalDuration: Scalars['BigInt']['output'];
  /** Records whose latest call status is successful: AGENT_ENDED, USER_ENDED, COMPLETED or ANSWER. */
  successfulCalls: Scalars['Int']['output'];
};

/** Where a contact stands in the campaign: FRESH (0, not called yet), COMPLETED (1), HALTED (2, stopped before completion) or INQUEUE (3, waiting for a call). */
export const AudienceStatus = {
  FRESH: 'FRESH',
  COMPLETED: 'COMPLETED',
  HALTED: 'HALTED',
  INQUEUE: 'INQUEUE'
} as const;

export type AudienceStatus = typeof AudienceStatus[keyof typeof AudienceStatus];
/** A calling campaign of the token's workspace. */
export type Campaign = {
  __typename?: 'Campaign';
  /** Campaign id. */
  id: Scalars['Int']['output'];
  /** Campaign name. */
  name: Scalars['String']['output'];
  /** Retry limit: how many attempts each contact may get. */
  maxAttempts: Scalars['Int']['output'];
  /** When the campaign was created (UTC). */
  createdAt: Scalars['DateTime']['output'];
  /** Statistics of this campaign's audience records that match the filter. */
  audienceStats: AudienceStats;
  /** This campaign's matching audience records in groups by one to three dimensions, with the statistics of each group (for charts): one SQL statement for all the campaigns of a query that share filter and dimensions. */
  audienceBreakdown: Array<AudienceGroup>;
  /** A page of this campaign's audience records that match the filter. Walking `after: pageInfo.endCursor` visits every matching record exactly once. */
  audience: AudienceConnection;
};


/** A calling campaign of the token's workspace. */
export type CampaignAudienceStatsArgs = {
  filter?: InputMaybe<AudienceFilter>;
};


/** A calling campaign of the token's workspace. */
export type CampaignAudienceBreakdownArgs = {
  by: Array<AudienceDimension>;
  filter?: InputMaybe<AudienceFilter>;
  timeZone?: Scalars['String']['input'];
};


/** A calling campaign of the token's workspace. */
export type CampaignAudienceArgs = {
  filter?: InputMaybe<AudienceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  orderBy?: InputMaybe<AudienceOrder>;
};

/** A page of the workspace's campaigns, by id. */
export type CampaignConnection = {
  __typename?: 'CampaignConnection';
  /** The campaigns of this page, in order. */
  edges: Array<CampaignEdge>;
  /** Cursors and whether more pages exist. */
  pageInfo: PageInfo;
  /** Number of campaigns in the workspace. */
  totalCount: Scalars['Int']['output'];
};

/** A campaign and its cursor. */
export type CampaignEdge = {
  __typename?: 'CampaignEdge';
  /** Opaque position of this campaign in the list. */
  cursor: Scalars['String']['output'];
  /** The campaign. */
  node: Campaign;
};

/** A half-open range of instants: from `from` (inclusive) to `to` (exclusive). An absent end is open; a time without an offset is UTC. `to` before `from` is BAD_USER_INPUT. */
export type DateTimeRange = {
  /** The first instant in the range. */
  from?: InputMaybe<Scalars['DateTime']['input']>;
  /** The first instant after the range. */
  to?: InputMaybe<Scalars['DateTime']['input']>;
};

/** ASC for ascending, DESC for descending. */
export const OrderDirection = {
  ASC: 'ASC',
  DESC: 'DESC'
} as const;

export type OrderDirection = typeof OrderDirection[keyof typeof OrderDirection];
/** Where a page stands in its list. */
export type PageInfo = {
  __typename?: 'PageInfo';
  /** Whether records follow this page. */
  hasNextPage: Scalars['Boolean']['output'];
  /** Whether this page was asked for after a cursor (records come before it). */
  hasPreviousPage: Scalars['Boolean']['output'];
  /** Cursor of the first edge; null on an empty page. */
  startCursor?: Maybe<Scalars['String']['output']>;
  /** Cursor of the last edge: pass it as `after` for the next page. */
  endCursor?: Maybe<Scalars['String']['output']>;
};

/** Campaign audience statistics of the token's workspace. */
export type Query = {
  __typename?: 'Query';
  /** Statistics of a campaign's audience under a filter: the twin of GET /api/v1/global/campaign-audience-stats. A campaign that does not exist or belongs to another workspace is a NOT_FOUND error. */
  campaignAudienceStats: AudienceStats;
  /** A campaign's matching audience in groups by one to three dimensions, with the statistics of each group: the twin of GET /api/v1/global/campaign-audience-breakdown. A campaign that does not exist or belongs to another workspace is a NOT_FOUND error. */
  campaignAudienceBreakdown: Array<AudienceGroup>;
  /** A campaign by id; null when it does not exist or belongs to another workspace. */
  campaign?: Maybe<Campaign>;
  /** The workspace's campaigns, by id, a page at a time. */
  campaigns: CampaignConnection;
};


/** Campaign audience statistics of the token's workspace. */
export type QueryCampaignAudienceStatsArgs = {
  campaignId: Scalars['Int']['input'];
  filter?: InputMaybe<AudienceFilter>;
};


/** Campaign audience statistics of the token's workspace. */
export type QueryCampaignAudienceBreakdownArgs = {
  campaignId: Scalars['Int']['input'];
  by: Array<AudienceDimension>;
  filter?: InputMaybe<AudienceFilter>;
  timeZone?: Scalars['String']['input'];
};


/** Campaign audience statistics of the token's workspace. */
export type QueryCampaignArgs = {
  id: Scalars['Int']['input'];
};


/** Campaign audience statistics of the token's workspace. */
export type QueryCampaignsArgs = {
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
};

/** Live values, pushed over the graphql-transport-ws protocol. */
export type Subscription = {
  __typename?: 'Subscription';
  /** A campaign's audience stats under a filter: the current value at once, then each new value when the campaign's records change (at most one a second; never the same value twice in a row). A campaign that does not exist or belongs to another workspace is a NOT_FOUND error. */
  audienceStats: AudienceStats;
  /** A campaign's audienceBreakdown, with the arguments of campaignAudienceBreakdown: the current groups at once, then the groups each time they change. */
  audienceBreakdown: Array<AudienceGroup>;
};


/** Live values, pushed over the graphql-transport-ws protocol. */
export type SubscriptionAudienceStatsArgs = {
  campaignId: Scalars['Int']['input'];
  filter?: InputMaybe<AudienceFilter>;
};


/** Live values, pushed over the graphql-transport-ws protocol. */
export type SubscriptionAudienceBreakdownArgs = {
  campaignId: Scalars['Int']['input'];
  by: Array<AudienceDimension>;
  filter?: InputMaybe<AudienceFilter>;
  timeZone?: Scalars['String']['input'];
};

export type CampaignStatsQueryVariables = Exact<{
  campaignId: Scalars['Int']['input'];
  filter?: InputMaybe<AudienceFilter>;
}>;


export type CampaignStatsQuery = { __typename?: 'Query', campaignAudienceStats: { __typename?: 'AudienceStats', totalAudience: number, totalAttempt: string, totalDuration: string, successfulCalls: number, coverage: number } };

export type CampaignBreakdownQueryVariables = Exact<{
  campaignId: Scalars['Int']['input'];
  by: Array<AudienceDimension> | AudienceDimension;
  filter?: InputMaybe<AudienceFilter>;
  timeZone?: Scalars['String']['input'];
}>;


export type CampaignBreakdownQuery = { __typename?: 'Query', campaignAudienceBreakdown: Array<{ __typename?: 'AudienceGroup', groupedBy: Array<AudienceDimension>, status?: AudienceStatus | null, callStatus?: string | null, firstStatus?: string | null, lastStatus?: string | null, attempt?: number | null, lastDisposition?: string | null, lastAttemptHour?: string | null, lastAttemptDay?: string | null, lastAttemptBefore?: string | null, stats: { __typename?: 'AudienceStats', totalAudience: number, totalAttempt: string, totalDuration: string, successfulCalls: number, coverage: number } }> };

export type CampaignOverviewQueryVariables = Exact<{
  id: Scalars['Int']['input'];
  filter?: InputMaybe<AudienceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  orderBy?: InputMaybe<AudienceOrder>;
}>;


export type CampaignOverviewQuery = { __typename?: 'Query', campaign?: { __typename?: 'Campaign', id: number, name: string, maxAttempts: number, createdAt: string, audienceStats: { __typename?: 'AudienceStats', totalAudience: number, totalAttempt: string, totalDuration: string, successfulCalls: number, coverage: number }, audience: { __typename?: 'AudienceConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null }, edges: Array<{ __typename?: 'AudienceEdge', cursor: string, node: { __typename?: 'Audience', id: number, mobileNo: string, status: AudienceStatus, callStatus?: string | null, firstStatus?: string | null, lastStatus?: string | null, attempt: number, duration: number, lastAttemptAt?: string | null, lastDisposition?: string | null, inputData: JsonObject } }> } } | null };

export type AudiencePageQueryVariables = Exact<{
  id: Scalars['Int']['input'];
  filter?: InputMaybe<AudienceFilter>;
  first?: InputMaybe<Scalars['Int']['input']>;
  after: Scalars['String']['input'];
  orderBy?: InputMaybe<AudienceOrder>;
}>;


export type AudiencePageQuery = { __typename?: 'Query', campaign?: { __typename?: 'Campaign', id: number, audience: { __typename?: 'AudienceConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null }, edges: Array<{ __typename?: 'AudienceEdge', cursor: string, node: { __typename?: 'Audience', id: number, mobileNo: string, status: AudienceStatus, callStatus?: string | null, firstStatus?: string | null, lastStatus?: string | null, attempt: number, duration: number, lastAttemptAt?: string | null, lastDisposition?: string | null, inputData: JsonObject } }> } } | null };

export type WorkspaceCampaignsQueryVariables = Exact<{
  first?: InputMaybe<Scalars['Int']['input']>;
  after?: InputMaybe<Scalars['String']['input']>;
  filter?: InputMaybe<AudienceFilter>;
}>;


export type WorkspaceCampaignsQuery = { __typename?: 'Query', campaigns: { __typename?: 'CampaignConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null }, edges: Array<{ __typename?: 'CampaignEdge', cursor: string, node: { __typename?: 'Campaign', id: number, name: string, maxAttempts: number, createdAt: string, audienceStats: { __typename?: 'AudienceStats', totalAudience: number, totalAttempt: string, totalDuration: string, successfulCalls: number, coverage: number } } }> } };

export type CampaignStatsLiveSubscriptionVariables = Exact<{
  campaignId: Scalars['Int']['input'];
  filter?: InputMaybe<AudienceFilter>;
}>;


export type CampaignStatsLiveSubscription = { __typename?: 'Subscription', audienceStats: { __typename?: 'AudienceStats', totalAudience: number, totalAttempt: string, totalDuration: string, successfulCalls: number, coverage: number } };

export type CampaignBreakdownLiveSubscriptionVariables = Exact<{
  campaignId: Scalars['Int']['input'];
  by: Array<AudienceDimension> | AudienceDimension;
  filter?: InputMaybe<AudienceFilter>;
  timeZone?: Scalars['String']['input'];
}>;


export type CampaignBreakdownLiveSubscription = { __typename?: 'Subscription', audienceBreakdown: Array<{ __typename?: 'AudienceGroup', groupedBy: Array<AudienceDimension>, status?: AudienceStatus | null, callStatus?: string | null, firstStatus?: string | null, lastStatus?: string | null, attempt?: number | null, lastDisposition?: string | null, lastAttemptHour?: string | null, lastAttemptDay?: string | null, lastAttemptBefore?: string | null, stats: { __typename?: 'AudienceStats', totalAudience: number, totalAttempt: string, totalDuration: string, successfulCalls: number, coverage: number } }> };

export type StatsFieldsFragment = { __typename?: 'AudienceStats', totalAudience: number, totalAttempt: string, totalDuration: string, successfulCalls: number, coverage: number };

export type GroupFieldsFragment = { __typename?: 'AudienceGroup', groupedBy: Array<AudienceDimension>, status?: AudienceStatus | null, callStatus?: string | null, firstStatus?: string | null, lastStatus?: string | null, attempt?: number | null, lastDisposition?: string | null, lastAttemptHour?: string | null, lastAttemptDay?: string | null, lastAttemptBefore?: string | null, stats: { __typename?: 'AudienceStats', totalAudience: number, totalAttempt: string, totalDuration: string, successfulCalls: number, coverage: number } };

export type PageInfoFieldsFragment = { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null };

export type AudienceConnectionFieldsFragment = { __typename?: 'AudienceConnection', totalCount: number, pageInfo: { __typename?: 'PageInfo', hasNextPage: boolean, hasPreviousPage: boolean, startCursor?: string | null, endCursor?: string | null }, edges: Array<{ __typename?: 'AudienceEdge', cursor: string, node: { __typename?: 'Audience', id: number, mobileNo: string, status: AudienceStatus, callStatus?: string | null, firstStatus?: string | null, lastStatus?: string | null, attempt: number, duration: number, lastAttemptAt?: string | null, lastDisposition?: string | null, inputData: JsonObject } }> };

export const StatsFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalAudience"}},{"kind":"Field","name":{"kind":"Name","value":"totalAttempt"}},{"kind":"Field","name":{"kind":"Name","value":"totalDuration"}},{"kind":"Field","name":{"kind":"Name","value":"successfulCalls"}},{"kind":"Field","name":{"kind":"Name","value":"coverage"}}]}}]} as unknown as DocumentNode<StatsFieldsFragment, unknown>;
export const GroupFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"GroupFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceGroup"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"groupedBy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"callStatus"}},{"kind":"Field","name":{"kind":"Name","value":"firstStatus"}},{"kind":"Field","name":{"kind":"Name","value":"lastStatus"}},{"kind":"Field","name":{"kind":"Name","value":"attempt"}},{"kind":"Field","name":{"kind":"Name","value":"lastDisposition"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptHour"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptDay"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptBefore"}},{"kind":"Field","name":{"kind":"Name","value":"stats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatsFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalAudience"}},{"kind":"Field","name":{"kind":"Name","value":"totalAttempt"}},{"kind":"Field","name":{"kind":"Name","value":"totalDuration"}},{"kind":"Field","name":{"kind":"Name","value":"successfulCalls"}},{"kind":"Field","name":{"kind":"Name","value":"coverage"}}]}}]} as unknown as DocumentNode<GroupFieldsFragment, unknown>;
export const PageInfoFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PageInfoFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PageInfo"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]} as unknown as DocumentNode<PageInfoFieldsFragment, unknown>;
export const AudienceConnectionFieldsFragmentDoc = {"kind":"Document","definitions":[{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AudienceConnectionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PageInfoFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"mobileNo"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"callStatus"}},{"kind":"Field","name":{"kind":"Name","value":"firstStatus"}},{"kind":"Field","name":{"kind":"Name","value":"lastStatus"}},{"kind":"Field","name":{"kind":"Name","value":"attempt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastDisposition"}},{"kind":"Field","name":{"kind":"Name","value":"inputData"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PageInfoFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PageInfo"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}}]} as unknown as DocumentNode<AudienceConnectionFieldsFragment, unknown>;
export const CampaignStatsDocument = {"__meta__":{"hash":"cbeebc93704ec8864d3d49cbb6030279cc92cf8f6840c7b012892a2419a66fbf"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CampaignStats"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"campaignId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaignAudienceStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"campaignId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"campaignId"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatsFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalAudience"}},{"kind":"Field","name":{"kind":"Name","value":"totalAttempt"}},{"kind":"Field","name":{"kind":"Name","value":"totalDuration"}},{"kind":"Field","name":{"kind":"Name","value":"successfulCalls"}},{"kind":"Field","name":{"kind":"Name","value":"coverage"}}]}}]} as unknown as DocumentNode<CampaignStatsQuery, CampaignStatsQueryVariables>;
export const CampaignBreakdownDocument = {"__meta__":{"hash":"8d82dfa25bbf219ad40801c37d6d6ef8ecf1b785deb424a9dc9005a1d7b26a16"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CampaignBreakdown"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"campaignId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"by"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceDimension"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},"defaultValue":{"kind":"StringValue","value":"UTC","block":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaignAudienceBreakdown"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"campaignId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"campaignId"}}},{"kind":"Argument","name":{"kind":"Name","value":"by"},"value":{"kind":"Variable","name":{"kind":"Name","value":"by"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"timeZone"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"GroupFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalAudience"}},{"kind":"Field","name":{"kind":"Name","value":"totalAttempt"}},{"kind":"Field","name":{"kind":"Name","value":"totalDuration"}},{"kind":"Field","name":{"kind":"Name","value":"successfulCalls"}},{"kind":"Field","name":{"kind":"Name","value":"coverage"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"GroupFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceGroup"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"groupedBy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"callStatus"}},{"kind":"Field","name":{"kind":"Name","value":"firstStatus"}},{"kind":"Field","name":{"kind":"Name","value":"lastStatus"}},{"kind":"Field","name":{"kind":"Name","value":"attempt"}},{"kind":"Field","name":{"kind":"Name","value":"lastDisposition"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptHour"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptDay"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptBefore"}},{"kind":"Field","name":{"kind":"Name","value":"stats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatsFields"}}]}}]}}]} as unknown as DocumentNode<CampaignBreakdownQuery, CampaignBreakdownQueryVariables>;
export const CampaignOverviewDocument = {"__meta__":{"hash":"f33012b62009e31197448057caaca58837f828ad28ec02fd100098657cfa0aa3"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"CampaignOverview"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaign"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"maxAttempts"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"audienceStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatsFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"audience"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AudienceConnectionFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PageInfoFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PageInfo"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalAudience"}},{"kind":"Field","name":{"kind":"Name","value":"totalAttempt"}},{"kind":"Field","name":{"kind":"Name","value":"totalDuration"}},{"kind":"Field","name":{"kind":"Name","value":"successfulCalls"}},{"kind":"Field","name":{"kind":"Name","value":"coverage"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AudienceConnectionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PageInfoFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"mobileNo"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"callStatus"}},{"kind":"Field","name":{"kind":"Name","value":"firstStatus"}},{"kind":"Field","name":{"kind":"Name","value":"lastStatus"}},{"kind":"Field","name":{"kind":"Name","value":"attempt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastDisposition"}},{"kind":"Field","name":{"kind":"Name","value":"inputData"}}]}}]}}]}}]} as unknown as DocumentNode<CampaignOverviewQuery, CampaignOverviewQueryVariables>;
export const AudiencePageDocument = {"__meta__":{"hash":"a724a94695b8ac70108e02f881858c978fc94e7ef13209b630ca48207cbe1e4d"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"AudiencePage"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"id"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceOrder"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaign"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"id"},"value":{"kind":"Variable","name":{"kind":"Name","value":"id"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"audience"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}},{"kind":"Argument","name":{"kind":"Name","value":"orderBy"},"value":{"kind":"Variable","name":{"kind":"Name","value":"orderBy"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"AudienceConnectionFields"}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PageInfoFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PageInfo"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"AudienceConnectionFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceConnection"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PageInfoFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"mobileNo"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"callStatus"}},{"kind":"Field","name":{"kind":"Name","value":"firstStatus"}},{"kind":"Field","name":{"kind":"Name","value":"lastStatus"}},{"kind":"Field","name":{"kind":"Name","value":"attempt"}},{"kind":"Field","name":{"kind":"Name","value":"duration"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptAt"}},{"kind":"Field","name":{"kind":"Name","value":"lastDisposition"}},{"kind":"Field","name":{"kind":"Name","value":"inputData"}}]}}]}}]}}]} as unknown as DocumentNode<AudiencePageQuery, AudiencePageQueryVariables>;
export const WorkspaceCampaignsDocument = {"__meta__":{"hash":"a6256da51c1d0ebac70e7ead0ec8b24154401fe436279eb43edd5b2d1992fafc"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"query","name":{"kind":"Name","value":"WorkspaceCampaigns"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"first"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"after"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"campaigns"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"first"},"value":{"kind":"Variable","name":{"kind":"Name","value":"first"}}},{"kind":"Argument","name":{"kind":"Name","value":"after"},"value":{"kind":"Variable","name":{"kind":"Name","value":"after"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalCount"}},{"kind":"Field","name":{"kind":"Name","value":"pageInfo"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"PageInfoFields"}}]}},{"kind":"Field","name":{"kind":"Name","value":"edges"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"cursor"}},{"kind":"Field","name":{"kind":"Name","value":"node"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"id"}},{"kind":"Field","name":{"kind":"Name","value":"name"}},{"kind":"Field","name":{"kind":"Name","value":"maxAttempts"}},{"kind":"Field","name":{"kind":"Name","value":"createdAt"}},{"kind":"Field","name":{"kind":"Name","value":"audienceStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatsFields"}}]}}]}}]}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"PageInfoFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"PageInfo"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"hasNextPage"}},{"kind":"Field","name":{"kind":"Name","value":"hasPreviousPage"}},{"kind":"Field","name":{"kind":"Name","value":"startCursor"}},{"kind":"Field","name":{"kind":"Name","value":"endCursor"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalAudience"}},{"kind":"Field","name":{"kind":"Name","value":"totalAttempt"}},{"kind":"Field","name":{"kind":"Name","value":"totalDuration"}},{"kind":"Field","name":{"kind":"Name","value":"successfulCalls"}},{"kind":"Field","name":{"kind":"Name","value":"coverage"}}]}}]} as unknown as DocumentNode<WorkspaceCampaignsQuery, WorkspaceCampaignsQueryVariables>;
export const CampaignStatsLiveDocument = {"__meta__":{"hash":"5fc4e4223ba2ea4a06103d51c01595f4714ce2b76ededefc3f864b38efa7b959"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"CampaignStatsLive"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"campaignId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceFilter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"audienceStats"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"campaignId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"campaignId"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatsFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalAudience"}},{"kind":"Field","name":{"kind":"Name","value":"totalAttempt"}},{"kind":"Field","name":{"kind":"Name","value":"totalDuration"}},{"kind":"Field","name":{"kind":"Name","value":"successfulCalls"}},{"kind":"Field","name":{"kind":"Name","value":"coverage"}}]}}]} as unknown as DocumentNode<CampaignStatsLiveSubscription, CampaignStatsLiveSubscriptionVariables>;
export const CampaignBreakdownLiveDocument = {"__meta__":{"hash":"7cce186b75d4837d20bef37193aa79111a55922d9ff54bab184b2524cd7e495b"},"kind":"Document","definitions":[{"kind":"OperationDefinition","operation":"subscription","name":{"kind":"Name","value":"CampaignBreakdownLive"},"variableDefinitions":[{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"campaignId"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"Int"}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"by"}},"type":{"kind":"NonNullType","type":{"kind":"ListType","type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceDimension"}}}}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"filter"}},"type":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceFilter"}}},{"kind":"VariableDefinition","variable":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}},"type":{"kind":"NonNullType","type":{"kind":"NamedType","name":{"kind":"Name","value":"String"}}},"defaultValue":{"kind":"StringValue","value":"UTC","block":false}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"audienceBreakdown"},"arguments":[{"kind":"Argument","name":{"kind":"Name","value":"campaignId"},"value":{"kind":"Variable","name":{"kind":"Name","value":"campaignId"}}},{"kind":"Argument","name":{"kind":"Name","value":"by"},"value":{"kind":"Variable","name":{"kind":"Name","value":"by"}}},{"kind":"Argument","name":{"kind":"Name","value":"filter"},"value":{"kind":"Variable","name":{"kind":"Name","value":"filter"}}},{"kind":"Argument","name":{"kind":"Name","value":"timeZone"},"value":{"kind":"Variable","name":{"kind":"Name","value":"timeZone"}}}],"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"GroupFields"}}]}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"StatsFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceStats"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"totalAudience"}},{"kind":"Field","name":{"kind":"Name","value":"totalAttempt"}},{"kind":"Field","name":{"kind":"Name","value":"totalDuration"}},{"kind":"Field","name":{"kind":"Name","value":"successfulCalls"}},{"kind":"Field","name":{"kind":"Name","value":"coverage"}}]}},{"kind":"FragmentDefinition","name":{"kind":"Name","value":"GroupFields"},"typeCondition":{"kind":"NamedType","name":{"kind":"Name","value":"AudienceGroup"}},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"Field","name":{"kind":"Name","value":"groupedBy"}},{"kind":"Field","name":{"kind":"Name","value":"status"}},{"kind":"Field","name":{"kind":"Name","value":"callStatus"}},{"kind":"Field","name":{"kind":"Name","value":"firstStatus"}},{"kind":"Field","name":{"kind":"Name","value":"lastStatus"}},{"kind":"Field","name":{"kind":"Name","value":"attempt"}},{"kind":"Field","name":{"kind":"Name","value":"lastDisposition"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptHour"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptDay"}},{"kind":"Field","name":{"kind":"Name","value":"lastAttemptBefore"}},{"kind":"Field","name":{"kind":"Name","value":"stats"},"selectionSet":{"kind":"SelectionSet","selections":[{"kind":"FragmentSpread","name":{"kind":"Name","value":"StatsFields"}}]}}]}}]} as unknown as DocumentNode<CampaignBreakdownLiveSubscription, CampaignBreakdownLiveSubscriptionVariables>;