// Benchmark 2: Console requests made by 100 concurrent identical requests through `consoleFor(...)` (goal 1 per
// endpoint; the session set-up, authentication and version detection, is shown beside it).
import { runChild } from "../lib/child";
import { BenchOutcome, RatioRow, reason, scratchDir } from "../lib/outcome";
import { countByEndpoint, envOf, startSimulator } from "../lib/simulator";
import { formatTable, ms } from "../lib/table";

const CONCURRENCY = 100;
const KINDS = [
  "defenders/serverless/bundle",
  "images/twistlock_defender_layer.zip",
  "policies/runtime/serverless/encode",
  "defenders/fargate.json",
];
const SESSION = new Set([
  "authenticate",
  "authenticate/renew",
  "version",
  "_ping",
  "settings/certs",
]);

interface Result {
  answered: number;
  distinctAnswers: number;
  ms: number;
}

export async function concurrencyBenchmark(): Promise<BenchOutcome> {
  const sim = await startSimulator();
  const rows: (string | number | undefined)[][] = [];
  const ratios: RatioRow[] = [];
  try {
    for (const kind of KINDS) {
      sim.reset();
      const scratch = scratchDir("concurrency");
      try {
        const { result } = await runChild<Result>("concurrency.ts", {
          console: envOf(sim),
          input: { cacheDir: scratch.dir, concurrency: CONCURRENCY },
          env: { BENCH_KIND: kind },
        });
        const counts = countByEndpoint(sim);
        const made = counts.get(kind) ?? 0;
        const session = [...counts].filter(([e]) => SESSION.has(e)).reduce((n, [, c]) => n + c, 0);
        const session_detail = [...counts]
          .filter(([e]) => SESSION.has(e))
          .map(([e, c]) => `${e} ${c}`)
          .join(", ");
        rows.push([
          kind,
          result.answered,
          result.distinctAnswers,
          made,
          session,
          session_detail,
          ms(result.ms),
        ]);
        ratios.push({
          benchmark: `2. 100 concurrent identical: ${kind}`,
          measure: "requests to the endpoint",
          measured: made,
          goal: "1",
          met: made === 1,
        });
      } catch (error) {
        rows.push([
          kind,
          undefined,
          undefined,
          undefined,
          undefined,
          `not measured: ${reason(error)}`,
        ]);
        ratios.push({
          benchmark: `2. 100 concurrent identical: ${kind}`,
          measure: "requests to the endpoint",
          measured: undefined,
          goal: "1",
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
    `2. ${CONCURRENCY} concurrent identical requests, each through its own consoleFor(equal settings) (fresh process per row)`,
    [
      "endpoint",
      "answers",
      "distinct answers",
      "requests to endpoint",
      "session requests",
      "session detail",
      "total ms",
    ],
    rows,
  );
  return { tables: [table], ratios };
}
