// Scratch Pulumi projects that use the packed package as users install it, and a runner that starts their program
// the way Pulumi's Node.js language host does: `node <project>/node_modules/@pulumi/pulumi/cmd/run ... .` in the
// project directory, speaking gRPC to a fake engine (tests/plugin/fakeEngine.ts) and reaching the Console simulator.
import { spawn } from "child_process";
import * as fs from "fs";
import * as path from "path";
import type { ConsoleSimulator } from "../../provider/simulator";
import {
  installTarball,
  linkDependencies,
  packedTarball,
  REPO_ROOT,
} from "../../scripts/package/tarball";
import type { FakeEngine } from "../plugin/fakeEngine";

export const FIXTURES = path.join(REPO_ROOT, "tests", "fixtures", "consumers");
const SCRATCH = path.join(REPO_ROOT, ".tmp", "consumers");

export interface ConsumerProject {
  dir: string;
  /** package.json of the installed prisma-defender. */
  installed: Record<string, any>;
  remove(): void;
}

/**
 * A scratch copy of `tests/fixtures/consumers/<fixture>` with the packed tarball unpacked under its node_modules and
 * every dependency the project and the package declare laid out beside it (hard links from this repository's
 * node_modules; `replace` swaps a package for another installed copy). Under the repository (same file system as
 * node_modules, for the links); .tmp/ is git-ignored.
 */
export function consumerProject(
  fixture: string,
  options: { replace?: Record<string, string>; omit?: string[] } = {},
): ConsumerProject {
  fs.mkdirSync(SCRATCH, { recursive: true });
  const dir = fs.mkdtempSync(path.join(SCRATCH, `${fixture}-`));
  fs.cpSync(path.join(FIXTURES, fixture), dir, { recursive: true });
  const pkgDir = installTarball(packedTarball(), dir);
  const installed = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  const project = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
  const wanted = [
    ...Object.keys(project.dependencies ?? {}),
    ...Object.keys(project.devDependencies ?? {}),
    ...Object.keys(installed.dependencies ?? {}),
  ].filter((n) => n !== "prisma-defender" && !(options.omit ?? []).includes(n));
  linkDependencies(dir, [...new Set(wanted)], options.replace);
  return { dir, installed, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

export interface ProgramRun {
  code: number | null;
  output: string;
  report?: Record<string, any>;
}

/** The stack config the engine would pass: how to reach the simulator, the password a secret. */
export function simulatorConfig(sim: ConsoleSimulator) {
  return {
    config: {
      "aws:region": "us-east-1",
      "prisma-defender:consoleUrl": sim.url,
      "prisma-defender:username": sim.credentials.username,
      "prisma-defender:password": sim.credentials.password,
      "prisma-defender:caCertificate": sim.caCertificate,
    },
    secretKeys: ["prisma-defender:password"],
  };
}

/** Runs the project's program with cmd/run as the language host does, until it exits. */
export function runProgram(
  project: ConsumerProject,
  engine: FakeEngine,
  sim: ConsoleSimulator,
  env: NodeJS.ProcessEnv = {},
): Promise<ProgramRun> {
  const reportFile = path.join(project.dir, "report.json");
  const cacheDir = path.join(project.dir, ".cache");
  const { config, secretKeys } = simulatorConfig(sim);
  const name = JSON.parse(fs.readFileSync(path.join(project.dir, "package.json"), "utf8")).name;
  const runner = path.join(project.dir, "node_modules", "@pulumi", "pulumi", "cmd", "run");
  const args = [
    runner,
    `--monitor=${engine.address}`,
    `--engine=${engine.address}`,
    `--organization=organization`,
    `--project=${name}`,
    `--stack=dev`,
    `--pwd=${project.dir}`,
    `--parallel=8`,
    ".",
  ];
  const childEnv: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    PULUMI_CONFIG: JSON.stringify(config),
    PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
    PRISMA_DEFENDER_CACHE_DIR: cacheDir,
    CONSUMER_REPORT: reportFile,
    // What pulumi-language-nodejs sets by default (`runtime.options.typescript` is true unless turned off).
    PULUMI_NODEJS_TYPESCRIPT: "true",
    NO_PROXY: "127.0.0.1,localhost",
    ...env,
  };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: project.dir, env: childEnv });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const report = fs.existsSync(reportFile)
        ? JSON.parse(fs.readFileSync(reportFile, "utf8"))
        : undefined;
      resolve({ code, output, report });
    });
  });
}
