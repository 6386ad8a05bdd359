// The fault table: every failure the simulator can inject, each either recovered from within the retry bounds
// or reported with the expected error, never hanging; and across the whole table no credential in any error or
// console line. Retry bounds are shortened (support.ts FAST) so the table runs in seconds.
import { ComputeConsole } from "../../provider/core/types";
import { consoleFor, ConsoleClientOptions } from "../../provider/core/console/client";
import { ConsoleError } from "../../provider/core/errors";
import {
  startConsoleSimulator,
  type ConsoleSimulator,
  type FaultSpec,
  type SimulatorEndpoint,
} from "../../provider/simulator";
import {
  captureConsole,
  everything,
  FAST,
  secretsOf,
  settingsFor,
  useFreshCacheAndClients,
} from "./support";

const TASK = {
  family: "web",
  containerDefinitions: [{ name: "app", image: "nginx", entryPoint: ["/docker-entrypoint.sh"] }],
};

type Call = (c: ComputeConsole) => Promise<unknown>;
const CALLS: Record<string, [SimulatorEndpoint, Call]> = {
  installBundle: ["defenders/install-bundle", (c) => c.installBundle("127.0.0.1")],
  fargate: [
    "defenders/fargate.json",
    (c) => c.protectFargateTask(TASK, { consoleAddress: "127.0.0.1" }),
  ],
  encode: [
    "policies/runtime/serverless/encode",
    (c) => c.encodeServerlessPolicy({ consoleAddr: "127.0.0.1", function: "fn", provider: "aws" }),
  ],
  layer: [
    "images/twistlock_defender_layer.zip",
    (c) => c.lambdaLayer({ provider: "aws", runtime: "nodejs22.x" }),
  ],
  tarball: ["images/twistlock_defender_app_embedded.tar.gz", (c) => c.appEmbeddedTarball()],
  version: ["version", (c) => c.consoleVersion()],
};

interface FaultCase {
  name: string;
  call: keyof typeof CALLS;
  /** Faults on the call's own endpoint (the `endpoint` field is filled in). */
  faults: Omit<FaultSpec, "endpoint">[];
  /** Faults on `authenticate`; the table then counts sign-in requests. */
  authFaults?: Omit<FaultSpec, "endpoint">[];
  /** Sign in and read the version first, so only the call's endpoint is counted. */
  warm?: boolean;
  timeoutSeconds?: number;
  options?: ConsoleClientOptions;
  /** Requests the call's endpoint receives. */
  requests: number;
  /** Omitted: the call recovers. */
  error?: { kind: string; status?: number; text: string };
  /** Lower bound of the time taken (a Retry-After honoured). */
  atLeastMs?: number;
}

const always = (f: Omit<FaultSpec, "endpoint">) => f;
const once = (f: Omit<FaultSpec, "endpoint">) => ({ ...f, times: 1 });

const TABLE: FaultCase[] = [
  {
    name: "latency past the timeout, once",
    call: "installBundle",
    warm: true,
    timeoutSeconds: 0.4,
    faults: [once({ kind: "latency", ms: 1500 })],
    requests: 2,
  },
  {
    name: "latency past the timeout, always",
    call: "installBundle",
    warm: true,
    timeoutSeconds: 0.4,
    faults: [always({ kind: "latency", ms: 1500 })],
    requests: 4,
    error: { kind: "timeout", text: "no answer within 0.4s" },
  },
  {
    name: "latency, total deadline first",
    call: "installBundle",
    warm: true,
    timeoutSeconds: 0.4,
    options: { deadlineMs: 1000 },
    faults: [always({ kind: "latency", ms: 1500 })],
    requests: 3,
    error: { kind: "timeout", text: "" },
  },
  {
    name: "500, always",
    call: "fargate",
    warm: true,
    faults: [always({ kind: "status", status: 500 })],
    requests: 4,
    error: { kind: "http", status: 500, text: "gave up after 4 attempts" },
  },
  {
    name: "502 then 503 then success",
    call: "fargate",
    warm: true,
    faults: [once({ kind: "status", status: 502 }), once({ kind: "status", status: 503 })],
    requests: 3,
  },
  {
    name: "501 is not retried",
    call: "fargate",
    warm: true,
    faults: [always({ kind: "status", status: 501 })],
    requests: 1,
    error: { kind: "http", status: 501, text: "HTTP 501" },
  },
  {
    name: "429 with Retry-After: 1",
    call: "encode",
    warm: true,
    faults: [once({ kind: "status", status: 429, retryAfterSeconds: 1 })],
    requests: 2,
    atLeastMs: 900,
  },
  {
    name: "503 with Retry-After: 1",
    call: "fargate",
    warm: true,
    faults: [once({ kind: "status", status: 503, retryAfterSeconds: 1 })],
    requests: 2,
    atLeastMs: 900,
  },
  {
    name: "429 with a Retry-After past the cap",
    call: "encode",
    warm: true,
    faults: [always({ kind: "status", status: 429, retryAfterSeconds: 600 })],
    requests: 1,
    error: {
      kind: "http",
      status: 429,
      text: "the Console asked to wait 600s, longer than this client waits",
    },
  },
  {
    name: "429 without Retry-After, always",
    call: "encode",
    warm: true,
    faults: [always({ kind: "status", status: 429 })],
    requests: 4,
    error: { kind: "http", status: 429, text: "gave up after 4 attempts" },
  },
  {
    name: "403",
    call: "fargate",
    warm: true,
    faults: [always({ kind: "status", status: 403 })],
    requests: 1,
    error: { kind: "http", status: 403, text: "Defender Manager" },
  },
  {
    name: "404",
    call: "installBundle",
    warm: true,
    faults: [always({ kind: "status", status: 404 })],
    requests: 1,
    error: { kind: "http", status: 404, text: "tenant segment" },
  },
  {
    name: "401 that a new sign-in does not cure",
    call: "fargate",
    warm: true,
    faults: [always({ kind: "status", status: 401 })],
    // A fresh sign-in before each attempt; the sign-ins succeed, so the error is not about credentials.
    requests: 4,
    error: {
      kind: "auth",
      status: 401,
      text: "The sign-in succeeded but the Console refused the token",
    },
  },
  {
    name: "connection reset, once",
    call: "fargate",
    warm: true,
    faults: [once({ kind: "reset" })],
    requests: 2,
  },
  {
    name: "connection reset, always",
    call: "fargate",
    warm: true,
    faults: [always({ kind: "reset" })],
    requests: 4,
    error: { kind: "network", text: "ECONNRESET" },
  },
  {
    name: "truncated JSON body, once",
    call: "fargate",
    warm: true,
    faults: [once({ kind: "truncate" })],
    requests: 2,
  },
  {
    name: "truncated JSON body, always",
    call: "fargate",
    warm: true,
    faults: [always({ kind: "truncate" })],
    requests: 4,
    error: { kind: "network", text: "cut short" },
  },
  {
    name: "truncated archive, once",
    call: "layer",
    warm: true,
    faults: [once({ kind: "truncate" })],
    requests: 2,
  },
  {
    name: "truncated archive, always",
    call: "tarball",
    warm: true,
    faults: [always({ kind: "truncate" })],
    requests: 4,
    error: { kind: "network", text: "cut short" },
  },
  {
    name: "malformed JSON",
    call: "fargate",
    warm: true,
    faults: [always({ kind: "malformedJson" })],
    requests: 4,
    error: { kind: "response", text: "malformed JSON" },
  },
  {
    name: "malformed JSON from authenticate",
    call: "version",
    faults: [],
    authFaults: [always({ kind: "malformedJson" })],
    requests: 4,
    error: { kind: "response", text: "malformed JSON" },
  },
  {
    name: "500 from authenticate, always",
    call: "version",
    faults: [],
    authFaults: [always({ kind: "status", status: 500 })],
    requests: 4,
    error: { kind: "http", status: 500, text: "gave up after 4 attempts" },
  },
  {
    name: "503 from authenticate, once",
    call: "version",
    faults: [],
    authFaults: [once({ kind: "status", status: 503 })],
    requests: 2,
  },
  {
    name: "JSON where a zip was expected",
    call: "layer",
    warm: true,
    faults: [always({ kind: "malformedJson" })],
    requests: 1,
    error: { kind: "response", text: "where a zip archive was expected" },
  },
  {
    name: "corrupt zip",
    call: "layer",
    warm: true,
    faults: [always({ kind: "corruptArchive" })],
    requests: 4,
    error: { kind: "response", text: "zip archive is corrupt" },
  },
  {
    name: "corrupt tar.gz",
    call: "tarball",
    warm: true,
    faults: [always({ kind: "corruptArchive" })],
    requests: 4,
    error: { kind: "response", text: "tar.gz archive is corrupt" },
  },
  {
    name: "token expiry mid-run",
    call: "fargate",
    warm: true,
    faults: [once({ kind: "expireToken" })],
    requests: 2,
  },
];

const measured: string[] = [];
const seenErrors: unknown[] = [];
let logs: ReturnType<typeof captureConsole>;
let sim: ConsoleSimulator;
let policy = "";

useFreshCacheAndClients();
beforeAll(async () => {
  logs = captureConsole();
  sim = await startConsoleSimulator();
  policy = (await CALLS.encode[1](consoleFor(settingsFor(sim), FAST))) as string;
});
afterAll(async () => {
  logs.restore();
  await sim.close();
  process.stdout.write(`\nfault table (case | outcome | requests | ms):\n${measured.join("\n")}\n`);
});

describe.each(TABLE)("fault: $name", (fault) => {
  it(fault.error ? `fails with a ${fault.error.kind} error` : "recovers", async () => {
    const [endpoint, call] = CALLS[fault.call];
    sim.reset();
    const c = consoleFor(settingsFor(sim, { requestTimeoutSeconds: fault.timeoutSeconds ?? 5 }), {
      ...FAST,
      ...fault.options,
    });
    if (fault.warm) await c.consoleVersion();
    for (const f of fault.authFaults ?? []) sim.injectFault({ ...f, endpoint: "authenticate" });
    for (const f of fault.faults) sim.injectFault({ ...f, endpoint });
    const started = Date.now();
    const outcome = await call(c).then(
      () => undefined,
      (e: unknown) => e,
    );
    const ms = Date.now() - started;
    const received = sim.requestsTo(fault.authFaults ? "authenticate" : endpoint).length;
    measured.push(
      `${fault.name} | ${outcome ? `${(outcome as ConsoleError).kind}: ${(outcome as Error).message}` : "recovered"} | ${received} | ${ms}`,
    );
    if (outcome) seenErrors.push(outcome);
    if (fault.error) {
      expect(outcome).toBeInstanceOf(ConsoleError);
      expect(outcome).toMatchObject({ kind: fault.error.kind });
      if (fault.error.status) expect((outcome as ConsoleError).status).toBe(fault.error.status);
      expect((outcome as Error).message).toContain(fault.error.text);
    } else {
      expect(outcome).toBeUndefined();
    }
    if (fault.name !== "latency, total deadline first") expect(received).toBe(fault.requests);
    else expect(received).toBeLessThan(4);
    if (fault.atLeastMs) expect(ms).toBeGreaterThanOrEqual(fault.atLeastMs);
    sim.clearFaults();
  });
});

describe("TLS mismatch", () => {
  it("fails at once with the TLS hint", async () => {
    const other = await startConsoleSimulator();
    try {
      const c = consoleFor(settingsFor(sim, { caCertificate: other.caCertificate }), FAST);
      const e = await c.consoleVersion().catch((err: unknown) => err);
      seenErrors.push(e);
      measured.push(`TLS mismatch | ${(e as ConsoleError).kind}: ${(e as Error).message} | 0 | -`);
      expect(e).toMatchObject({ kind: "tls" });
    } finally {
      await other.close();
    }
  });
});

describe("across the whole table", () => {
  it("no credential appears in any error, cause, stack or console line", () => {
    expect(seenErrors.length).toBeGreaterThan(15);
    const secrets = secretsOf(sim, [policy]);
    expect(secrets.length).toBeGreaterThanOrEqual(5);
    const text = [...seenErrors.map(everything), ...logs.lines].join("\n");
    for (const secret of secrets) expect(text).not.toContain(secret);
  });
});
