// `npm run bench`: every benchmark side by side in one run, a table each, the ratios last. Figures only: nothing
// here fails on a wall-clock limit. The method is in bench/README.md.
import * as os from "node:os";
import { concurrencyBenchmark } from "./benchmarks/concurrency";
import { deploymentBenchmark } from "./benchmarks/deployment";
import { memoryBenchmark } from "./benchmarks/memory";
import { packageLoadBenchmark } from "./benchmarks/packageLoad";
import { pluginStartBenchmark } from "./benchmarks/pluginStart";
import { previewBenchmark } from "./benchmarks/preview";
import { scaleBenchmark } from "./benchmarks/scale";
import { BenchOutcome, RatioRow, reason } from "./lib/outcome";
import { formatTable } from "./lib/table";

const BENCHMARKS: { name: string; run: () => Promise<BenchOutcome> }[] = [
  { name: "1. memory", run: memoryBenchmark },
  { name: "2. concurrent identical requests", run: concurrencyBenchmark },
  { name: "3. requests per deployment", run: deploymentBenchmark },
  { name: "4. preview overhead", run: previewBenchmark },
  { name: "5. plugin start", run: pluginStartBenchmark },
  { name: "6. package load", run: packageLoadBenchmark },
  { name: "7. 100 and 1,000 workloads", run: scaleBenchmark },
];

async function main() {
  const only = process.argv.slice(2);
  console.log(
    `prisma-defender benchmarks: node ${process.version}, ${os.cpus().length} CPUs, load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}, ${new Date().toISOString()}`,
  );
  const ratios: RatioRow[] = [];
  for (const bench of BENCHMARKS) {
    if (only.length && !only.some((o) => bench.name.startsWith(o))) continue;
    try {
      const outcome = await bench.run();
      for (const table of outcome.tables) console.log(table);
      ratios.push(...outcome.ratios);
    } catch (error) {
      console.log(`\n${bench.name}: not measured: ${reason(error)}`);
      ratios.push({
        benchmark: bench.name,
        measure: "-",
        measured: undefined,
        goal: "-",
        met: undefined,
      });
    }
  }
  console.log(
    formatTable(
      'Ratios (measured against goal; "-" = not measured in this run)',
      ["benchmark", "measure", "measured", "goal", "met", "reference"],
      ratios.map((r) => [
        r.benchmark,
        r.measure,
        r.measured,
        r.goal,
        r.met === undefined ? undefined : r.met,
        r.reference,
      ]),
    ),
  );
  const met = ratios.filter((r) => r.met === true).length;
  const missed = ratios.filter((r) => r.met === false).length;
  const unmeasured = ratios.filter((r) => r.measured === undefined).length;
  console.log(`\n${met} goals met, ${missed} missed, ${unmeasured} not measured.`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
