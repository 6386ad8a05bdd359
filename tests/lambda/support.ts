// Shared set-up of the Lambda component tests: a real Console simulator, Pulumi mocks configured to reach it, a
// private cache directory, and helpers to read what the function would get.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { forgetConsoles } from "../../provider/core/console/client";
import { extractZip, listZip } from "../../provider/core/archive";
import { startConsoleSimulator } from "../../provider/simulator";
import type { ConsoleSimulator } from "../../provider/simulator/types";
import {
  installMocks,
  MockHarness,
  MockOptions,
  RecordedResource,
  unwrapInput,
} from "../helpers/pulumi";

export const FUNCTION = "aws:lambda/function:Function";
export const LAYER = "aws:lambda/layerVersion:LayerVersion";
export const ROLE = "arn:aws:iam::123456789012:role/lambda";

export interface LambdaTestContext {
  sim: ConsoleSimulator;
  cacheDir: string;
  config: Record<string, string>;
  mocks(options?: MockOptions): MockHarness;
  /** A fresh process-wide Console client: forgets memoised answers and resets the simulator's record. */
  fresh(): void;
  close(): Promise<void>;
}

export async function lambdaTestContext(): Promise<LambdaTestContext> {
  const sim = await startConsoleSimulator();
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-cache-"));
  process.env.PRISMA_DEFENDER_CACHE_DIR = cacheDir;
  // Faults must fail fast in tests: one attempt, no backoff.
  process.env.PRISMA_DEFENDER_RETRY_OPTIONS = JSON.stringify({
    maxAttempts: 1,
    baseDelayMs: 1,
    maxDelayMs: 1,
  });
  const config = {
    "prisma-defender:consoleUrl": sim.url,
    "prisma-defender:username": sim.credentials.username,
    "prisma-defender:password": sim.credentials.password,
    "prisma-defender:caCertificate": sim.caCertificate,
  };
  return {
    sim,
    cacheDir,
    config,
    mocks: (options = {}) =>
      installMocks({ config, secretKeys: ["prisma-defender:password"], ...options }),
    fresh() {
      forgetConsoles();
      sim.reset();
    },
    async close() {
      await sim.close();
      fs.rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** The variables a recorded function would get (unwrapping the secret wrapper). */
export function variablesOf(fn: RecordedResource): Record<string, string> {
  return unwrapInput<{ variables: Record<string, string> }>(fn.inputs.environment).variables;
}

/** Path of the FileArchive a recorded resource's `code` input names. */
export async function archivePathOf(r: RecordedResource): Promise<string> {
  const code = unwrapInput<{ path?: Promise<string> | string }>(r.inputs.code);
  const p = await code.path;
  if (typeof p !== "string") throw new Error(`${r.name}: code is not a FileArchive`);
  return p;
}

/** Names in the zip a recorded resource's `code` names. */
export async function archiveNamesOf(r: RecordedResource): Promise<string[]> {
  return (await listZip(await archivePathOf(r), r.name)).map((e) => e.name);
}

/** The JSON of one file inside a zip. */
export async function zipJson(zipPath: string, name: string): Promise<any> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-zip-"));
  try {
    await extractZip(zipPath, dir);
    return JSON.parse(fs.readFileSync(path.join(dir, name), "utf8"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** A directory with the given files, for `new pulumi.asset.FileArchive(dir)`. */
export function codeDir(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-code-"));
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), content);
  }
  return dir;
}
