// Benchmark 3 baseline (child): the same stack protected the way the public scripts do it, with the raw HTTP
// calls they make with curl (axios here, TLS unverified as their `curl -k`), against the same simulator.
//   Lambda (PaloAltoNetworks/pcs-cwp-lambda-defender-tf, one module instance per function, data "external"):
//     download-layer.sh: POST /api/v1/authenticate, POST /api/v1/images/twistlock_defender_layer.zip
//     tw-policy.sh:      POST /api/v1/authenticate, POST /api/v1/policies/runtime/serverless/encode
//   Fargate (prisma-cloud-compute-sample-code deployment/fargate/fargateProtect.sh, once per task):
//     POST /api/v1/authenticate, POST /api/v1/defenders/fargate.json
//   Image (prisma-cloud-compute-sample-code deployment/app-embedded/protect.sh, once per image):
//     POST /api/v1/authenticate, POST /api/v1/defenders/app-embedded
// The two samples also read and rewrite settings/proxy around the call (3 requests); those are not made here, so
// the baseline's count is a lower bound. Terraform runs data sources 10 at a time (its default parallelism).
import axios from "axios";
import * as https from "node:https";
import pLimit from "p-limit";
import { childInput, consoleEnv, runMain } from "../lib/child";
import { stackShape } from "../lib/stack";

interface Input {
  functions: number;
  tasks: number;
  images: number;
}

async function main() {
  const { functions, tasks, images } = childInput<Input>();
  const conn = consoleEnv();
  const shape = stackShape(functions, tasks, images);
  const san = new URL(conn.url).hostname;
  const http = axios.create({
    baseURL: `${conn.url}/api/v1`,
    httpsAgent: new https.Agent({ rejectUnauthorized: false }),
    headers: { "Content-Type": "application/json" },
    validateStatus: (s) => s === 200,
  });
  const authenticate = async (): Promise<string> =>
    (await http.post("/authenticate", { username: conn.username, password: conn.password })).data
      .token;
  const bearer = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
  const binary = { responseType: "arraybuffer" as const };

  const limit = pLimit(10);
  const jobs: Promise<unknown>[] = [];
  for (const fn of shape.functions) {
    jobs.push(
      limit(async () => {
        const token = await authenticate();
        const body = {
          runtime: fn.family,
          provider: "aws",
          ...(fn.family === "nodejs" ? { nodeJSModuleType: "commonjs" } : {}),
        };
        await http.post("/images/twistlock_defender_layer.zip", body, {
          ...bearer(token),
          ...binary,
        });
      }),
      limit(async () => {
        const token = await authenticate();
        const body = { consoleAddr: san, function: fn.name, provider: "aws" };
        await http.post("/policies/runtime/serverless/encode", body, bearer(token));
      }),
    );
  }
  for (const task of shape.tasks) {
    jobs.push(
      limit(async () => {
        const token = await authenticate();
        await http.post(
          `/defenders/fargate.json?consoleaddr=${san}&defenderType=appEmbedded`,
          task,
          bearer(token),
        );
      }),
    );
  }
  for (const image of shape.images) {
    jobs.push(
      limit(async () => {
        const token = await authenticate();
        const body = {
          appID: image.appId,
          dataFolder: "/data",
          consoleAddr: san,
          dockerfile: image.dockerfile,
        };
        await http.post("/defenders/app-embedded", body, { ...bearer(token), ...binary });
      }),
    );
  }
  await Promise.all(jobs);
  return { jobs: jobs.length };
}

runMain(main);
