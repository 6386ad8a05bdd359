// Measures how long the plugin takes from a cold process start until it answers GetSchema over gRPC, the first
// thing the Pulumi engine asks a provider, for the two ways of shipping a TypeScript component provider:
//
//   source       package.json `main` = provider/index.ts: run-plugin type-checks the sources with ts-node, finds the
//                exported components and runs the schema analyzer (Pulumi's default "components from source" path)
//   precomputed  package.json `main` = dist/plugin/index.js: the compiled entry (what this package ships), which
//                serves the committed sdk/schema.json
//
// Each mode runs in a throw-away copy of the plugin directory (provider/ or the built dist/, sdk/, tsconfig.json,
// package.json with that `main`; node_modules linked), started exactly as pulumi-language-nodejs starts a plugin:
// `node node_modules/@pulumi/pulumi/cmd/run-plugin <plugin dir>` with the plugin directory as working directory.
//
//   npx tsx scripts/measure-plugin-start.ts [--runs 3] [--mode source|precomputed]
import { ChildProcessWithoutNullStreams, spawn } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";

const REPO_ROOT = path.resolve(__dirname, "..");

export type PluginStartMode = "source" | "precomputed";

export const MAIN_FOR_MODE: Record<PluginStartMode, string> = {
  source: "provider/index.ts",
  precomputed: "dist/plugin/index.js",
};

export interface PluginStartSample {
  mode: PluginStartMode;
  /** ms from spawn until the plugin printed its gRPC port. */
  listenMs: number;
  /** ms from spawn until GetSchema returned. */
  schemaMs: number;
  /** Whether TMPDIR was a new, empty directory. */
  coldTranspileCache: boolean;
  /** Component tokens in the returned schema. */
  resources: string[];
}

export interface MeasureOptions {
  mode: PluginStartMode;
  /** Repository to measure (default: this one). */
  repo?: string;
  /** Start with an empty temporary directory (TMPDIR pointed at a new one). Default true. */
  coldTranspileCache?: boolean;
  /** Give up after this many ms (default 120 000). */
  timeoutMs?: number;
}

/** Builds a plugin directory whose package.json `main` selects the mode. The caller removes it. */
export function preparePluginDir(mode: PluginStartMode, repo = REPO_ROOT): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), `plugin-start-${mode}-`));
  const pkg = JSON.parse(fs.readFileSync(path.join(repo, "package.json"), "utf8"));
  pkg.main = MAIN_FOR_MODE[mode];
  // The analyzer prefers `exports["."]`; in `source` mode the entry must be the TypeScript sources.
  if (mode === "source") delete pkg.exports;
  fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify(pkg, null, 2));
  fs.copyFileSync(path.join(repo, "tsconfig.json"), path.join(dir, "tsconfig.json"));
  // `precomputed` runs the compiled package (`npm run build`), `source` the TypeScript sources.
  const code = mode === "precomputed" ? "dist" : "provider";
  if (!fs.existsSync(path.join(repo, code))) {
    throw new Error(`${path.join(repo, code)} is missing: run \`npm run build\` first`);
  }
  fs.cpSync(path.join(repo, code), path.join(dir, code), { recursive: true });
  fs.cpSync(path.join(repo, "sdk"), path.join(dir, "sdk"), { recursive: true });
  fs.symlinkSync(path.join(repo, "node_modules"), path.join(dir, "node_modules"), "dir");
  return dir;
}

/** A plugin process started as the language host starts it, listening on `port`. Stop it with `child.kill()`. */
export interface RunningPlugin {
  child: ChildProcessWithoutNullStreams;
  port: number;
  /** ms from spawn until the port was printed. */
  listenMs: number;
  /** Everything the plugin wrote to stderr so far. */
  stderr(): string;
}

/**
 * Starts the plugin in `dir` with run-plugin, as pulumi-language-nodejs does (`args`: the engine address, if any),
 * and resolves once it printed its port.
 */
export function startPlugin(
  dir: string,
  options: { args?: string[]; env?: NodeJS.ProcessEnv; repo?: string; timeoutMs?: number } = {},
): Promise<RunningPlugin> {
  const repo = options.repo ?? REPO_ROOT;
  const runPlugin = path.join(repo, "node_modules/@pulumi/pulumi/cmd/run-plugin");
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, [runPlugin, dir, ...(options.args ?? [])], {
    cwd: dir,
    env: options.env ?? process.env,
    stdio: ["pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const timeoutMs = options.timeoutMs ?? 120_000;
  return new Promise<RunningPlugin>((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => {
      child.kill();
      reject(new Error(`no port after ${timeoutMs} ms:\n${stderr}`));
    }, timeoutMs);
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`plugin exited with ${code} before listening:\n${stderr}`));
    };
    child.on("exit", onExit);
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        child.off("exit", onExit);
        const listenMs = Number(process.hrtime.bigint() - start) / 1e6;
        resolve({ child, port: Number(m[1]), listenMs, stderr: () => stderr });
      }
    });
  });
}

/** The generated gRPC client modules, loaded from the repository's own @pulumi/pulumi. */
export function providerRpc(repo = REPO_ROOT) {
  const proto = path.join(repo, "node_modules/@pulumi/pulumi/proto");
  /* eslint-disable @typescript-eslint/no-require-imports */
  const rpc = require(path.join(proto, "provider_grpc_pb"));
  const pb = require(path.join(proto, "provider_pb"));
  // The grpc-js instance the generated client was built against.
  const grpc = require(require.resolve("@grpc/grpc-js", { paths: [proto] }));
  /* eslint-enable @typescript-eslint/no-require-imports */
  return { rpc, pb, grpc };
}

/** One cold start: spawn, wait for the port, call ResourceProvider.GetSchema, stop the plugin. */
export async function measurePluginStart(options: MeasureOptions): Promise<PluginStartSample> {
  const repo = options.repo ?? REPO_ROOT;
  const cold = options.coldTranspileCache ?? true;
  const dir = preparePluginDir(options.mode, repo);
  const tmp = cold ? fs.mkdtempSync(path.join(os.tmpdir(), "plugin-start-tmp-")) : undefined;
  // Load the gRPC client before the clock starts: it is the engine's side, not the plugin's.
  const { rpc, pb, grpc } = providerRpc(repo);
  const start = process.hrtime.bigint();
  let plugin: RunningPlugin | undefined;
  try {
    plugin = await startPlugin(dir, {
      repo,
      env: { ...process.env, ...(tmp ? { TMPDIR: tmp } : {}) },
      timeoutMs: options.timeoutMs,
    });
    const client = new rpc.ResourceProviderClient(
      `127.0.0.1:${plugin.port}`,
      grpc.credentials.createInsecure(),
    );
    const schemaText = await new Promise<string>((resolve, reject) => {
      client.getSchema(new pb.GetSchemaRequest(), (err: Error | null, res: any) =>
        err ? reject(err) : resolve(res.getSchema()),
      );
    });
    const schemaMs = Number(process.hrtime.bigint() - start) / 1e6;
    client.close();
    const resources = Object.keys(JSON.parse(schemaText).resources ?? {}).sort();
    return {
      mode: options.mode,
      listenMs: plugin.listenMs,
      schemaMs,
      coldTranspileCache: cold,
      resources,
    };
  } finally {
    plugin?.child.kill();
    fs.rmSync(dir, { recursive: true, force: true });
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

function argValue(argv: string[], flag: string): string | undefined {
  const i = argv.indexOf(flag);
  return i >= 0 ? argv[i + 1] : undefined;
}

async function main(argv: string[]): Promise<void> {
  const runs = Number(argValue(argv, "--runs") ?? "3");
  const only = argValue(argv, "--mode") as PluginStartMode | undefined;
  const modes: PluginStartMode[] = only ? [only] : ["source", "precomputed"];
  console.log(
    `node ${process.version}, ${os.cpus().length} CPUs, load ${os.loadavg()[0].toFixed(2)}`,
  );
  for (const mode of modes) {
    for (const cold of mode === "precomputed" ? [true, false] : [true]) {
      for (let i = 0; i < runs; i++) {
        const load = os.loadavg()[0].toFixed(1);
        const s = await measurePluginStart({ mode, coldTranspileCache: cold });
        const cache = mode === "precomputed" ? (cold ? " (empty TMPDIR)" : " (warm TMPDIR)") : "";
        console.log(
          `${mode}${cache}: port after ${(s.listenMs / 1000).toFixed(2)} s, schema after ${(s.schemaMs / 1000).toFixed(2)} s (${s.resources.length} components, load ${load})`,
        );
      }
    }
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err);
    process.exit(1);
  });
}
