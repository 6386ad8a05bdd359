// Shared pieces of the reliability suites: one simulator and private cache per test file, short retry bounds for
// the components' clients, running a program while capturing its errors and console lines, and the check that
// every workload a program registered carries its protection.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { forgetConsoles } from "../../provider/core/console/client";
import type { ConsoleArgs } from "../../provider/core/types";
import { startConsoleSimulator } from "../../provider/simulator";
import type { ConsoleSimulator, ConsoleSimulatorOptions } from "../../provider/simulator/types";
import {
  captureDeployErrors,
  installMocks,
  MockHarness,
  RecordedResource,
  unwrapInput,
} from "../helpers/pulumi";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { Built, Program, removeScratch } from "./programs";

/**
 * Retry bounds for the fault tables, passed the way code that cannot pass options does (the components call
 * `consoleFor(settings)` themselves). A case is bounded by its calls' deadlines: that is the hang guard.
 */
export const RETRY = {
  maxAttempts: 4,
  baseDelayMs: 20,
  maxDelayMs: 100,
  maxRetryAfterMs: 3000,
  deadlineMs: 8000,
};
export const REQUEST_TIMEOUT_SECONDS = 1;

export interface Env {
  sim: ConsoleSimulator;
  mocks: MockHarness;
  cacheDir: string;
  console(extra?: Partial<ConsoleArgs>): ConsoleArgs;
}

/** Start a simulator, install mocks and point the cache at a fresh private directory, for this test file. */
export function useEnv(options: ConsoleSimulatorOptions = {}, preview = false): Env {
  const env = {} as Env;
  let root = "";
  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), "pd-reliability-cache-"));
    env.cacheDir = path.join(root, "cache");
    process.env.PRISMA_DEFENDER_CACHE_DIR = env.cacheDir;
    process.env.PRISMA_DEFENDER_RETRY_OPTIONS = JSON.stringify(RETRY);
    env.sim = await startConsoleSimulator({ seed: "reliability", ...options });
    env.mocks = installMocks({ preview });
    env.console = (extra = {}) => ({
      url: env.sim.url,
      username: env.sim.credentials.username,
      password: env.sim.credentials.password,
      caCertificate: env.sim.caCertificate,
      requestTimeoutSeconds: REQUEST_TIMEOUT_SECONDS,
      ...extra,
    });
  });
  afterAll(async () => {
    await env.sim?.close();
    delete process.env.PRISMA_DEFENDER_CACHE_DIR;
    delete process.env.PRISMA_DEFENDER_RETRY_OPTIONS;
    fs.rmSync(root, { recursive: true, force: true });
    removeScratch();
  });
  return env;
}

export interface Run {
  /** Distinct error messages the program's deploy-time failures produced. */
  errors: string[];
  ms: number;
  /** Workload children registered, and the problems of those not protected. */
  workloads: RecordedResource[];
  unprotected: string[];
  /** How many of `workloads` passed their protection check. */
  protectedCount: number;
  /** The component, when its constructor did not throw. */
  component?: pulumi.ComponentResource;
}

let counter = 0;

/** Run one program from a clean state (no recorded resources, fresh clients, no faults unless `before` adds some). */
export async function runProgram(
  env: Env,
  prog: Program,
  console: ConsoleArgs,
  before: () => void = () => undefined,
): Promise<Run> {
  env.mocks.reset();
  env.sim.reset();
  forgetConsoles();
  before();
  const id = String(++counter);
  const started = Date.now();
  let built: Built | undefined;
  const errors = await captureDeployErrors(() => {
    built = prog.build(console, id);
    return built.settled;
  });
  const ms = Date.now() - started;
  const workloads = env.mocks.children().filter((r) => WORKLOAD_CHECKS[r.type]);
  const problems = await Promise.all(
    workloads.map(async (w) =>
      (await WORKLOAD_CHECKS[w.type](w.inputs)).map((p) => `${w.type} ${w.name}: ${p}`),
    ),
  );
  const unprotected = problems.flat();
  const protectedCount = problems.filter((p) => p.length === 0).length;
  return { errors, ms, workloads, unprotected, protectedCount, component: built?.component };
}

const get = (value: unknown): any => unwrapInput(value);

/** What makes each kind of workload protected, as problems (none: protected). */
export const WORKLOAD_CHECKS: Record<string, (inputs: Record<string, any>) => Promise<string[]>> = {
  "aws:lambda/function:Function": async (inputs) => {
    const problems: string[] = [];
    const variables = get(get(inputs.environment)?.variables) ?? {};
    if (!variables.TW_POLICY) problems.push("no TW_POLICY");
    if (get(inputs.handler) === "twistlock.handler") {
      if (!variables.ORIGINAL_HANDLER) problems.push("layer handler without ORIGINAL_HANDLER");
      if (!(get(inputs.layers) ?? []).length) problems.push("layer handler without a layer");
    } else if (!(await archiveHolds(get(inputs.code), "twistlock"))) {
      problems.push("wrapped handler, but the code holds no twistlock module");
    }
    return problems;
  },
  "aws:lambda/layerVersion:LayerVersion": async (inputs) =>
    (await archiveHolds(get(inputs.code), "twistlock"))
      ? []
      : ["the layer holds no twistlock module"],
  "aws:ecs/taskDefinition:TaskDefinition": async (inputs) => {
    const containers = JSON.parse(get(inputs.containerDefinitions) ?? "[]") as Record<
      string,
      any
    >[];
    const problems: string[] = [];
    if (!containers.some((c) => c.name === "TwistlockDefender"))
      problems.push("no TwistlockDefender sidecar");
    for (const c of containers.filter((c) => c.name !== "TwistlockDefender")) {
      if (!String(c.entryPoint?.[0] ?? "").includes("defender")) {
        problems.push(`container ${c.name} does not start under the Defender`);
      }
    }
    return problems;
  },
  "aws:cloudformation/stack:Stack": async (inputs) => {
    const template = YAML.parse(String(get(inputs.templateBody) ?? "{}")) as {
      Resources?: Record<string, { Type?: string; Properties?: { ContainerDefinitions?: any[] } }>;
    };
    const tasks = Object.entries(template.Resources ?? {}).filter(
      ([, r]) => r.Type === "AWS::ECS::TaskDefinition",
    );
    if (!tasks.length) return ["no task definition in the template"];
    return tasks.flatMap(([name, r]) => {
      const containers = r.Properties?.ContainerDefinitions ?? [];
      const problems: string[] = [];
      if (!containers.some((c) => c.Name === "TwistlockDefender")) {
        problems.push(`${name}: no TwistlockDefender sidecar`);
      }
      for (const c of containers.filter((c) => c.Name !== "TwistlockDefender")) {
        if (!String(c.EntryPoint?.[0] ?? "").includes("defender")) {
          problems.push(`${name}: container ${c.Name} does not start under the Defender`);
        }
      }
      return problems;
    });
  },
  "azure-native:web:WebApp": async (inputs) => {
    const settings = (get(get(inputs.siteConfig)?.appSettings) ?? []) as {
      name: string;
      value: string;
    }[];
    return settings.some((s) => s.name === "TW_POLICY" && get(s.value))
      ? []
      : ["no TW_POLICY app setting"];
  },
  "docker:index/image:Image": async (inputs) => {
    const build = get(inputs.build) ?? {};
    const file = get(build.dockerfile);
    const text =
      typeof file === "string" && fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "";
    const entrypoints = text.split("\n").filter((l) => /^\s*ENTRYPOINT\b/i.test(l));
    const last = entrypoints[entrypoints.length - 1] ?? "";
    return /defender.*app-embedded/.test(last)
      ? []
      : [`the built Dockerfile's ENTRYPOINT does not start the Defender`];
  },
};

/** Whether a recorded archive input (a FileArchive, its path a promise) is a zip or directory holding `name`. */
async function archiveHolds(archive: any, name: string): Promise<boolean> {
  const p = await archive?.path;
  if (typeof p !== "string" || !fs.existsSync(p)) return false;
  if (fs.statSync(p).isDirectory()) return fs.existsSync(path.join(p, name));
  // Zip entry names are stored uncompressed in the local headers and the central directory.
  return fs.readFileSync(p).includes(Buffer.from(name));
}

/** Every console line written while `run` runs (pulumi.log falls back to the console without an engine). */
export async function withConsoleCapture<T>(
  run: () => Promise<T>,
): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(
        args.map((a) => (typeof a === "string" ? a : (JSON.stringify(a) ?? String(a)))).join(" "),
      );
    }),
  );
  try {
    return { value: await run(), lines };
  } finally {
    spies.forEach((s) => s.mockRestore());
  }
}
