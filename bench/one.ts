// One run of the deployment child against a fresh simulator, for profiling and trying changes by hand:
//
//   npx tsx bench/one.ts <functions> <tasks> <images> [plain|protected|bare] [three|all] [previews]
//
// `bare`: the plain program with each function inside a bare ComponentResource (Pulumi's floor for a component).
//
// Prints the child's result and the Console requests it made. With BENCH_CPU_PROF=<dir> the child writes a CPU
// profile there (summarise it with bench/cpuprofile.ts); with BENCH_HEAP_SNAPSHOT=<dir>, heap snapshots of the first
// preview (bench/heapsnapshot.ts); with BENCH_PROMISES=1, the promises it created and where.
import { runChild } from "./lib/child";
import { scratchDir } from "./lib/outcome";
import { envOf, startSimulator } from "./lib/simulator";
import type { DeploymentResult } from "./children/deployment";

async function main() {
  const [
    functions = "90",
    tasks = "8",
    images = "2",
    variant = "protected",
    runtimes = "all",
    previews = "1",
  ] = process.argv.slice(2);
  const sim = await startSimulator({ latencyMs: 20, seed: "bench" });
  const scratch = scratchDir("one");
  try {
    const { result, wallMs } = await runChild<DeploymentResult>("deployment.ts", {
      console: envOf(sim),
      input: {
        protect: variant === "protected",
        bareComponents: variant === "bare",
        functions: Number(functions),
        tasks: Number(tasks),
        images: Number(images),
        runtimes,
        previews: Number(previews),
        cacheDir: scratch.dir,
      },
    });
    const peak = result.peakRssAfterFirst
      ? `${(result.peakRssAfterFirst / 2 ** 20).toFixed(1)} MiB`
      : "-";
    console.log(
      `${variant}: program ${result.previews.map((p) => p.ms.toFixed(0)).join(" / ")} ms (constructing ${result.previews.map((p) => p.constructMs.toFixed(0)).join(" / ")} ms; CPU ${result.previews.map((p) => p.cpuMs.toFixed(0)).join(" / ")} ms), process ${wallMs.toFixed(0)} ms, peak RSS ${peak}, ` +
        `${result.previews[0].resources} resources, ${sim.requests.length} Console requests, ` +
        `max in flight ${Math.max(0, ...sim.requests.map((r) => r.inFlight ?? 0))}`,
    );
    if (result.promises) {
      const { created, sites } = result.promises;
      const workloads = result.previews[0].workloads || 1;
      console.log(
        `  promises: ${created} (${(created / workloads).toFixed(0)} per workload); where, estimated:`,
      );
      for (const [site, n] of sites.slice(0, 25))
        console.log(`  ${String(n).padStart(9)}  ${site}`);
    }
    for (const e of [...result.errors, ...result.missing]) console.log(`  error: ${e}`);
  } finally {
    scratch.cleanup();
    await sim.close();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
