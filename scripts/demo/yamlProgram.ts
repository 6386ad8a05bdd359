// Runs a Pulumi YAML program's `prisma-defender:*` resources through the plugin's own provider (the precomputed
// schema and `construct`), the way the engine hands them to the plugin: property values as JSON with the engine's
// secret/archive signatures, deserialised by the SDK's provider server code. Supports the subset of Pulumi YAML
// our example uses, and names anything else it meets rather than guessing.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import type { PrismaDefenderProvider } from "../../provider/plugin/provider";
import { inputsFromWire, wireFileArchive, wireFileAsset, wireSecret } from "./wire";

// Which config keys the engine marked secret (internal to @pulumi/pulumi; the engine passes the same list).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const runtimeConfig = require(
  path.join(path.dirname(require.resolve("@pulumi/pulumi")), "runtime", "config"),
);

export interface YamlProject {
  name: string;
  runtime: unknown;
  config?: Record<string, unknown>;
  variables?: Record<string, unknown>;
  resources?: Record<
    string,
    { type: string; properties?: Record<string, unknown>; options?: unknown }
  >;
  outputs?: Record<string, unknown>;
}

export function readYamlProject(dir: string): YamlProject {
  return YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) as YamlProject;
}

interface Scope {
  dir: string;
  project: string;
  stack: string;
  resources: Map<string, Record<string, pulumi.Input<unknown>>>;
}

/** The engine's sentinel for a value not known until the update (what a preview sends for one). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** Awaits an output and returns its wire form (secret-wrapped when secret, the unknown sentinel in a preview). */
async function wireOf(value: unknown): Promise<unknown> {
  if (!pulumi.Output.isInstance(value)) return value;
  const o = value as any;
  const [v, secret, known] = await Promise.all([o.promise(true), o.isSecret, o.isKnown]);
  const wire = !known ? UNKNOWN : v === undefined ? null : v;
  return secret ? wireSecret(wire) : wire;
}

/** Resolves `${a.b}` / `${configKey}` / `${pulumi.stack}` against the scope. */
async function interpolate(expr: string, scope: Scope): Promise<unknown> {
  const whole = /^\$\{([^}]+)\}$/.exec(expr);
  const lookup = async (ref: string): Promise<unknown> => {
    if (ref === "pulumi.stack") return scope.stack;
    if (ref === "pulumi.project") return scope.project;
    const [head, ...rest] = ref.split(".");
    const resource = scope.resources.get(head);
    if (resource) {
      if (rest.length !== 1)
        throw new Error(`\${${ref}}: only \${resource.output} references are supported`);
      if (!(rest[0] in resource)) throw new Error(`\${${ref}}: ${head} has no output '${rest[0]}'`);
      return wireOf(resource[rest[0]]);
    }
    const key = ref.includes(":") ? ref : `${scope.project}:${ref}`;
    const value = pulumi.runtime.getConfig(key);
    if (value === undefined)
      throw new Error(`\${${ref}}: no resource or stack config named '${ref}'`);
    return runtimeConfig.isConfigSecret(key) ? wireSecret(value) : value;
  };
  if (whole) return lookup(whole[1].trim());
  let out = "";
  let last = 0;
  for (const m of expr.matchAll(/\$\{([^}]+)\}/g)) {
    out += expr.slice(last, m.index) + String((await lookup(m[1].trim())) ?? "");
    last = (m.index ?? 0) + m[0].length;
  }
  return out + expr.slice(last);
}

/** Evaluates a property value to its wire form. */
export async function evaluate(value: unknown, scope: Scope): Promise<unknown> {
  if (typeof value === "string") return value.includes("${") ? interpolate(value, scope) : value;
  if (Array.isArray(value)) return Promise.all(value.map((v) => evaluate(v, scope)));
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>);
    const fn = entries.length === 1 && entries[0][0].startsWith("fn::") ? entries[0] : undefined;
    if (fn) {
      const arg = await evaluate(fn[1], scope);
      switch (fn[0]) {
        case "fn::secret":
          return wireSecret(arg);
        case "fn::fileArchive":
          return wireFileArchive(path.resolve(scope.dir, String(arg)));
        case "fn::fileAsset":
          return wireFileAsset(path.resolve(scope.dir, String(arg)));
        case "fn::readFile":
          return fs.readFileSync(path.resolve(scope.dir, String(arg)), "utf8");
        case "fn::toJSON":
          return JSON.stringify(arg);
        default:
          throw new Error(`${fn[0]} is not supported by the demo's YAML runner`);
      }
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of entries) out[k] = await evaluate(v, scope);
    return out;
  }
  return value;
}

/** A resource of another package, registered with its token as the YAML program declares it. */
class ForeignResource extends pulumi.CustomResource {
  constructor(token: string, name: string, props: pulumi.Inputs) {
    super(token, name, props);
  }
}

/** `aws:iam:Role` → `aws:iam/role:Role`: the token a YAML type name stands for (the providers' convention). */
export function expandToken(type: string): string {
  const parts = type.split(":");
  if (parts.length !== 3 || parts[1].includes("/") || parts[0] === "pulumi") return type;
  const [pkg, mod, name] = parts;
  return `${pkg}:${mod}/${name[0].toLowerCase()}${name.slice(1)}:${name}`;
}

/** Output names each resource is referenced by (`${name.output}` anywhere in the document). */
function referencedOutputs(project: YamlProject): Map<string, Set<string>> {
  const refs = new Map<string, Set<string>>();
  const text = JSON.stringify({ r: project.resources, o: project.outputs });
  for (const m of text.matchAll(/\$\{([A-Za-z0-9_-]+)\.([A-Za-z0-9_]+)\}/g)) {
    refs.set(m[1], new Set([...(refs.get(m[1]) ?? []), m[2]]));
  }
  return refs;
}

/**
 * Constructs every resource of the program, in file order (the example's references only point backwards), and
 * returns its outputs. ${provider.packageName} resources go through the plugin's provider; other packages' resources
 * are registered as they are (the mocks stand in for their providers).
 */
export async function runYamlProgram(
  dir: string,
  stack: string,
  provider: PrismaDefenderProvider,
): Promise<Record<string, unknown>> {
  const project = readYamlProject(dir);
  const scope: Scope = {
    dir,
    project: project.name,
    stack,
    resources: new Map(),
  };
  if (project.variables) throw new Error("`variables:` is not supported by the demo's YAML runner");
  const refs = referencedOutputs(project);
  for (const [name, resource] of Object.entries(project.resources ?? {})) {
    if (resource.options)
      throw new Error(`${name}: resource \`options:\` are not supported by the demo's YAML runner`);
    const wire = (await evaluate(resource.properties ?? {}, scope)) as Record<string, unknown>;
    const inputs = await inputsFromWire(wire);
    if (resource.type.startsWith(`${provider.packageName}:`)) {
      const { state } = await provider.construct(name, resource.type, inputs, {});
      scope.resources.set(name, state as Record<string, pulumi.Input<unknown>>);
    } else {
      const outputs = Object.fromEntries([...(refs.get(name) ?? [])].map((k) => [k, inputs[k]]));
      const custom = new ForeignResource(expandToken(resource.type), name, {
        ...outputs,
        ...inputs,
      });
      const props = custom as unknown as Record<string, pulumi.Input<unknown>>;
      scope.resources.set(name, Object.fromEntries(Object.keys(outputs).map((k) => [k, props[k]])));
    }
  }
  const outputs: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(project.outputs ?? {})) {
    const wire = await evaluate(v, scope);
    outputs[k] = (await inputsFromWire({ v: wire })).v;
  }
  return outputs;
}
