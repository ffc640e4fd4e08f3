/* eslint-disable */
import * as types from './graphql.js';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "query CampaignStats($campaignId: Int!, $filter: AudienceFilter) {\n  campaignAudienceStats(campaignId: $campaignId, filter: $filter) {\n    ...StatsFields\n  }\n}\n\nquery CampaignOverview($id: Int!, $filter: AudienceFilter, $first: Int, $orderBy: AudienceOrder) {\n  campaign(id: $id) {\n    id\n    name\n    maxAttempts\n    createdAt\n    audienceStats(filter: $filter) {\n      ...StatsFields\n    }\n    audience(filter: $filter, first: $first, orderBy: $orderBy) {\n      ...AudienceConnectionFields\n    }\n  }\n}\n\nquery AudiencePage($id: Int!, $filter: AudienceFilter, $first: Int, $after: String!, $orderBy: AudienceOrder) {\n  campaign(id: $id) {\n    id\n    audience(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {\n      ...AudienceConnectionFields\n    }\n  }\n}\n\nquery WorkspaceCampaigns($first: Int, $after: String, $filter: AudienceFilter) {\n  campaigns(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      ...PageInfoFields\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        maxAttempts\n        createdAt\n        audienceStats(filter: $filter) {\n          ...StatsFields\n        }\n      }\n    }\n  }\n}\n\nfragment StatsFields on AudienceStats {\n  totalAudience\n  totalAttempt\n  totalDuration\n  successfulCalls\n  coverage\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  hasPreviousPage\n  startCursor\n  endCursor\n}\n\nfragment AudienceConnectionFields on AudienceConnection {\n  totalCount\n  pageInfo {\n    ...PageInfoFields\n  }\n  edges {\n    cursor\n    node {\n      id\n      mobileNo\n      status\n      callStatus\n      firstStatus\n      lastStatus\n      attempt\n      duration\n      lastAttemptAt\n      lastDisposition\n      inputData\n    }\n  }\n}": typeof types.CampaignStatsDocument,
};
const documents: Documents = {
    "query CampaignStats($campaignId: Int!, $filter: AudienceFilter) {\n  campaignAudienceStats(campaignId: $campaignId, filter: $filter) {\n    ...StatsFields\n  }\n}\n\nquery CampaignOverview($id: Int!, $filter: AudienceFilter, $first: Int, $orderBy: AudienceOrder) {\n  campaign(id: $id) {\n    id\n    name\n    maxAttempts\n    createdAt\n    audienceStats(filter: $filter) {\n      ...StatsFields\n    }\n    audience(filter: $filter, first: $first, orderBy: $orderBy) {\n      ...AudienceConnectionFields\n    }\n  }\n}\n\nquery AudiencePage($id: Int!, $filter: AudienceFilter, $first: Int, $after: String!, $orderBy: AudienceOrder) {\n  campaign(id: $id) {\n    id\n    audience(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {\n      ...AudienceConnectionFields\n    }\n  }\n}\n\nquery WorkspaceCampaigns($first: Int, $after: String, $filter: AudienceFilter) {\n  campaigns(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      ...PageInfoFields\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        maxAttempts\n        createdAt\n        audienceStats(filter: $filter) {\n          ...StatsFields\n        }\n      }\n    }\n  }\n}\n\nfragment StatsFields on AudienceStats {\n  totalAudience\n  totalAttempt\n  totalDuration\n  successfulCalls\n  coverage\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  hasPreviousPage\n  startCursor\n  endCursor\n}\n\nfragment AudienceConnectionFields on AudienceConnection {\n  totalCount\n  pageInfo {\n    ...PageInfoFields\n  }\n  edges {\n    cursor\n    node {\n      id\n      mobileNo\n      status\n      callStatus\n      firstStatus\n      lastStatus\n      attempt\n      duration\n      lastAttemptAt\n      lastDisposition\n      inputData\n    }\n  }\n}": types.CampaignStatsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CampaignStats($campaignId: Int!, $filter: AudienceFilter) {\n  campaignAudienceStats(campaignId: $campaignId, filter: $filter) {\n    ...StatsFields\n  }\n}\n\nquery CampaignOverview($id: Int!, $filter: AudienceFilter, $first: Int, $orderBy: AudienceOrder) {\n  campaign(id: $id) {\n    id\n    name\n    maxAttempts\n    createdAt\n    audienceStats(filter: $filter) {\n      ...StatsFields\n    }\n    audience(filter: $filter, first: $first, orderBy: $orderBy) {\n      ...AudienceConnectionFields\n    }\n  }\n}\n\nquery AudiencePage($id: Int!, $filter: AudienceFilter, $first: Int, $after: String!, $orderBy: AudienceOrder) {\n  campaign(id: $id) {\n    id\n    audience(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {\n      ...AudienceConnectionFields\n    }\n  }\n}\n\nquery WorkspaceCampaigns($first: Int, $after: String, $filter: AudienceFilter) {\n  campaigns(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      ...PageInfoFields\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        maxAttempts\n        createdAt\n        audienceStats(filter: $filter) {\n          ...StatsFields\n        }\n      }\n    }\n  }\n}\n\nfragment StatsFields on AudienceStats {\n  totalAudience\n  totalAttempt\n  totalDuration\n  successfulCalls\n  coverage\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  hasPreviousPage\n  startCursor\n  endCursor\n}\n\nfragment AudienceConnectionFields on AudienceConnection {\n  totalCount\n  pageInfo {\n    ...PageInfoFields\n  }\n  edges {\n    cursor\n    node {\n      id\n      mobileNo\n      status\n      callStatus\n      firstStatus\n      lastStatus\n      attempt\n      duration\n      lastAttemptAt\n      lastDisposition\n      inputData\n    }\n  }\n}"): (typeof documents)["query CampaignStats($campaignId: Int!, $filter: AudienceFilter) {\n  campaignAudienceStats(campaignId: $campaignId, filter: $filter) {\n    ...StatsFields\n  }\n}\n\nquery CampaignOverview($id: Int!, $filter: AudienceFilter, $first: Int, $orderBy: AudienceOrder) {\n  campaign(id: $id) {\n    id\n    name\n    maxAttempts\n    createdAt\n    audienceStats(filter: $filter) {\n      ...StatsFields\n    }\n    audience(filter: $filter, first: $first, orderBy: $orderBy) {\n      ...AudienceConnectionFields\n    }\n  }\n}\n\nquery AudiencePage($id: Int!, $filter: AudienceFilter, $first: Int, $after: String!, $orderBy: AudienceOrder) {\n  campaign(id: $id) {\n    id\n    audience(filter: $filter, first: $first, after: $after, orderBy: $orderBy) {\n      ...AudienceConnectionFields\n    }\n  }\n}\n\nquery WorkspaceCampaigns($first: Int, $after: String, $filter: AudienceFilter) {\n  campaigns(first: $first, after: $after) {\n    totalCount\n    pageInfo {\n      ...PageInfoFields\n    }\n    edges {\n      cursor\n      node {\n        id\n        name\n        maxAttempts\n        createdAt\n        audienceStats(filter: $filter) {\n          ...StatsFields\n        }\n      }\n    }\n  }\n}\n\nfragment StatsFields on AudienceStats {\n  totalAudience\n  totalAttempt\n  totalDuration\n  successfulCalls\n  coverage\n}\n\nfragment PageInfoFields on PageInfo {\n  hasNextPage\n  hasPreviousPage\n  startCursor\n  endCursor\n}\n\nfragment AudienceConnectionFields on AudienceConnection {\n  totalCount\n  pageInfo {\n    ...PageInfoFields\n  }\n  edges {\n    cursor\n    node {\n      id\n      mobileNo\n      status\n      callStatus\n      firstStatus\n      lastStatus\n      attempt\n      duration\n      lastAttemptAt\n      lastDisposition\n      inputData\n    }\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;