// Benchmark 1: peak RSS while a 200 MiB bundle is downloaded and cached, then also merged, against the baseline.
import { runChild } from "../lib/child";
import { BenchOutcome, RatioRow, reason, scratchDir } from "../lib/outcome";
import { envOf, startSimulator } from "../lib/simulator";
import { formatTable, mb, ms } from "../lib/table";

const BUNDLE_BYTES = 200 * 1024 * 1024;
const GOAL_MB = 64;

interface Result {
  mode: string;
  bundleBytes: number;
  bundleKind: string;
  mergedSize?: number;
  baseline: number;
  sampledPeak: number;
  hwmPeak?: number;
  downloadMs: number;
  mergeMs?: number;
}

const MODES: { mode: "download" | "merge"; label: string }[] = [
  { mode: "download", label: "download + cache" },
  { mode: "merge", label: "download + cache + archive merge" },
];

export async function memoryBenchmark(): Promise<BenchOutcome> {
  const sim = await startSimulator({ bundlePaddingBytes: BUNDLE_BYTES });
  const rows: (string | number | undefined)[][] = [];
  const ratios: RatioRow[] = [];
  try {
    for (const { mode, label } of MODES) {
      const scratch = scratchDir("memory");
      try {
        const { result: r } = await runChild<Result>("download.ts", {
          console: envOf(sim),
          input: { mode, cacheDir: scratch.dir },
          exposeGc: true,
        });
        const peak = r.hwmPeak ?? r.sampledPeak;
        const growth = mb(peak - r.baseline);
        rows.push([
          label,
          mb(r.bundleBytes),
          mb(r.baseline),
          r.hwmPeak === undefined ? undefined : mb(r.hwmPeak),
          mb(r.sampledPeak),
          growth,
          ms(r.downloadMs),
          r.mergeMs === undefined ? undefined : ms(r.mergeMs),
        ]);
        ratios.push({
          benchmark: `1. memory, ${label}`,
          measure: "peak RSS - baseline (MB)",
          measured: growth,
          goal: `<= ${GOAL_MB}`,
          met: growth <= GOAL_MB,
        });
      } catch (error) {
        rows.push([
          label,
          undefined,
          undefined,
          undefined,
          undefined,
          undefined,
          `not measured: ${reason(error)}`,
        ]);
        ratios.push({
          benchmark: `1. memory, ${label}`,
          measure: "peak RSS - baseline (MB)",
          measured: undefined,
          goal: `<= ${GOAL_MB}`,
          met: undefined,
        });
      } finally {
        scratch.cleanup();
      }
    }
  } finally {
    await sim.close();
  }
  const table = formatTable(
    `1. Memory: a ${mb(BUNDLE_BYTES)} MiB serverless bundle through the client (fresh process per row; MB = MiB)`,
    [
      "path",
      "bundle MB",
      "baseline RSS MB",
      "peak RSS MB (VmHWM)",
      "peak RSS MB (sampled 5 ms)",
      "peak - baseline MB",
      "download ms",
      "merge ms",
    ],
    rows,
  );
  return { tables: [table], ratios };
}
