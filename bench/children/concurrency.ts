// Benchmark 2 (child): 100 concurrent identical requests, each through its own `consoleFor(...)` call with an
// equal (not the same) settings object, as 100 components in one program would make them. The parent counts the
// requests the simulator received.
import { consoleFor } from "../../provider/core/console/client";
import { childInput, consoleEnv, runMain } from "../lib/child";
import type { ComputeConsole, ResolvedConsoleSettings } from "../../provider/core/types";

interface Input {
  cacheDir: string;
  concurrency: number;
}

/** The identical requests measured, one kind at a time (the parent resets the simulator's log between kinds). */
const KINDS: Record<string, (c: ComputeConsole) => Promise<unknown>> = {
  "defenders/serverless/bundle": (c) => c.serverlessBundle({ provider: "aws", runtime: "nodejs" }),
  "images/twistlock_defender_layer.zip": (c) =>
    c.lambdaLayer({ provider: "aws", runtime: "python", nodeJSModuleType: undefined }),
  "policies/runtime/serverless/encode": (c) =>
    c.encodeServerlessPolicy({
      consoleAddr: "127.0.0.1",
      function: "orders",
      provider: "aws",
      region: "eu-west-1",
    }),
  "defenders/fargate.json": (c) =>
    c.protectFargateTask(
      {
        family: "web",
        containerDefinitions: [
          { name: "web", image: "nginx:1.27", entryPoint: ["/docker-entrypoint.sh"] },
        ],
      },
      { consoleAddress: "127.0.0.1" },
    ),
};

async function main() {
  const { cacheDir, concurrency } = childInput<Input>();
  const kind = process.argv[2] ?? process.env.BENCH_KIND ?? "";
  const request = KINDS[kind];
  if (!request) throw new Error(`unknown kind "${kind}"`);
  process.env.PRISMA_DEFENDER_CACHE_DIR = cacheDir;
  const conn = consoleEnv();
  const settings = (): ResolvedConsoleSettings => ({
    url: conn.url,
    username: conn.username,
    password: conn.password,
    caCertificate: conn.caCertificate,
    insecureSkipVerify: false,
    requestTimeoutSeconds: 120,
  });
  const started = Date.now();
  const results = await Promise.all(
    Array.from({ length: concurrency }, () => request(consoleFor(settings()))),
  );
  const distinct = new Set(results.map((r) => JSON.stringify(r))).size;
  return { kind, answered: results.length, distinctAnswers: distinct, ms: Date.now() - started };
}

export const KIND_NAMES = Object.keys(KINDS);

if (require.main === module) runMain(main);
