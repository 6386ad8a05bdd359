// Shared pieces of the Console client tests: settings for a simulator, short retry bounds, and the leak checks.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { ConsoleClientOptions, forgetConsoles } from "../../provider/core/console/client";
import { ResolvedConsoleSettings } from "../../provider/core/types";
import type { ConsoleSimulator } from "../../provider/simulator";

/** Retry bounds short enough for a fault table that runs in seconds. */
export const FAST: ConsoleClientOptions = {
  maxAttempts: 4,
  baseDelayMs: 20,
  maxDelayMs: 100,
  maxRetryAfterMs: 3000,
  deadlineMs: 15_000,
};

export function settingsFor(
  sim: ConsoleSimulator,
  extra: Partial<ResolvedConsoleSettings> = {},
): ResolvedConsoleSettings {
  return {
    url: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
    caCertificate: sim.caCertificate,
    insecureSkipVerify: false,
    requestTimeoutSeconds: 10,
    ...extra,
  };
}

/** A fresh private cache directory for this test file, and fresh clients for each test. */
export function useFreshCacheAndClients(): { dir: () => string } {
  let dir = "";
  beforeAll(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pd-console-cache-"));
    process.env.PRISMA_DEFENDER_CACHE_DIR = path.join(dir, "cache");
  });
  afterAll(() => {
    delete process.env.PRISMA_DEFENDER_CACHE_DIR;
    fs.rmSync(dir, { recursive: true, force: true });
  });
  beforeEach(() => forgetConsoles());
  return { dir: () => path.join(dir, "cache") };
}

/** Everything a user or a log could see of an error: message, stack, own fields, and the same for each cause. */
export function everything(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e && depth < 10; depth++) {
    const err = e as Error & Record<string, unknown>;
    parts.push(String(err.message), String(err.stack));
    parts.push(JSON.stringify(err, Object.getOwnPropertyNames(err)));
    e = err.cause;
  }
  return parts.join("\n");
}

/** The credentials a simulator knows of, plus any extra values (a TW_POLICY received earlier). */
export function secretsOf(sim: ConsoleSimulator, extra: string[] = []): string[] {
  return [
    sim.credentials.password,
    sim.secrets.installBundle,
    sim.secrets.marker,
    ...sim.tokensIssued(),
    ...extra,
  ].filter((s) => s && s.length >= 4);
}

/** Collects every console line written while the test runs (pulumi.log falls back to console without an engine). */
export function captureConsole(): { lines: string[]; restore: () => void } {
  const lines: string[] = [];
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
    jest.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(args.map(String).join(" "));
    }),
  );
  return { lines, restore: () => spies.forEach((s) => s.mockRestore()) };
}

/** The rejection of `p`, failing the test if it resolves. */
export async function rejectionOf(p: Promise<unknown>): Promise<Error & Record<string, any>> {
  try {
    await p;
  } catch (e) {
    return e as Error & Record<string, any>;
  }
  throw new Error("expected the call to fail");
}
