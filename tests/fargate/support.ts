// Shared pieces of the ProtectedFargateTask tests: a simulator per file, Console args for it, and a Console that
// answers something unprotected (a proxy that drops the sidecar from the simulator's real answer).
import * as http from "http";
import type { AddressInfo } from "net";
import * as YAML from "yaml";
import { forgetConsoles } from "../../provider/core/console/client";
import { ConsoleArgs } from "../../provider/core/types";
import { ConsoleSimulator, startConsoleSimulator } from "../../provider/simulator";

/** Short retry bounds, so the fault table runs in seconds (read by the client from the environment). */
export const FAST_RETRIES = JSON.stringify({
  maxAttempts: 3,
  baseDelayMs: 20,
  maxDelayMs: 100,
  maxRetryAfterMs: 2000,
  deadlineMs: 10_000,
});

export const WEB = {
  name: "web",
  image: "nginx:1.27",
  entryPoint: ["/docker-entrypoint.sh"],
  command: ["nginx", "-g", "daemon off;"],
  essential: true,
  portMappings: [{ containerPort: 80, protocol: "tcp" }],
  environment: [{ name: "MODE", value: "production" }],
};
export const LOG_ROUTER = {
  name: "log_router",
  image: "public.ecr.aws/aws-observability/aws-for-fluent-bit:stable",
  entryPoint: ["/entrypoint.sh"],
  firelensConfiguration: { type: "fluentbit" },
  essential: true,
};
export const CONTAINERS = JSON.stringify([WEB, LOG_ROUTER]);

/** A simulator for this test file, fresh clients per test, and fast retries. */
export function useSimulator(): { sim: () => ConsoleSimulator; console: () => ConsoleArgs } {
  let sim: ConsoleSimulator;
  beforeAll(async () => {
    process.env.PRISMA_DEFENDER_RETRY_OPTIONS = FAST_RETRIES;
    sim = await startConsoleSimulator({ seed: "fargate-tests" });
  });
  afterAll(async () => {
    delete process.env.PRISMA_DEFENDER_RETRY_OPTIONS;
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
    // Each test talks to the Console itself, not to a previous test's memoised answer.
    forgetConsoles();
  });
  return {
    sim: () => sim,
    console: () => ({
      url: sim.url,
      username: sim.credentials.username,
      password: sim.credentials.password,
      caCertificate: sim.caCertificate,
      requestTimeoutSeconds: 2,
    }),
  };
}

/** `value` with every container named TwistlockDefender (in either key spelling) removed. */
function withoutSidecar(value: unknown): unknown {
  if (Array.isArray(value)) {
    return value
      .filter(
        (v) =>
          !(
            v &&
            typeof v === "object" &&
            ((v as any).name ?? (v as any).Name) === "TwistlockDefender"
          ),
      )
      .map(withoutSidecar);
  }
  if (value && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, withoutSidecar(v)]));
  }
  return value;
}

/**
 * A Console that answers fargate.json and fargate.yaml with the simulator's real answer minus the TwistlockDefender sidecar: what a
 * broken or tampered Console (or proxy) could send. Everything else is passed through unchanged. Plain HTTP, in
 * front of a plain-HTTP simulator.
 */
export async function startSidecarDroppingConsole(): Promise<{
  sim: ConsoleSimulator;
  url: string;
  close: () => Promise<void>;
}> {
  const sim = await startConsoleSimulator({ https: false, seed: "fargate-tests" });
  const target = new URL(sim.url);
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const upstream = http.request(
        {
          host: target.hostname,
          port: target.port,
          path: req.url,
          method: req.method,
          headers: req.headers,
        },
        (answer) => {
          const body: Buffer[] = [];
          answer.on("data", (c: Buffer) => body.push(c));
          answer.on("end", () => {
            let text = Buffer.concat(body);
            if (req.url?.includes("/defenders/fargate.") && answer.statusCode === 200) {
              const yaml = req.url.includes("fargate.yaml");
              const parsed = yaml
                ? YAML.parse(text.toString("utf8"))
                : JSON.parse(text.toString("utf8"));
              const rest = withoutSidecar(parsed);
              text = Buffer.from(yaml ? YAML.stringify(rest) : JSON.stringify(rest));
            }
            const headers = { ...answer.headers, "content-length": String(text.length) };
            res.writeHead(answer.statusCode ?? 502, headers);
            res.end(text);
          });
        },
      );
      upstream.end(Buffer.concat(chunks));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    sim,
    url: `http://127.0.0.1:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await sim.close();
    },
  };
}
