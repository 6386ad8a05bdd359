// Benchmark 4: wall time of a mocked preview of 100 ProtectedLambdas against the same 100 plain
// aws.lambda.Function, the simulator answering every request 20 ms late. Fresh process per run (so the client's
// per-process memo starts empty), runs alternating, medians compared.
import { runChild } from "../lib/child";
import { BenchOutcome, reason, scratchDir } from "../lib/outcome";
import { envOf, startSimulator } from "../lib/simulator";
import { formatTable, median, ms, ratio } from "../lib/table";
import type { DeploymentResult } from "../children/deployment";

const FUNCTIONS = 100;
const LATENCY_MS = 20;
const RUNS = 5;
const GOAL = 1.25;

export async function previewBenchmark(): Promise<BenchOutcome> {
  const sim = await startSimulator({ latencyMs: LATENCY_MS, seed: "bench" });
  const program: Record<"plain" | "protected", number[]> = { plain: [], protected: [] };
  const warm: Record<"plain" | "protected", number[]> = { plain: [], protected: [] };
  const process_: Record<"plain" | "protected", number[]> = { plain: [], protected: [] };
  const requests: number[] = [];
  const rows: (string | number)[][] = [];
  try {
    for (let i = 0; i < RUNS; i++) {
      for (const variant of ["plain", "protected"] as const) {
        const scratch = scratchDir("preview");
        sim.reset();
        try {
          const { result, wallMs } = await runChild<DeploymentResult>("deployment.ts", {
            console: envOf(sim),
            input: {
              protect: variant === "protected",
              functions: FUNCTIONS,
              tasks: 0,
              images: 0,
              previews: 2,
              cacheDir: scratch.dir,
            },
          });
          program[variant].push(result.previews[0].ms);
          warm[variant].push(result.previews[1].ms);
          // The process as one preview would run it: spawn to exit, less the second preview and its drain.
          process_[variant].push(wallMs - result.previews[1].ms - result.previews[1].drainMs);
          if (variant === "protected") requests.push(sim.requests.length);
          rows.push([
            i + 1,
            variant,
            ms(result.previews[0].ms),
            ms(result.previews[1].ms),
            ms(wallMs - result.previews[1].ms - result.previews[1].drainMs),
            sim.requests.length,
            result.previews[0].resources,
          ]);
        } finally {
          scratch.cleanup();
        }
      }
    }
  } catch (error) {
    return {
      tables: [`\n4. Preview overhead: not measured: ${reason(error)}`],
      ratios: [
        {
          benchmark: "4. preview overhead",
          measure: "protected / plain",
          measured: undefined,
          goal: `<= ${GOAL}`,
          met: undefined,
        },
      ],
    };
  } finally {
    await sim.close();
  }
  const programRatio = median(program.protected) / median(program.plain);
  const processRatio = median(process_.protected) / median(process_.plain);
  const warmRatio = median(warm.protected) / median(warm.plain);
  rows.push([
    "median",
    "plain",
    ms(median(program.plain)),
    ms(median(warm.plain)),
    ms(median(process_.plain)),
    0,
    "-",
  ]);
  rows.push([
    "median",
    "protected",
    ms(median(program.protected)),
    ms(median(warm.protected)),
    ms(median(process_.protected)),
    median(requests),
    "-",
  ]);
  const table = formatTable(
    `4. Preview overhead: ${FUNCTIONS} Lambdas, protected vs plain aws.lambda.Function, mocked preview, Console latency ${LATENCY_MS} ms`,
    [
      "run",
      "variant",
      "program ms",
      "2nd preview ms (same process)",
      "process ms (one preview)",
      "Console requests",
      "resources registered",
    ],
    rows,
  );
  return {
    tables: [table],
    ratios: [
      {
        benchmark: "4. preview overhead (program)",
        measure: "protected / plain, median",
        measured: ratio(programRatio),
        goal: `<= ${GOAL}`,
        met: programRatio <= GOAL,
        reference: `${ms(median(program.protected))} ms vs ${ms(median(program.plain))} ms`,
      },
      {
        benchmark: "4. preview overhead (2nd preview, same process)",
        measure: "protected / plain, median",
        measured: ratio(warmRatio),
        goal: `<= ${GOAL}`,
        met: warmRatio <= GOAL,
        reference: `${ms(median(warm.protected))} ms vs ${ms(median(warm.plain))} ms`,
      },
      {
        benchmark: "4. preview overhead (whole process)",
        measure: "protected / plain, median",
        measured: ratio(processRatio),
        goal: `<= ${GOAL}`,
        met: processRatio <= GOAL,
        reference: `${ms(median(process_.protected))} ms vs ${ms(median(process_.plain))} ms`,
      },
    ],
  };
}
