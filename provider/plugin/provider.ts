// The provider the plugin serves to Python, Go, .NET, Java and YAML programs: the committed schema (inferred from
// the components' TypeScript by `npm run schema`, guarded by tests/plugin) and `construct` for every component.
//
// It does what `@pulumi/pulumi`'s ComponentProvider does, minus running the schema analyzer at start-up: the
// analyzer builds a TypeScript program over the provider and the @pulumi/aws typings, which costs about 10 s on
// every `pulumi preview`. See docs/plugin.md for the measurements.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import {
  ComponentProvider,
  ComponentResourceConstructor,
} from "@pulumi/pulumi/provider/experimental";

/** Where the committed schema lives, relative to the repository root. */
export const SCHEMA_PATH = path.join("sdk", "schema.json");

/** The repository root (the plugin directory): two levels above this file. */
export const PLUGIN_ROOT = path.resolve(__dirname, "..", "..");

interface SchemaResource {
  isComponent?: boolean;
  properties?: Record<string, unknown>;
}

/** The subset of a Pulumi package schema the provider reads. */
export interface PackageSchema {
  name: string;
  version?: string;
  resources?: Record<string, SchemaResource>;
}

/** Reads the committed schema; a missing file gets the command that produces it. */
export function readCommittedSchema(root: string = PLUGIN_ROOT): string {
  const file = path.join(root, SCHEMA_PATH);
  if (!fs.existsSync(file)) {
    throw new Error(
      `prisma-defender plugin: ${file} is missing; run \`npm run schema\` to generate it`,
    );
  }
  return fs.readFileSync(file, "utf8");
}

/** The component classes, or a function that loads them (on first use). */
export type ComponentSource =
  ComponentResourceConstructor[] | (() => ComponentResourceConstructor[]);

/**
 * Serves a precomputed schema and constructs the components it describes. Refuses to serve components when they
 * and the schema disagree, rather than build something the schema does not promise. Given a loader, the component
 * modules (the AWS, Azure and Docker SDKs) are loaded on the first `construct`, so GetSchema (all that
 * `pulumi package add` needs) does not wait for them; given classes, the check runs at once.
 */
export class PrismaDefenderProvider implements pulumi.provider.Provider {
  readonly version: string;
  readonly packageName: string;
  readonly schema: string;
  /** Output property names per component class name: the keys `construct` returns as state. */
  readonly outputs: ReadonlyMap<string, string[]>;
  readonly source: ComponentSource;
  /** The checked classes by name, once loaded. */
  loaded?: ReadonlyMap<string, ComponentResourceConstructor>;

  constructor(components: ComponentSource, schemaText: string) {
    const schema = JSON.parse(schemaText) as PackageSchema;
    this.schema = schemaText;
    this.packageName = schema.name;
    this.version = schema.version ?? "0.0.0";
    const outputs = new Map<string, string[]>();
    for (const [token, resource] of Object.entries(schema.resources ?? {})) {
      if (!resource.isComponent) continue;
      outputs.set(token.split(":")[2], Object.keys(resource.properties ?? {}));
    }
    this.outputs = outputs;
    this.source = components;
    if (Array.isArray(components)) this.constructors();
  }

  /** The component classes by name, loaded and checked against the schema on first use. */
  constructors(): ReadonlyMap<string, ComponentResourceConstructor> {
    if (this.loaded) return this.loaded;
    const list = typeof this.source === "function" ? this.source() : this.source;
    const byName = new Map(list.map((c) => [c.name, c]));
    const unserved = [...this.outputs.keys()].filter((n) => !byName.has(n));
    const undescribed = [...byName.keys()].filter((n) => !this.outputs.has(n));
    if (unserved.length || undescribed.length) {
      const parts = [
        unserved.length ? `in the schema but not exported: ${unserved.join(", ")}` : "",
        undescribed.length ? `exported but not in the schema: ${undescribed.join(", ")}` : "",
      ].filter(Boolean);
      throw new Error(
        `prisma-defender plugin: sdk/schema.json does not match provider/index.ts (${parts.join("; ")}); run \`npm run schema\``,
      );
    }
    this.loaded = byName;
    return byName;
  }

  getSchema(): Promise<string> {
    return Promise.resolve(this.schema);
  }

  async construct(
    name: string,
    type: string,
    inputs: pulumi.Inputs,
    options: pulumi.ComponentResourceOptions,
  ): Promise<pulumi.provider.ConstructResult> {
    // Same token rules and messages as ComponentProvider: `<package>:index:<Class>` only.
    ComponentProvider.validateResourceType(this.packageName, type);
    const className = type.split(":")[2];
    const Component = this.constructors().get(className);
    if (!Component) {
      throw new Error(`Component class not found for '${className}'`);
    }
    const instance = new Component(name, inputs, options) as unknown as Record<string, unknown>;
    const state: Record<string, unknown> = {};
    for (const key of this.outputs.get(className) ?? []) state[key] = instance[key];
    return { urn: (instance as unknown as pulumi.ComponentResource).urn, state };
  }
}
