// The offline demo: starts the Console simulator, runs every example program against it under Pulumi mocks (each
// in its own process), and prints per example what `pulumi preview` would create plus the Defender wiring.
import { fork } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import pLimit from "p-limit";
import { startConsoleSimulator } from "../../provider/simulator";
import { installedPackage } from "../package/tarball";
import type { ConsoleSimulator } from "../../provider/simulator";
import type { DemoJob, DemoResult } from "./child";
import { ExampleProgram, findExamples } from "./examples";
import { renderExample } from "./render";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const STACK = "demo";

export interface DemoOptions {
  /** Where the text goes (default: stdout). */
  write?: (text: string) => void;
  /** A running simulator to use (default: one started and stopped by the demo). */
  simulator?: ConsoleSimulator;
  /** Run only these example ids (directory names under examples/). */
  only?: string[];
  /**
   * Run as `pulumi preview` (isDryRun): the Console is still asked (its calls are read-only); computed outputs of
   * the mocked cloud resources stay unknown.
   */
  preview?: boolean;
  /** Examples run at once (default 2). */
  concurrency?: number;
  examplesDir?: string;
}

export interface ExampleReport {
  id: string;
  ok: boolean;
  resources: number;
  seconds: number;
  errors: string[];
}

export interface DemoReport {
  ok: boolean;
  examples: ExampleReport[];
}

/** The stack config the engine would pass: the example's own, plus how to reach the simulator. */
export function demoConfig(example: ExampleProgram, sim: ConsoleSimulator) {
  const config: Record<string, string> = {
    ...example.config,
    "prisma-defender:consoleUrl": sim.url,
    "prisma-defender:username": sim.credentials.username,
    "prisma-defender:password": sim.credentials.password,
    "prisma-defender:caCertificate": sim.caCertificate,
  };
  const secretKeys = [...new Set([...example.secretKeys, "prisma-defender:password"])];
  return { config, secretKeys };
}

/**
 * The caller's environment for an example's process, minus what would point it away from the simulator: the
 * PRISMACLOUDCOMPUTE_* settings (a developer's real Console URL, token or project would override or contradict the
 * demo's stack config) and a proxy for loopback (the simulator listens on 127.0.0.1, which a proxy cannot reach).
 */
export function demoEnvironment(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out = Object.fromEntries(
    Object.entries(env).filter(([name]) => !name.startsWith("PRISMACLOUDCOMPUTE_")),
  );
  const loopback = "127.0.0.1,localhost";
  for (const name of ["NO_PROXY", "no_proxy"]) {
    out[name] = out[name] ? `${out[name]},${loopback}` : loopback;
  }
  return out;
}

function runChild(
  example: ExampleProgram,
  sim: ConsoleSimulator,
  preview: boolean,
  cacheDir: string,
  modulesDir: string,
) {
  const { config, secretKeys } = demoConfig(example, sim);
  const job: DemoJob = {
    dir: example.dir,
    kind: example.kind,
    program: example.program,
    project: example.project,
    stack: STACK,
    preview,
  };
  return new Promise<{ result: DemoResult; log: string[] }>((resolve) => {
    const child = fork(path.join(__dirname, "child.ts"), [], {
      cwd: example.dir,
      execArgv: ["--require", require.resolve("tsx/cjs")],
      env: {
        ...demoEnvironment(process.env),
        PULUMI_CONFIG: JSON.stringify(config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
        PRISMA_DEFENDER_DEMO_JOB: JSON.stringify(job),
        // The simulator's artefacts are fakes: keep them out of the user's real download cache.
        PRISMA_DEFENDER_CACHE_DIR: cacheDir,
        // Examples import "prisma-defender": the installed package (installedPackage("demo")), found through NODE_PATH after
        // the example's own node_modules, as a dependency installed beside the program would be.
        NODE_PATH: modulesDir,
        PRISMA_DEFENDER_PACKAGE: path.join(modulesDir, "prisma-defender"),
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let text = "";
    child.stdout!.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
    let result: DemoResult | undefined;
    child.on("message", (m) => (result = m as DemoResult));
    child.on("exit", (code, signal) => {
      const log = text.split("\n").filter((l) => l.trim());
      resolve({
        result: result ?? {
          resources: [],
          outputs: [],
          errors: [
            `the program's process ended (${signal ?? `exit code ${code}`}) before reporting`,
          ],
        },
        log,
      });
    });
  });
}

export async function runDemo(options: DemoOptions = {}): Promise<DemoReport> {
  const write = options.write ?? ((t: string) => process.stdout.write(t));
  const demoStarted = Date.now();
  const preview = options.preview ?? false;
  const { examples: all, skipped } = findExamples(
    options.examplesDir ?? path.join(REPO_ROOT, "examples"),
  );
  const unknown = (options.only ?? []).filter((id) => !all.some((e) => e.id === id));
  if (unknown.length) {
    throw new Error(
      `no example ${unknown.join(", ")}; the examples are ${all.map((e) => e.id).join(", ")}`,
    );
  }
  const examples = options.only ? all.filter((e) => options.only!.includes(e.id)) : all;
  const sim = options.simulator ?? (await startConsoleSimulator());
  write(
    `prisma-defender demo: ${examples.length} example(s) against the Console simulator at ${sim.url} ` +
      `(Console ${sim.version}), under Pulumi mocks${preview ? " in preview mode" : ""}: no cloud is touched.\n` +
      `Secrets print as [secret]; environment variables by name (with the value only for the Defender's own wiring).\n\n`,
  );
  for (const s of skipped) write(`(skipped examples/${s.id}: ${s.reason})\n`);
  const limit = pLimit(options.concurrency ?? Math.min(2, os.cpus().length));
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "prisma-defender-demo-"));
  // Examples resolve "prisma-defender" to the packed package, unpacked as npm install leaves it (NODE_PATH).
  const modulesDir = installedPackage("demo");
  const reports: ExampleReport[] = [];
  try {
    // Run concurrently, print in a stable order as each finishes in turn.
    const runs = examples.map((e) =>
      limit(async () => {
        const started = Date.now();
        const run = await runChild(e, sim, preview, cacheDir, modulesDir);
        return { ...run, seconds: (Date.now() - started) / 1000 };
      }),
    );
    for (const [i, example] of examples.entries()) {
      const { result, log, seconds } = await runs[i];
      write(
        renderExample({
          title: `examples/${example.id} (${example.kind === "yaml" ? "Pulumi YAML through the plugin" : "TypeScript"})`,
          stackName: `${example.project}-${STACK}`,
          result,
          seconds,
          preview,
          log,
        }) + "\n",
      );
      reports.push({
        id: example.id,
        ok: result.errors.length === 0,
        resources: result.resources.length,
        seconds,
        errors: result.errors,
      });
    }
  } finally {
    if (!options.simulator) await sim.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
  const ok = reports.length > 0 && reports.every((r) => r.ok);
  write(`Summary (${((Date.now() - demoStarted) / 1000).toFixed(1)} s):\n`);
  for (const r of reports) {
    const plan = r.ok ? `${r.resources + 1} resources to create` : "failed";
    write(`  ${r.ok ? "✓" : "✗"} examples/${r.id}: ${plan}, ${r.seconds.toFixed(1)} s\n`);
  }
  if (!reports.length) write("  no examples found\n");
  return { ok, examples: reports };
}
