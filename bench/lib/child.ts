// Each measured thing runs in a fresh Node process, so that memory, module caches and the client's per-process
// memo start from zero. The child prints one `BENCH_RESULT <json>` line; the parent times the whole process.
import { spawn } from "node:child_process";
import * as path from "node:path";

const MARKER = "BENCH_RESULT ";

/** How a child reaches the simulator the parent started (the parent keeps the request log). */
export interface ConsoleEnv {
  url: string;
  caCertificate: string;
  username: string;
  password: string;
}

export interface ChildRun<T> {
  result: T;
  /** Spawn to exit, in ms. */
  wallMs: number;
}

/** Run `bench/children/<script>` under tsx with `console` in BENCH_CONSOLE; reject with its stderr on failure. */
export function runChild<T>(
  script: string,
  options: {
    console?: ConsoleEnv;
    input?: unknown;
    env?: Record<string, string>;
    exposeGc?: boolean;
  } = {},
): Promise<ChildRun<T>> {
  const file = path.join(__dirname, "..", "children", script);
  // BENCH_CPU_PROF=<dir>: every child writes a V8 CPU profile there (summarise with bench/cpuprofile.ts).
  const prof = process.env.BENCH_CPU_PROF;
  const flags = [
    ...(options.exposeGc ? ["--expose-gc"] : []),
    ...(prof ? ["--cpu-prof", `--cpu-prof-dir=${path.resolve(prof)}`] : []),
    "--import",
    "tsx",
    file,
  ];
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env };
  if (options.console) env.BENCH_CONSOLE = JSON.stringify(options.console);
  if (options.input !== undefined) env.BENCH_INPUT = JSON.stringify(options.input);
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, flags, { env, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => {
      const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
      const line = stdout.split("\n").find((l) => l.startsWith(MARKER));
      if (code !== 0 || !line) {
        const tail = (stderr || stdout).trim().split("\n").slice(-15).join("\n");
        reject(new Error(`${script} exited with ${code}:\n${tail}`));
        return;
      }
      resolve({ result: JSON.parse(line.slice(MARKER.length)) as T, wallMs });
    });
  });
}

/** In a child: print the result for the parent and leave (open handles such as keep-alive sockets must not hang it). */
export function report(result: unknown): void {
  process.stdout.write(`${MARKER}${JSON.stringify(result)}\n`, () => process.exit(0));
}

/** In a child: the simulator connection the parent passed. */
export function consoleEnv(): ConsoleEnv {
  const raw = process.env.BENCH_CONSOLE;
  if (!raw) throw new Error("BENCH_CONSOLE is not set: run this through bench/run.ts");
  return JSON.parse(raw) as ConsoleEnv;
}

/** In a child: the input the parent passed. */
export function childInput<T>(): T {
  return JSON.parse(process.env.BENCH_INPUT ?? "{}") as T;
}

/** In a child: run `main`, report its result, or print the error and exit 1. */
export function runMain(main: () => Promise<unknown>): void {
  main().then(
    (result) => report(result),
    (error: unknown) => {
      console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
      process.exit(1);
    },
  );
}
