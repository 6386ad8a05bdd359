// The package entry: what TypeScript programs import and what the plugin serves to other languages.
export * from "./console/types";
