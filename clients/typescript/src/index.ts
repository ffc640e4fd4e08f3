export * from "./client.js";
export * from "./errors.js";
export * from "./scalars.js";
// Schema types, operation result and variable types, enum objects and the typed documents.
export * from "./generated/graphql.js";
