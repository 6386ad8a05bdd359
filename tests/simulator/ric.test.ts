// The Node layer under AWS's own runtime interface clients (aws-lambda-ric v4 = nodejs24.x, v3 = nodejs18-22.x),
// against a minimal Lambda Runtime API on 127.0.0.1 (https://docs.aws.amazon.com/lambda/latest/dg/runtimes-api.html).
import { spawn } from "child_process";
import * as fs from "fs";
import * as http from "http";
import type { AddressInfo } from "net";
import * as path from "path";
import { startConsoleSimulator } from "../../provider/simulator";
import { RIC } from "../lambda/ric";
import { call, extractZip, login, tempDir } from "./helpers";

const RICS = {
  "aws-lambda-ric (v4)": RIC.v4,
  "aws-lambda-ric-v3": RIC.v3,
};

/** Serves one invocation of `event`, resolves with what the runtime posted back, then stops the client. */
function invokeOnce(entry: string, env: Record<string, string>, event: unknown) {
  return new Promise<{ url: string; body: string; output: string }>((resolve, reject) => {
    let served = false;
    let output = "";
    let posted: { url: string; body: string } | undefined;
    const server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (c) => (body += c));
      req.on("end", () => {
        if (req.url!.endsWith("/invocation/next")) {
          if (served) return; // keep the second poll waiting until we stop
          served = true;
          res.writeHead(200, {
            "Content-Type": "application/json",
            "Lambda-Runtime-Aws-Request-Id": "req-1",
            "Lambda-Runtime-Deadline-Ms": String(Date.now() + 30_000),
            "Lambda-Runtime-Invoked-Function-Arn":
              "arn:aws:lambda:us-east-1:111122223333:function:demo",
          });
          return void res.end(JSON.stringify(event));
        }
        res.end();
        posted = { url: req.url!, body };
        child.kill();
        server.close();
        server.closeAllConnections();
      });
    });
    let child: ReturnType<typeof spawn>;
    server.listen(0, "127.0.0.1", () => {
      const port = (server.address() as AddressInfo).port;
      child = spawn(process.execPath, [entry, env._HANDLER], {
        cwd: env.LAMBDA_TASK_ROOT,
        env: { ...env, PATH: process.env.PATH!, AWS_LAMBDA_RUNTIME_API: `127.0.0.1:${port}` },
      });
      // The runtime writes console output to stdout or stderr depending on its version: keep both.
      child.stderr!.on("data", (d) => (output += d));
      child.stdout!.on("data", (d) => (output += d));
      child.on("close", (code) => {
        if (posted) resolve({ ...posted, output });
        else reject(new Error(`runtime client exited ${code}: ${output}`));
      });
    });
  });
}

describe("console simulator: Node layer under the real Lambda runtime clients", () => {
  it.each(Object.entries(RICS))(
    "%s finds twistlock.handler on NODE_PATH and returns the original's result",
    async (_name, entry) => {
      const sim = await startConsoleSimulator({ https: false });
      try {
        const zip = await call(sim, "/api/v34.04/images/twistlock_defender_layer.zip", {
          body: { provider: "aws", runtime: "nodejs22.x" },
          token: await login(sim),
        });
        const layer = await extractZip(zip.body);
        const root = tempDir("twsim-task-");
        fs.writeFileSync(
          path.join(root, "index.mjs"),
          "export const handler = async (event, context) => ({ got: event.x, fn: context.functionName, sim: process.env.TW_DEFENDER_SIMULATED });\n",
        );
        const result = await invokeOnce(
          entry,
          {
            _HANDLER: "twistlock.handler",
            LAMBDA_TASK_ROOT: root,
            NODE_PATH: path.join(layer, "nodejs/node_modules"),
            AWS_LAMBDA_FUNCTION_NAME: "demo",
            AWS_LAMBDA_FUNCTION_VERSION: "$LATEST",
            AWS_LAMBDA_FUNCTION_MEMORY_SIZE: "128",
            AWS_LAMBDA_LOG_GROUP_NAME: "/aws/lambda/demo",
            AWS_LAMBDA_LOG_STREAM_NAME: "test",
            ORIGINAL_HANDLER: "index.handler",
            TW_POLICY: "policy",
          },
          { x: 7 },
        );
        expect(result.url).toBe("/2018-06-01/runtime/invocation/req-1/response");
        expect(JSON.parse(result.body)).toEqual({ got: 7, fn: "demo", sim: "layer" });
        expect(result.output).toContain(
          "twistlock-defender(simulated): layer invoke index.handler #1",
        );
      } finally {
        await sim.close();
      }
    },
  );
});
