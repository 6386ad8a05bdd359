// Runs a Lambda handler in AWS's own Node.js runtime interface client against a tiny Runtime API on 127.0.0.1
// (https://github.com/aws/aws-lambda-nodejs-runtime-interface-client,
// https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html). One invocation, then the client is stopped.
import { ChildProcess, spawn } from "child_process";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";

/** Where scripts/setup.sh installs the clients (tests/clients/package.json): apart from the package's own deps. */
const CLIENTS = path.resolve(__dirname, "..", "clients", "node_modules");
export const RIC = {
  /** nodejs18.x-22.x behaviour. */
  v3: path.join(CLIENTS, "aws-lambda-ric-v3/bin/index.mjs"),
  /** nodejs24.x behaviour: refuses callback handlers at load. */
  v4: path.join(CLIENTS, "aws-lambda-ric/index.mjs"),
};

export interface RicResult {
  kind: "response" | "error" | "initError";
  body: any;
  stderr: string;
}

export interface RicRun {
  ric: keyof typeof RIC;
  taskRoot: string;
  handler: string;
  event: unknown;
  env: Record<string, string>;
}

export async function invokeWithRic(run: RicRun): Promise<RicResult> {
  let served = false;
  let child: ChildProcess | undefined;
  let stderr = "";
  const held: http.ServerResponse[] = [];
  let settle!: (r: RicResult) => void;
  const result = new Promise<RicResult>((resolve) => (settle = resolve));
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      const url = req.url ?? "";
      const text = Buffer.concat(chunks).toString("utf8");
      const body = text ? safeJson(text) : undefined;
      if (req.method === "GET" && url.endsWith("/runtime/invocation/next")) {
        if (served) {
          held.push(res); // the next invocation never comes
          return;
        }
        served = true;
        res.writeHead(200, {
          "Content-Type": "application/json",
          "Lambda-Runtime-Aws-Request-Id": "req-1",
          "Lambda-Runtime-Deadline-Ms": String(Date.now() + 60_000),
          "Lambda-Runtime-Invoked-Function-Arn":
            "arn:aws:lambda:us-east-1:123456789012:function:demo",
          "Lambda-Runtime-Trace-Id":
            "Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1",
        });
        res.end(JSON.stringify(run.event));
        return;
      }
      res.writeHead(202, { "Content-Type": "application/json" });
      res.end('{"status":"OK"}');
      if (url.endsWith("/response")) settle({ kind: "response", body, stderr });
      else if (url.endsWith("/init/error")) settle({ kind: "initError", body, stderr });
      else if (url.endsWith("/error")) settle({ kind: "error", body, stderr });
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as AddressInfo).port;
  const guard = setTimeout(
    () =>
      settle({
        kind: "error",
        body: { errorMessage: "no answer from the runtime client" },
        stderr,
      }),
    45_000,
  );
  try {
    child = spawn(process.execPath, [RIC[run.ric], run.handler], {
      cwd: run.taskRoot,
      env: {
        PATH: process.env.PATH ?? "",
        _HANDLER: run.handler,
        LAMBDA_TASK_ROOT: run.taskRoot,
        AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}`,
        AWS_LAMBDA_FUNCTION_NAME: "demo",
        AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
        AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
        AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/demo",
        AWS_LAMBDA_LOG_STREAM_NAME: "test",
        ...run.env,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr!.on("data", (d) => (stderr += d.toString()));
    child.stdout!.on("data", (d) => (stderr += d.toString()));
    child.on("exit", (code) =>
      settle({
        kind: "error",
        body: { errorMessage: `runtime client exited with ${code}` },
        stderr,
      }),
    );
    const closed = new Promise((r) => child!.once("close", r));
    const r = await result;
    // Stop the client (it would poll forever), then read what it wrote up to then.
    child.kill("SIGKILL");
    await closed;
    return { ...r, stderr };
  } finally {
    clearTimeout(guard);
    if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
    for (const res of held) res.destroy();
    server.closeAllConnections();
    await new Promise((r) => server.close(() => r(undefined)));
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}
