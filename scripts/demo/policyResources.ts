// What the Pulumi engine would hand a policy pack for each example: every resource the program registers, in the
// engine's wire form (secrets and unknowns marked as the engine marks them), with its parent and the resources each
// input came from. Each example runs in its own process under the demo's mocks, against the Console simulator, so
// the protected definitions come from the components themselves, never from a hand-written copy.
import { fork } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { startConsoleSimulator } from "../../provider/simulator";
import type { ConsoleSimulator } from "../../provider/simulator";
import { runJob } from "./child";
import type { DemoJob } from "./child";
import { installedPackage } from "../package/tarball";
import { findExamples } from "./examples";
import type { ExampleProgram } from "./examples";
import { demoConfig, demoEnvironment, REPO_ROOT } from "./run";

/** One registered resource as the engine sends it to an analyzer (AnalyzerResource / AnalyzeRequest). */
export interface WireResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  custom: boolean;
  /** Inputs in wire form (the engine's secret and asset signatures, unknowns as the engine's sentinel). */
  inputs: Record<string, unknown>;
  /** What AnalyzeStack sees: a custom resource's state, a component's registered outputs. */
  outputs: Record<string, unknown>;
  /** Input name → URNs of the resources its value came from. */
  propertyDependencies: Record<string, string[]>;
  dependencies: string[];
}

export interface ExampleResources {
  id: string;
  project: string;
  resources: WireResource[];
  errors: string[];
}

const STACK = "demo";
const SIG = "4dabf18193072939515e22adb298388d";
const RESOURCE_SIG = "5cf8f73096256a8f31e491e813e4eb8e";

/**
 * The engine sends analyzers resource references downgraded, as @pulumi/policy cannot read them: a custom
 * resource's reference becomes its ID, a component's its URN.
 */
export function downgradeReferences(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(downgradeReferences);
  if (!v || typeof v !== "object") return v;
  const o = v as Record<string, unknown>;
  if (o[SIG] === RESOURCE_SIG) return typeof o.id === "string" && o.id ? o.id : o.urn;
  return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, downgradeReferences(x)]));
}
const wire = (struct: any) =>
  downgradeReferences(struct?.toJavaScript() ?? {}) as Record<string, unknown>;
const settingsModule = () =>
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  require(path.join(path.dirname(require.resolve("@pulumi/pulumi")), "runtime", "settings"));

/**
 * Wraps the (mock) resource monitor to keep each request in wire form: the engine's analyzers see exactly these
 * property structs. A component's outputs arrive later, through registerResourceOutputs.
 */
function recordWire(monitor: any): WireResource[] {
  const resources: WireResource[] = [];
  const byUrn = new Map<string, WireResource>();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
    return register(req, (err: unknown, resp: any) => {
      if (!err) {
        // Read once registered: stack transforms (protectStack, applied inside the monitor as the engine applies
        // them) rewrite the request's properties in place before it is registered.
        const inputs = wire(req.getObject());
        const propertyDependencies: Record<string, string[]> = {};
        req
          .getPropertydependenciesMap()
          .forEach((v: any, k: string) => (propertyDependencies[k] = v.getUrnsList()));
        const state = wire(resp.getObject());
        const r: WireResource = {
          urn: resp.getUrn(),
          type: req.getType(),
          name: req.getName(),
          parent: req.getParent() || undefined,
          custom: req.getCustom(),
          inputs,
          // The engine keeps an input's secretness on the output of the same name: keep the input's wire form.
          outputs: req.getCustom() ? { ...state, ...inputs } : {},
          propertyDependencies,
          dependencies: req.getDependenciesList(),
        };
        resources.push(r);
        byUrn.set(r.urn, r);
      }
      callback(err, resp);
    });
  };
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: any, callback: (err: unknown, resp: any) => void) => {
    const r = byUrn.get(req.getUrn());
    if (r) r.outputs = wire(req.getOutputs());
    return registerOutputs(req, callback);
  };
  return resources;
}

async function childMain(job: DemoJob): Promise<{ resources: WireResource[]; errors: string[] }> {
  // runJob installs the mocks synchronously and only then starts the program, whose registrations reach the
  // monitor on later turns of the event loop: wrapping the monitor right after it is installed sees them all.
  const run = runJob(job);
  const resources = recordWire(settingsModule().getMonitor());
  const result = await run;
  return { resources, errors: result.errors };
}

function runExample(
  example: ExampleProgram,
  sim: ConsoleSimulator,
  preview: boolean,
  cacheDir: string,
): Promise<ExampleResources> {
  const { config, secretKeys } = demoConfig(example, sim);
  const job: DemoJob = {
    dir: example.dir,
    kind: example.kind,
    program: example.program,
    project: example.project,
    stack: STACK,
    preview,
  };
  const modulesDir = installedPackage("demo");
  return new Promise((resolve) => {
    const child = fork(__filename, [], {
      cwd: example.dir,
      execArgv: ["--require", require.resolve("tsx/cjs")],
      env: {
        ...demoEnvironment(process.env),
        PULUMI_CONFIG: JSON.stringify(config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
        PRISMA_DEFENDER_POLICY_JOB: JSON.stringify(job),
        PRISMA_DEFENDER_CACHE_DIR: cacheDir,
        // As in the demo: "prisma-defender" is the packed package, installed (scripts/package/tarball.ts).
        NODE_PATH: modulesDir,
        PRISMA_DEFENDER_PACKAGE: path.join(modulesDir, "prisma-defender"),
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let log = "";
    child.stdout!.on("data", (d: Buffer) => (log += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (log += d.toString()));
    let result: { resources: WireResource[]; errors: string[] } | undefined;
    child.on("message", (m) => (result = m as typeof result));
    child.on("exit", (code, signal) =>
      resolve({
        id: example.id,
        project: example.project,
        resources: result?.resources ?? [],
        errors: result?.errors ?? [
          `the program's process ended (${signal ?? `exit code ${code}`}) before reporting: ${log.trim()}`,
        ],
      }),
    );
  });
}

export interface CollectOptions {
  simulator?: ConsoleSimulator;
  only?: string[];
  preview?: boolean;
  examplesDir?: string;
}

/** Runs the examples (two at a time) and returns what each registered, in the engine's wire form. */
export async function collectExampleResources(
  options: CollectOptions = {},
): Promise<ExampleResources[]> {
  const { examples: all } = findExamples(options.examplesDir ?? path.join(REPO_ROOT, "examples"));
  const examples = options.only ? all.filter((e) => options.only!.includes(e.id)) : all;
  const sim = options.simulator ?? (await startConsoleSimulator());
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "prisma-defender-policy-"));
  try {
    const out: ExampleResources[] = [];
    for (let i = 0; i < examples.length; i += 2) {
      const batch = examples.slice(i, i + 2);
      out.push(
        ...(await Promise.all(
          batch.map((e) => runExample(e, sim, options.preview ?? false, cacheDir)),
        )),
      );
    }
    return out;
  } finally {
    if (!options.simulator) await sim.close();
    fs.rmSync(cacheDir, { recursive: true, force: true });
  }
}

if (require.main === module && process.env.PRISMA_DEFENDER_POLICY_JOB) {
  const job = JSON.parse(process.env.PRISMA_DEFENDER_POLICY_JOB) as DemoJob;
  childMain(job).then(
    (result) => process.send!(result, () => process.exit(0)),
    (e) =>
      process.send!({ resources: [], errors: [String(e?.message ?? e)] }, () => process.exit(1)),
  );
}
