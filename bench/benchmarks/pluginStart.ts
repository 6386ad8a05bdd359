// Benchmark 5: cold start of the plugin until it answers, against a bare `require('@pulumi/aws')` (goal <= 1.2x).
// Runs alternate between them, a fresh process each, and the medians are compared. A third column, the floor, is a
// plugin that does nothing but serve an empty schema: what run-plugin and Pulumi's provider server cost any plugin.
import * as fs from "node:fs";
import * as path from "node:path";
import { BenchOutcome } from "../lib/outcome";
import { floorPluginDir, probePluginStart, requireAwsMs } from "../lib/pluginProbe";
import { formatTable, median, ms, ratio } from "../lib/table";

const RUNS = 5;
const GOAL = 1.2;
const SCRIPT = path.join(__dirname, "..", "..", "scripts", "measure-plugin-start.ts");

/**
 * The plugin's own measurement (scripts/measure-plugin-start.ts: the shipped "precomputed" start, in a throw-away
 * copy of the plugin directory with an empty transpile cache) when it exists; else our probe of run-plugin here.
 */
async function pluginStartMs(): Promise<{ ms: number; detail: string }> {
  if (fs.existsSync(SCRIPT)) {
    const { measurePluginStart } = (await import(SCRIPT)) as {
      measurePluginStart: (o: {
        mode: string;
      }) => Promise<{ listenMs: number; schemaMs: number; resources: string[] }>;
    };
    const s = await measurePluginStart({ mode: "precomputed" });
    return {
      ms: s.schemaMs,
      detail: `precomputed schema: listening ${ms(s.listenMs)} ms, GetSchema ${ms(s.schemaMs)} ms, ${s.resources.length} components`,
    };
  }
  const probe = await probePluginStart();
  return {
    ms: probe.answeredMs,
    detail: `run-plugin: listening ${ms(probe.listeningMs)} ms, GetSchema ${ms(probe.answeredMs)} ms (${probe.schemaBytes} B)`,
  };
}

export async function pluginStartBenchmark(): Promise<BenchOutcome> {
  const plugin: number[] = [];
  const aws: number[] = [];
  const floor: number[] = [];
  const rows: (string | number)[][] = [];
  const floorDir = floorPluginDir();
  try {
    for (let i = 0; i < RUNS; i++) {
      const a = await requireAwsMs();
      const f = (await probePluginStart(undefined, floorDir)).answeredMs;
      const p = await pluginStartMs();
      aws.push(a);
      floor.push(f);
      plugin.push(p.ms);
      rows.push([i + 1, ms(a), ms(f), ms(p.ms), p.detail]);
    }
  } finally {
    fs.rmSync(floorDir, { recursive: true, force: true });
  }
  const r = median(plugin) / median(aws);
  const f = median(floor) / median(aws);
  rows.push([
    "median",
    ms(median(aws)),
    ms(median(floor)),
    ms(median(plugin)),
    `ratio ${ratio(r)}; floor ${ratio(f)}; ours above the floor ${ms(median(plugin) - median(floor))} ms`,
  ]);
  const table = formatTable(
    "5. Plugin cold start until it answers, against node -e \"require('@pulumi/aws')\" (fresh process each); floor: a plugin serving an empty schema",
    ["run", "require aws ms", "floor ms", "plugin ms", "detail"],
    rows,
  );
  return {
    tables: [table],
    ratios: [
      {
        benchmark: "5. plugin start",
        measure: "plugin / require('@pulumi/aws')",
        measured: ratio(r),
        goal: `<= ${GOAL}`,
        met: r <= GOAL,
        reference: `${ms(median(plugin))} ms vs ${ms(median(aws))} ms`,
      },
      {
        benchmark: "5. plugin start, floor",
        measure: "empty plugin / require('@pulumi/aws')",
        measured: ratio(f),
        goal: "(informative)",
        met: undefined,
        reference: `${ms(median(floor))} ms: run-plugin and the provider server alone`,
      },
    ],
  };
}
