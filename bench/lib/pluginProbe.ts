// Cold start of the component plugin the way the engine starts it: `node run-plugin <dir>` prints the port of its
// gRPC server, then we ask GetSchema, the first call the engine makes. Used when scripts/measure-plugin-start.ts
// (the plugin's own measurement) is absent.
import * as grpc from "@grpc/grpc-js";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface PluginStart {
  /** Spawn until the port was printed (the server listens). */
  listeningMs: number;
  /** Spawn until GetSchema answered. */
  answeredMs: number;
  schemaBytes: number;
}

const ROOT = path.join(__dirname, "..", "..");

/**
 * The least any Node.js component plugin does: run-plugin loads it, and it serves an empty schema through
 * `@pulumi/pulumi/provider`'s server. Its start is the floor under every plugin's start, ours included.
 */
export function floorPluginDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-floor-plugin-"));
  const server = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "provider");
  fs.writeFileSync(
    path.join(dir, "package.json"),
    JSON.stringify({ name: "floor", main: "index.js" }),
  );
  fs.writeFileSync(
    path.join(dir, "index.js"),
    `module.exports = require(${JSON.stringify(server)}).main(` +
      `{ version: "0.0.0", getSchema: async () => "{}" }, process.argv.slice(2));\n`,
  );
  return dir;
}

/** Starts the plugin in `dir` (this repository by default) with run-plugin and asks GetSchema. */
export function probePluginStart(timeoutMs = 180_000, dir = ROOT): Promise<PluginStart> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const rpc = require("@pulumi/pulumi/proto/provider_grpc_pb");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const pb = require("@pulumi/pulumi/proto/provider_pb");
  const runPlugin = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-plugin");
  const started = process.hrtime.bigint();
  const since = () => Number(process.hrtime.bigint() - started) / 1e6;
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [runPlugin, dir], {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    let done = false;
    const finish = (error: Error | undefined, value?: PluginStart) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      child.kill("SIGTERM");
      if (error) reject(error);
      else resolve(value!);
    };
    const timer = setTimeout(
      () =>
        finish(
          new Error(`plugin did not answer within ${timeoutMs} ms: ${err.trim().slice(-500)}`),
        ),
      timeoutMs,
    );
    child.stderr.on("data", (d: Buffer) => (err += d.toString()));
    child.on("exit", (code) =>
      finish(new Error(`plugin exited with ${code}: ${err.trim().slice(-500)}`)),
    );
    child.stdout.on("data", (d: Buffer) => {
      out += d.toString();
      const match = /^(\d+)\s*$/m.exec(out);
      if (!match || done) return;
      const listeningMs = since();
      const client = new rpc.ResourceProviderClient(
        `127.0.0.1:${match[1]}`,
        grpc.credentials.createInsecure(),
      );
      client.getSchema(
        new pb.GetSchemaRequest(),
        (e: Error | null, res: { getSchema(): string }) => {
          client.close();
          if (e) finish(new Error(`GetSchema failed: ${e.message}`));
          else
            finish(undefined, {
              listeningMs,
              answeredMs: since(),
              schemaBytes: res.getSchema().length,
            });
        },
      );
    });
  });
}

/** Spawn-to-exit of `node -e "require('@pulumi/aws')"`, the reference the goal is relative to. */
export function requireAwsMs(): Promise<number> {
  const started = process.hrtime.bigint();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["-e", "require('@pulumi/aws')"], {
      cwd: ROOT,
      stdio: "ignore",
    });
    child.on("error", reject);
    child.on("exit", (code) =>
      code === 0
        ? resolve(Number(process.hrtime.bigint() - started) / 1e6)
        : reject(new Error(`require('@pulumi/aws') exited with ${code}`)),
    );
  });
}
