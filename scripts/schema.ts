// Generates sdk/schema.json: the schema the plugin serves, inferred from the components' TypeScript by Pulumi's own
// analyzer (the same code `pulumi package add` would run through the source-based host), so the JSDoc on the args
// is what users of every language read.
//
//   npm run schema            write sdk/schema.json
//   npm run schema -- --check exit 1 when sdk/schema.json is out of date (CI; tests/plugin has the same check)
import * as fs from "fs";
import * as path from "path";
import { ComponentProvider, getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import { SCHEMA_PATH } from "../provider/plugin/provider";

export const REPO_ROOT = path.resolve(__dirname, "..");

/** Package name and namespace exactly as `@pulumi/pulumi/cmd/run-plugin` derives them from package.json `name`. */
export function providerNaming(packageName: string): { name: string; namespace?: string } {
  const m = /^(@.*?\/)?(.+)$/.exec(packageName);
  if (!m) throw new Error(`package.json name '${packageName}' is not a package name`);
  const name = m[2].replace(/[^-a-zA-Z0-9_]/g, "-");
  if (!/^[a-zA-Z]/.test(name)) throw new Error(`provider name '${name}' must start with a letter`);
  return { name, namespace: m[1] ? m[1].slice(1, -1) : undefined };
}

export interface InferOptions {
  /** Directory holding package.json and the tsconfig.json the analyzer reads (default: the repository). */
  root?: string;
  /** The module whose exported ComponentResource classes are the package (default: the package entry). */
  entry?: string;
}

/**
 * Pulumi's own ComponentProvider over the components the entry exports, named as run-plugin names it. Its
 * getSchema() runs the analyzer (10-15 s: it type-checks the provider with the @pulumi/aws typings); its construct()
 * is what the source-based plugin host would call.
 */
export function componentProviderFor(options: InferOptions = {}): ComponentProvider {
  const root = options.root ?? REPO_ROOT;
  const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
  const entry = options.entry ?? path.join(root, "provider", "index.ts");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const components = getPulumiComponents(require(entry));
  if (components.length === 0) {
    throw new Error(`${path.relative(root, entry)} exports no ComponentResource classes`);
  }
  const provider = new ComponentProvider({
    components,
    dirname: root,
    ...providerNaming(pkg.name),
  });
  // The analyzer finds its entry file through package.json `exports`/`main`, mapping `.js` to `.ts` beside it. Ours
  // point at the compiled dist/, whose sources it cannot see, so it is shown the manifest with the source entry.
  const sourceEntry = `./${path.relative(root, entry).replace(/\.ts$/, ".js")}`;
  const view = provider as unknown as { packageJSON: Record<string, unknown> };
  view.packageJSON = { ...view.packageJSON, exports: { ".": { default: sourceEntry } } };
  return provider;
}

/** Runs the analyzer in-process and returns the schema as an object. */
export async function inferSchema(options: InferOptions = {}): Promise<Record<string, unknown>> {
  return JSON.parse(await componentProviderFor(options).getSchema());
}

/** Object keys sorted at every level (arrays keep their order), so the committed file diffs cleanly. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === "object") {
    const obj = value as Record<string, unknown>;
    return Object.fromEntries(
      Object.keys(obj)
        .sort()
        .filter((k) => obj[k] !== undefined)
        .map((k) => [k, sortKeys(obj[k])]),
    );
  }
  return value;
}

/** The exact text committed as sdk/schema.json. */
export function formatSchema(schema: unknown): string {
  return `${JSON.stringify(sortKeys(schema), null, 2)}\n`;
}

async function main(argv: string[]): Promise<number> {
  const file = path.join(REPO_ROOT, SCHEMA_PATH);
  const text = formatSchema(await inferSchema());
  if (argv.includes("--check")) {
    const committed = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    if (committed !== text) {
      console.error(
        `${SCHEMA_PATH} is out of date with the components: run \`npm run schema\` and commit it.`,
      );
      return 1;
    }
    console.log(`${SCHEMA_PATH} is up to date.`);
    return 0;
  }
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  const resources = Object.keys((JSON.parse(text).resources ?? {}) as object);
  console.log(`wrote ${SCHEMA_PATH}: ${resources.join(", ")}`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (err) => {
      console.error(err instanceof Error ? err.message : err);
      process.exit(1);
    },
  );
}
