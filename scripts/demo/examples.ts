// Finds the example programs and the stack config each needs, the way the Pulumi engine would assemble it.
import * as fs from "fs";
import * as path from "path";
import YAML from "yaml";

export interface ExampleProgram {
  /** Directory name under examples/. */
  id: string;
  dir: string;
  kind: "typescript" | "yaml";
  /** Entry file of a TypeScript program. */
  program?: string;
  project: string;
  /** Stack config (full keys, `<namespace>:<name>`) from Pulumi.yaml defaults and Pulumi.demo.yaml. */
  config: Record<string, string>;
  secretKeys: string[];
}

/** Why an example directory is not runnable by the demo (reported, not hidden). */
export interface SkippedExample {
  id: string;
  reason: string;
}

const runtimeName = (r: unknown): string =>
  typeof r === "string" ? r : String((r as { name?: string } | undefined)?.name ?? "");

const fullKey = (project: string, key: string) => (key.includes(":") ? key : `${project}:${key}`);

const configText = (v: unknown) => (typeof v === "string" ? v : JSON.stringify(v));

/** Config from `config:` in Pulumi.yaml (values and defaults) and from the `demo` stack's file, if any. */
function readConfig(dir: string, project: string, declared: Record<string, unknown> | undefined) {
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(declared ?? {})) {
    const spec =
      v && typeof v === "object" && !Array.isArray(v)
        ? (v as Record<string, unknown>)
        : { value: v };
    const value = spec.value ?? spec.default;
    if (value === undefined) continue;
    config[fullKey(project, k)] = configText(value);
    if (spec.secret === true) secretKeys.push(fullKey(project, k));
  }
  const stackFile = path.join(dir, "Pulumi.demo.yaml");
  if (fs.existsSync(stackFile)) {
    const stack = YAML.parse(fs.readFileSync(stackFile, "utf8")) as {
      config?: Record<string, unknown>;
    };
    for (const [k, v] of Object.entries(stack.config ?? {})) {
      if (v && typeof v === "object" && "secure" in v) {
        throw new Error(`${stackFile}: ${k} is encrypted; the demo cannot decrypt stack secrets`);
      }
      config[fullKey(project, k)] = configText(v);
    }
  }
  return { config, secretKeys };
}

export function findExamples(examplesDir: string): {
  examples: ExampleProgram[];
  skipped: SkippedExample[];
} {
  const examples: ExampleProgram[] = [];
  const skipped: SkippedExample[] = [];
  if (!fs.existsSync(examplesDir)) return { examples, skipped };
  for (const id of fs.readdirSync(examplesDir).sort()) {
    const dir = path.join(examplesDir, id);
    const projectFile = path.join(dir, "Pulumi.yaml");
    if (id.startsWith(".") || id === "node_modules" || !fs.statSync(dir).isDirectory()) continue;
    if (!fs.existsSync(projectFile)) {
      skipped.push({ id, reason: "no Pulumi.yaml" });
      continue;
    }
    const project = YAML.parse(fs.readFileSync(projectFile, "utf8")) as Record<string, any>;
    const runtime = runtimeName(project.runtime);
    const { config, secretKeys } = readConfig(dir, project.name, project.config);
    if (runtime === "yaml") {
      examples.push({ id, dir, kind: "yaml", project: project.name, config, secretKeys });
    } else if (runtime === "nodejs") {
      const main = typeof project.main === "string" ? project.main : "index.ts";
      const program = path.resolve(dir, main);
      if (!fs.existsSync(program)) {
        skipped.push({ id, reason: `no ${path.relative(dir, program)}` });
        continue;
      }
      examples.push({
        id,
        dir,
        kind: "typescript",
        program,
        project: project.name,
        config,
        secretKeys,
      });
    } else {
      skipped.push({ id, reason: `runtime ${runtime || "(none)"} is not run by the demo` });
    }
  }
  return { examples, skipped };
}
