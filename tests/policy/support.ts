// Shared by the policy pack's tests: the examples' resources in the engine's wire form (produced by running the
// examples under the demo's mocks against the Console simulator), ways to change one piece of them, and the pack
// started as the Pulumi CLI starts it.
import * as path from "path";
import { collectExampleResources } from "../../scripts/demo/policyResources";
import type { ExampleResources, WireResource } from "../../scripts/demo/policyResources";
import type { Diagnostic, RunningPack } from "../../scripts/demo/policyAnalyzer";

export const SIG = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";
export const secret = (value: unknown) => ({ [SIG]: SECRET_SIG, value });
export const reveal = (v: any): any => (v && v[SIG] === SECRET_SIG ? v.value : v);

export const clone = <T>(v: T): T => JSON.parse(JSON.stringify(v));

/** Runs every example directory under `dir` (default: examples/) and fails on any program error. */
export async function examples(
  options: { preview?: boolean; only?: string[]; examplesDir?: string } = {},
): Promise<ExampleResources[]> {
  const runs = await collectExampleResources(options);
  for (const r of runs) {
    if (r.errors.length) throw new Error(`examples/${r.id} failed: ${r.errors.join("\n")}`);
    if (!r.resources.length) throw new Error(`examples/${r.id} registered nothing`);
  }
  return runs;
}

export const MANUAL_DIR = path.join(__dirname, "fixtures");

export function find(resources: WireResource[], type: string, name: string): WireResource {
  const r = resources.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no ${type} "${name}" among ${resources.map((x) => x.urn).join(", ")}`);
  return r;
}

/**
 * Changes one resource the same way in its inputs and its outputs (what Analyze and AnalyzeStack see) and returns
 * a new list; the others are unchanged.
 */
export function edit(
  resources: WireResource[],
  target: WireResource,
  change: (props: Record<string, any>) => void,
  extra: (r: WireResource) => void = () => {},
): WireResource[] {
  return resources.map((r) => {
    if (r.urn !== target.urn) return r;
    const copy = clone(r);
    change(copy.inputs);
    change(copy.outputs);
    extra(copy);
    return copy;
  });
}

/** The plain-function form of a resource: no parent component, as in a program that never used ours. */
export const detach = (r: WireResource) => {
  const parts = r.urn.split("::");
  parts[2] = parts[2].split("$").pop()!;
  r.urn = parts.join("::");
  r.parent = undefined;
};

/** Edits the containers of a task definition's `containerDefinitions` (a JSON string, maybe secret). */
export function editContainers(props: Record<string, any>, change: (containers: any[]) => void) {
  const wasSecret = reveal(props.containerDefinitions) !== props.containerDefinitions;
  const containers = JSON.parse(reveal(props.containerDefinitions));
  change(containers);
  const text = JSON.stringify(containers);
  props.containerDefinitions = wasSecret ? secret(text) : text;
}

/** Everything the pack reports for a stack: Analyze on each resource's inputs, then AnalyzeStack. */
export async function verdicts(
  pack: RunningPack,
  resources: WireResource[],
): Promise<Diagnostic[]> {
  const each = await Promise.all(resources.map((r) => pack.analyze(r)));
  return [...each.flat(), ...(await pack.analyzeStack(resources))];
}

/** `policy: message` without the policy's description line the analyzer puts first. */
export const lines = (ds: Diagnostic[]) =>
  ds.map(
    (d) => `${d.policyName} [${d.enforcementLevel}]: ${d.message.split("\n").slice(1).join("\n")}`,
  );
