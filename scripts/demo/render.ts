// Renders one example's run as `pulumi preview` would show it: the resource tree, then what a reviewer checks of
// the Defender wiring, then the stack outputs. Input is already masked by the child (see wiring.ts).
import type { DemoResource, DemoResult } from "./child";

/** `aws:ecs/taskDefinition:TaskDefinition` → `aws:ecs:TaskDefinition`, as the Pulumi CLI displays types. */
export function displayType(type: string): string {
  const parts = type.split(":");
  if (parts.length !== 3) return type;
  const [pkg, mod, name] = parts;
  return `${pkg}:${mod.split("/")[0]}:${name}`;
}

interface Row {
  type: string;
  name: string;
}

/** The resource tree in registration order, children under their parent. */
export function treeRows(stackName: string, resources: DemoResource[]): Row[] {
  const byUrn = new Set(resources.map((r) => r.urn));
  const children = new Map<string | undefined, DemoResource[]>();
  for (const r of resources) {
    const parent = r.parent && byUrn.has(r.parent) ? r.parent : undefined;
    children.set(parent, [...(children.get(parent) ?? []), r]);
  }
  const rows: Row[] = [{ type: "pulumi:pulumi:Stack", name: stackName }];
  const walk = (parent: string | undefined, prefix: string) => {
    const list = children.get(parent) ?? [];
    list.forEach((r, i) => {
      const last = i === list.length - 1;
      rows.push({ type: `${prefix}${last ? "└─ " : "├─ "}${displayType(r.type)}`, name: r.name });
      walk(r.urn, `${prefix}${last ? "   " : "│  "}`);
    });
  };
  walk(undefined, "");
  return rows;
}

const pad = (s: string, n: number) => s + " ".repeat(Math.max(0, n - [...s].length));

export interface RenderInput {
  title: string;
  stackName: string;
  result: DemoResult;
  seconds: number;
  preview: boolean;
  /** Lines the program wrote to stdout/stderr. */
  log: string[];
}

export function renderExample(input: RenderInput): string {
  const { result } = input;
  const out: string[] = [];
  const status = result.errors.length ? "FAILED" : "ok";
  out.push(`━━ ${input.title} ━━ ${status} in ${input.seconds.toFixed(1)} s`);
  const rows = treeRows(input.stackName, result.resources);
  const width = Math.max(...rows.map((r) => [...r.type].length), 4) + 2;
  const nameWidth = Math.max(...rows.map((r) => [...r.name].length), 4) + 2;
  out.push(`     ${pad("Type", width)}${pad("Name", nameWidth)}Plan`);
  for (const r of rows) out.push(` +   ${pad(r.type, width)}${pad(r.name, nameWidth)}create`);
  const wired = result.resources.filter((r) => r.wiring.length);
  if (wired.length) {
    out.push("", "   Defender wiring:");
    for (const r of wired) {
      out.push(`     ${r.name} (${displayType(r.type)})`);
      const labelWidth = Math.max(...r.wiring.map((w) => w.label.length)) + 2;
      for (const w of r.wiring) out.push(`       ${pad(w.label, labelWidth)}${w.value}`);
    }
  }
  if (result.outputs.length) {
    out.push("", "   Outputs:");
    const nameWidth = Math.max(...result.outputs.map((o) => o.name.length)) + 2;
    for (const o of result.outputs) out.push(`     ${pad(o.name, nameWidth)}${o.value}`);
  }
  if (input.log.length) {
    out.push("", "   Program output:");
    for (const l of input.log) out.push(`     ${l}`);
  }
  if (result.errors.length) {
    out.push("", "   Errors:");
    for (const e of result.errors)
      out.push(...e.split("\n").map((l, i) => `     ${i ? "  " : "✗ "}${l}`));
  }
  out.push("", `   Resources: + ${result.resources.length + 1} to create`, "");
  return out.join("\n");
}
