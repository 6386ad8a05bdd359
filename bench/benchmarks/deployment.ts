// Benchmark 3: Console requests per deployment. Our program (one process, previewed twice) against the same stack
// protected the way the public scripts do it, both counted by the same simulator.
import { runChild } from "../lib/child";
import { BenchOutcome, RatioRow, reason, scratchDir } from "../lib/outcome";
import { envOf, startSimulator } from "../lib/simulator";
import { familiesOf, stackShape } from "../lib/stack";
import { formatTable, ratio } from "../lib/table";
import type { RecordedRequest } from "../../provider/simulator/types";
import type { DeploymentResult } from "../children/deployment";

const SHAPE = { functions: 100, tasks: 10, images: 5 };
/** The session's own work items: a token, the API version, the Console's address (from settings/certs). */
const SESSION_ITEMS = ["authenticate", "version", "settings/certs"];

function countOf(requests: RecordedRequest[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(r.endpoint, (counts.get(r.endpoint) ?? 0) + 1);
  return counts;
}

/** Distinct work items of the stack, per endpoint (bench/README.md, "Work items"). */
export function workItems(missing: string[]): Map<string, number> {
  const shape = stackShape(SHAPE.functions, SHAPE.tasks, SHAPE.images);
  const has = (what: string) => !missing.some((m) => m.startsWith(what));
  const items = new Map<string, number>(SESSION_ITEMS.map((e) => [e, 1]));
  items.set("images/twistlock_defender_layer.zip", familiesOf(shape).length);
  items.set("policies/runtime/serverless/encode", shape.functions.length);
  if (has("ProtectedFargateTask")) items.set("defenders/fargate.json", shape.tasks.length);
  if (has("EmbeddedDefenderImage")) items.set("defenders/app-embedded", shape.images.length);
  return items;
}

export async function deploymentBenchmark(): Promise<BenchOutcome> {
  const sim = await startSimulator({ seed: "bench" });
  const ratios: RatioRow[] = [];
  const tables: string[] = [];
  try {
    // Ours: two previews in one process, split by a marker request the child makes in between.
    const scratch = scratchDir("deployment");
    let ours: DeploymentResult;
    let first: RecordedRequest[];
    let second: RecordedRequest[];
    try {
      ({ result: ours } = await runChild<DeploymentResult>("deployment.ts", {
        console: envOf(sim),
        input: { protect: true, ...SHAPE, previews: 2, cacheDir: scratch.dir, marker: true },
      }));
      const markerAt = sim.requests.findIndex((r) => r.endpoint === "_ping");
      first = sim.requests.slice(0, markerAt < 0 ? sim.requests.length : markerAt);
      second = markerAt < 0 ? [] : sim.requests.slice(markerAt + 1);
    } finally {
      scratch.cleanup();
    }
    // Baseline: the scripts, twice (Terraform re-reads `data "external"` sources on every plan), over the same
    // parts of the stack as ours (a component that has not landed is left out of both).
    const baselineShape = {
      functions: SHAPE.functions,
      tasks: ours.missing.some((m) => m.startsWith("ProtectedFargateTask")) ? 0 : SHAPE.tasks,
      images: ours.missing.some((m) => m.startsWith("EmbeddedDefenderImage")) ? 0 : SHAPE.images,
    };
    sim.reset();
    await runChild("terraformBaseline.ts", { console: envOf(sim), input: baselineShape });
    const baseline1 = [...sim.requests];
    sim.reset();
    await runChild("terraformBaseline.ts", { console: envOf(sim), input: baselineShape });
    const baseline2 = [...sim.requests];

    const items = workItems(ours.missing);
    const c1 = countOf(first);
    const c2 = countOf(second);
    const b1 = countOf(baseline1);
    const endpoints = [...new Set([...items.keys(), ...c1.keys(), ...c2.keys(), ...b1.keys()])];
    const rows = endpoints.map((e) => [
      e,
      items.get(e) ?? 0,
      c1.get(e) ?? 0,
      c2.get(e) ?? 0,
      b1.get(e) ?? 0,
    ]);
    const totalItems = [...items.values()].reduce((a, b) => a + b, 0);
    rows.push(["total", totalItems, first.length, second.length, baseline1.length]);
    const perItem = first.length / totalItems;
    const baselinePerItem = baseline1.length / totalItems;
    rows.push(["requests per work item", "1.00", ratio(perItem), "-", ratio(baselinePerItem)]);
    tables.push(
      formatTable(
        `3. Console requests per deployment: ${SHAPE.functions} ProtectedLambdas (3 runtimes, a shared DefenderLayer each), ` +
          `${SHAPE.tasks} ProtectedFargateTasks, ${SHAPE.images} EmbeddedDefenderImages, mocked previews`,
        [
          "endpoint",
          "work items",
          "ours: preview 1",
          "ours: preview 2, same process",
          "scripts (one plan)",
        ],
        rows,
      ),
    );
    const notes = [
      `   resources registered per preview: ${ours.previews.map((p) => p.resources).join(", ")}; workloads: ${ours.previews.map((p) => p.workloads).join(", ")}`,
      `   scripts' second plan made ${baseline2.length} requests again (data sources are re-read on every plan)`,
      ...ours.missing.map((m) => `   left out of the program (it threw): ${m}`),
      ...ours.errors.map((e) => `   deploy-time error in our program (figures suspect): ${e}`),
    ];
    tables.push(notes.join("\n"));
    ratios.push(
      {
        benchmark: "3. requests per deployment",
        measure: "requests / work items",
        measured: ratio(perItem),
        goal: "1.00",
        met: perItem <= 1,
        reference: `scripts: ${ratio(baselinePerItem)}`,
      },
      {
        benchmark: "3. requests per deployment, 2nd preview",
        measure: "requests added",
        measured: second.length,
        goal: "0",
        met: second.length === 0,
        reference: `scripts: ${baseline2.length}`,
      },
    );
  } catch (error) {
    tables.push(`\n3. Requests per deployment: not measured: ${reason(error)}`);
    ratios.push(
      {
        benchmark: "3. requests per deployment",
        measure: "requests / work items",
        measured: undefined,
        goal: "1.00",
        met: undefined,
      },
      {
        benchmark: "3. requests per deployment, 2nd preview",
        measure: "requests added",
        measured: undefined,
        goal: "0",
        met: undefined,
      },
    );
  } finally {
    await sim.close();
  }
  return { tables, ratios };
}
