// Benchmark 7: 100 and 1,000 workloads side by side. The same mix at both sizes (90% ProtectedLambdas over every
// runtime the Serverless Defender covers, 8% ProtectedFargateTasks, 2% EmbeddedDefenderImages) against the same
// program unprotected, the simulator answering 20 ms late. Fresh process per run, variants alternating, medians
// compared; then how each figure grows from 100 to 1,000. Method: bench/README.md, section 7.
import { runChild } from "../lib/child";
import { BenchOutcome, RatioRow, reason, scratchDir } from "../lib/outcome";
import { envOf, startSimulator } from "../lib/simulator";
import { bundleRuntimesOf, familiesOf, stackShape } from "../lib/stack";
import { formatTable, mb, median, ms, ratio } from "../lib/table";
import type { ConsoleSimulator, RecordedRequest } from "../../provider/simulator/types";
import type { DeploymentResult } from "../children/deployment";

const LATENCY_MS = 20;
const RUNS = Number(process.env.BENCH_SCALE_RUNS ?? 3);
const SIZES = [
  { label: "100", functions: 90, tasks: 8, images: 2 },
  { label: "1,000", functions: 900, tasks: 80, images: 20 },
];
type Size = (typeof SIZES)[number];
const GOALS = { requests: 1, process: 1.15, program: 1.4, rss: 1.25 };
/** The throttled run: the Console answers this many encode requests 429 with this Retry-After, all at once. */
const BURST = { times: 16, retryAfterSeconds: 1 };

type Variant = "plain" | "protected";

interface Figures {
  program: Record<Variant, number[]>;
  construct: Record<Variant, number[]>;
  cpu: Record<Variant, number[]>;
  resources: Record<Variant, number[]>;
  process: Record<Variant, number[]>;
  rss: Record<Variant, number[]>;
  requests: number[];
  maxInFlight: number[];
  status429: number[];
  items: number;
  errors: string[];
}

/** Distinct pieces of information the stack needs from the Console (bench/README.md, "Work items"). */
export function scaleWorkItems(size: Size): number {
  const shape = stackShape(size.functions, size.tasks, size.images, "all");
  // token, API version, the Console's address; a layer per family; a bundle per Console runtime value; a TW_POLICY
  // per function; a task definition per task; an embed per image.
  return (
    3 +
    familiesOf(shape).length +
    bundleRuntimesOf(shape).length +
    shape.functions.length +
    shape.tasks.length +
    shape.images.length
  );
}

function input(size: Size, protect: boolean, cacheDir: string) {
  return {
    protect,
    functions: size.functions,
    tasks: size.tasks,
    images: size.images,
    runtimes: "all",
    previews: 1,
    cacheDir,
  };
}

async function measure(sim: ConsoleSimulator, size: Size): Promise<Figures> {
  const f: Figures = {
    program: { plain: [], protected: [] },
    construct: { plain: [], protected: [] },
    cpu: { plain: [], protected: [] },
    resources: { plain: [], protected: [] },
    process: { plain: [], protected: [] },
    rss: { plain: [], protected: [] },
    requests: [],
    maxInFlight: [],
    status429: [],
    items: scaleWorkItems(size),
    errors: [],
  };
  for (let i = 0; i < RUNS; i++) {
    for (const variant of ["plain", "protected"] as const) {
      const scratch = scratchDir("scale");
      sim.reset();
      try {
        const { result, wallMs } = await runChild<DeploymentResult>("deployment.ts", {
          console: envOf(sim),
          input: input(size, variant === "protected", scratch.dir),
        });
        f.program[variant].push(result.previews[0].ms);
        f.construct[variant].push(result.previews[0].constructMs);
        f.cpu[variant].push(result.previews[0].cpuMs);
        f.resources[variant].push(result.previews[0].resources);
        f.process[variant].push(wallMs);
        f.rss[variant].push(result.peakRssAfterFirst ?? NaN);
        f.errors.push(...result.errors, ...result.missing);
        if (variant === "protected") {
          f.requests.push(sim.requests.length);
          f.maxInFlight.push(maxInFlight(sim.requests));
          f.status429.push(sim.requests.filter((r) => r.status === 429).length);
        }
      } finally {
        scratch.cleanup();
      }
    }
  }
  return f;
}

const maxInFlight = (requests: RecordedRequest[]) =>
  Math.max(0, ...requests.map((r) => r.inFlight ?? 0));

/**
 * One more protected run of the 1,000-workload stack against a Console that answers the first 16 TW_POLICY requests
 * 429 with Retry-After 1 s, together: what the shared backoff does at scale. Not part of the timing medians.
 */
async function throttledRun(sim: ConsoleSimulator, size: Size) {
  const scratch = scratchDir("scale-429");
  sim.reset();
  sim.injectFault({
    endpoint: "policies/runtime/serverless/encode",
    kind: "status",
    status: 429,
    retryAfterSeconds: BURST.retryAfterSeconds,
    times: BURST.times,
    together: true,
  });
  try {
    const { result } = await runChild<DeploymentResult>("deployment.ts", {
      console: envOf(sim),
      input: input(size, true, scratch.dir),
    });
    const log = [...sim.requests];
    const refused = log.filter((r) => r.status === 429);
    const lastRefusal = Math.max(...refused.map((r) => r.answeredAt ?? 0));
    const pauseEnd = lastRefusal + BURST.retryAfterSeconds * 1000;
    const inPause = log.filter(
      (r) => r.receivedAt !== undefined && r.receivedAt > lastRefusal && r.receivedAt < pauseEnd,
    ).length;
    return {
      items: scaleWorkItems(size),
      requests: log.length,
      refused: refused.length,
      inPause,
      maxInFlight: maxInFlight(log),
      errors: [...result.errors, ...result.missing],
    };
  } finally {
    scratch.cleanup();
  }
}

export async function scaleBenchmark(): Promise<BenchOutcome> {
  const sim = await startSimulator({ latencyMs: LATENCY_MS, seed: "bench" });
  const results = new Map<string, Figures>();
  let throttled: Awaited<ReturnType<typeof throttledRun>> | undefined;
  try {
    for (const size of SIZES) results.set(size.label, await measure(sim, size));
    throttled = await throttledRun(sim, SIZES[SIZES.length - 1]);
  } catch (error) {
    return {
      tables: [`\n7. 100 and 1,000 workloads: not measured: ${reason(error)}`],
      ratios: [
        {
          benchmark: "7. 1,000 workloads",
          measure: "-",
          measured: undefined,
          goal: "-",
          met: undefined,
        },
      ],
    };
  } finally {
    await sim.close();
  }

  const rows: (string | number)[][] = [];
  const summary = new Map<string, Record<string, number>>();
  for (const size of SIZES) {
    const f = results.get(size.label)!;
    const s = {
      perItem: median(f.requests) / f.items,
      programPlain: median(f.program.plain),
      programProtected: median(f.program.protected),
      processPlain: median(f.process.plain),
      processProtected: median(f.process.protected),
      rssPlain: median(f.rss.plain),
      rssProtected: median(f.rss.protected),
    };
    summary.set(size.label, s);
    rows.push(
      [
        size.label,
        "Console requests / work items",
        "-",
        ratio(s.perItem),
        "-",
        `${median(f.requests)} / ${f.items}`,
      ],
      [
        size.label,
        "program ms",
        ms(s.programPlain),
        ms(s.programProtected),
        ratio(s.programProtected / s.programPlain),
        "-",
      ],
      [
        size.label,
        "  of which constructing (sync) ms",
        ms(median(f.construct.plain)),
        ms(median(f.construct.protected)),
        ratio(median(f.construct.protected) / median(f.construct.plain)),
        `resources registered: ${median(f.resources.plain)} vs ${median(f.resources.protected)}`,
      ],
      [
        size.label,
        "  program CPU ms (all threads)",
        ms(median(f.cpu.plain)),
        ms(median(f.cpu.protected)),
        ratio(median(f.cpu.protected) / median(f.cpu.plain)),
        "steadier than wall time on a shared machine",
      ],
      [
        size.label,
        "process ms (one preview)",
        ms(s.processPlain),
        ms(s.processProtected),
        ratio(s.processProtected / s.processPlain),
        "-",
      ],
      [
        size.label,
        "peak RSS MiB",
        mb(s.rssPlain),
        mb(s.rssProtected),
        ratio(s.rssProtected / s.rssPlain),
        "-",
      ],
      [
        size.label,
        "Console: max in flight, 429s",
        "-",
        `${Math.max(...f.maxInFlight)}, ${Math.max(...f.status429)}`,
        "-",
        "-",
      ],
    );
  }
  const [small, large] = SIZES.map((s) => summary.get(s.label)!);
  const grow = (key: string) => ratio(large[key] / small[key]);
  const growth = formatTable(
    "   How each figure grows from 100 to 1,000 workloads (x10 work): 1,000 / 100, medians",
    ["figure", "plain", "protected"],
    [
      ["Console requests / work items", "-", grow("perItem")],
      ["program ms", grow("programPlain"), grow("programProtected")],
      ["process ms", grow("processPlain"), grow("processProtected")],
      ["peak RSS", grow("rssPlain"), grow("rssProtected")],
    ],
  );
  const table = formatTable(
    `7. 100 and 1,000 workloads (90% ProtectedLambdas over every covered runtime, 8% ProtectedFargateTasks, ` +
      `2% EmbeddedDefenderImages) vs the same program unprotected, mocked preview, Console latency ${LATENCY_MS} ms, ` +
      `${RUNS} runs each, medians`,
    ["workloads", "figure", "plain", "protected", "protected / plain", "detail"],
    rows,
  );
  const notes: string[] = [];
  if (throttled) {
    notes.push(
      `   throttled run (1,000 workloads, the Console answers ${BURST.times} TW_POLICY requests 429 + Retry-After ` +
        `${BURST.retryAfterSeconds} s at once): ${throttled.requests} requests for ${throttled.items} work items, ` +
        `${throttled.refused} answered 429 (so ${throttled.requests - throttled.items - throttled.refused} retries ` +
        `beyond one per refusal), ${throttled.inPause} arrived during the pause, max in flight ${throttled.maxInFlight}`,
    );
    for (const e of new Set(throttled.errors))
      notes.push(`   throttled run error (figures suspect): ${e}`);
  }
  for (const size of SIZES) {
    for (const e of new Set(results.get(size.label)!.errors))
      notes.push(`   ${size.label}: error or missing part (figures suspect): ${e}`);
  }
  const l = large;
  const ratios: RatioRow[] = [
    {
      benchmark: "7. 1,000 workloads",
      measure: "Console requests / work items",
      measured: ratio(l.perItem),
      goal: "1.00",
      met: l.perItem <= GOALS.requests,
      reference: `100 workloads: ${ratio(small.perItem)}`,
    },
    {
      benchmark: "7. 1,000 workloads (whole process)",
      measure: "protected / plain, median",
      measured: ratio(l.processProtected / l.processPlain),
      goal: `<= ${GOALS.process}`,
      met: l.processProtected / l.processPlain <= GOALS.process,
      reference: `${ms(l.processProtected)} ms vs ${ms(l.processPlain)} ms`,
    },
    {
      benchmark: "7. 1,000 workloads (program)",
      measure: "protected / plain, median",
      measured: ratio(l.programProtected / l.programPlain),
      goal: `<= ${GOALS.program}`,
      met: l.programProtected / l.programPlain <= GOALS.program,
      reference: `${ms(l.programProtected)} ms vs ${ms(l.programPlain)} ms`,
    },
    {
      benchmark: "7. 1,000 workloads (peak RSS)",
      measure: "protected / plain, median",
      measured: ratio(l.rssProtected / l.rssPlain),
      goal: `<= ${GOALS.rss}`,
      met: l.rssProtected / l.rssPlain <= GOALS.rss,
      reference: `${mb(l.rssProtected)} MiB vs ${mb(l.rssPlain)} MiB`,
    },
  ];
  return { tables: [table, growth, notes.join("\n")].filter(Boolean), ratios };
}
