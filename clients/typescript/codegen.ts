import type { CodegenConfig } from "@graphql-codegen/cli";

// `npm run codegen` regenerates src/generated/ from the server's SDL and src/operations.graphql.
const config: CodegenConfig = {
  schema: "../../schema.graphql",
  documents: ["src/operations.graphql"],
  // Keep the SDL's and the documents file's order rather than sorting: enum objects then list
  // values as the schema does (FRESH = 0 … INQUEUE = 3). With one schema file and one documents
  // file the output is the same on every machine.
  config: { sort: false },
  // Relative imports end in ".js", as Node's ESM resolution requires.
  emitLegacyCommonJSImports: false,
  generates: {
    "src/generated/": {
      preset: "client",
      // Fragments here only share selections; masking would hide their fields from callers.
      presetConfig: {
        fragmentMasking: false,
        persistedDocuments: { hashAlgorithm: "sha256" },
      },
      config: {
        // An unmapped custom scalar fails codegen instead of becoming `any`.
        strictScalars: true,
        scalars: {
          // Decimal digits: values may exceed 2^53. Parse with toBigInt() from src/scalars.ts.
          BigInt: "string",
          // ISO 8601 with offset. Parse with toDate() from src/scalars.ts.
          DateTime: "string",
          JSON: "../scalars.js#JsonObject",
        },
        // `as const` objects: a string-literal union type plus a runtime list of the values.
        enumsAsConst: true,
        namingConvention: { enumValues: "keep" },
        useTypeImports: true,
      },
    },
  },
};

export default config;
