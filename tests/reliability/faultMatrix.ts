// The component-level fault matrix: every Console endpoint each component calls, crossed with every fault the
// simulator injects (plus a TLS certificate mismatch per component). Each case either recovers, registering its
// workload protected, or fails with the expected message and registers no unprotected workload; it finishes
// within the client's bounds (the hang guard) and leaks no credential into an error or a console line.
import { startConsoleSimulator } from "../../provider/simulator";
import type { FaultSpec, SimulatorEndpoint } from "../../provider/simulator/types";
import { formatTable } from "../../bench/lib/table";
import { Program } from "./programs";
import { plaintextSecretsIn } from "../helpers/pulumi";
import { Env, RETRY, runProgram, useEnv, withConsoleCapture } from "./support";

const ARCHIVES = new Set<string>([
  "images/twistlock_defender_layer.zip",
  "defenders/serverless/bundle",
  "defenders/app-embedded",
  "images/twistlock_defender_app_embedded.tar.gz",
]);

interface FaultCase {
  fault: string;
  applies: (endpoint: SimulatorEndpoint) => boolean;
  inject: Omit<FaultSpec, "endpoint">[];
  /** `recovered`, or what the error message must say. */
  expect: "recovered" | RegExp;
  /** Lower bound of the time taken (a Retry-After honoured). */
  atLeastMs?: number;
  /** Per-request timeout for this case, in seconds. */
  timeoutSeconds?: number;
}

const all = () => true;
const once = (f: Omit<FaultSpec, "endpoint">) => ({ ...f, times: 1 });

export const FAULTS: FaultCase[] = [
  {
    fault: "latency past the timeout",
    applies: all,
    inject: [once({ kind: "latency", ms: 900 })],
    timeoutSeconds: 0.5,
    expect: "recovered",
  },
  {
    fault: "500, every attempt",
    applies: all,
    inject: [{ kind: "status", status: 500 }],
    expect: /HTTP 500.*gave up after 4 attempts|gave up after 4 attempts.*500/s,
  },
  {
    fault: "502, 503, then success",
    applies: all,
    inject: [once({ kind: "status", status: 502 }), once({ kind: "status", status: 503 })],
    expect: "recovered",
  },
  {
    fault: "429 with Retry-After",
    applies: all,
    inject: [once({ kind: "status", status: 429, retryAfterSeconds: 0.2 })],
    expect: "recovered",
    atLeastMs: 150,
  },
  {
    fault: "connection reset",
    applies: all,
    inject: [once({ kind: "reset" })],
    expect: "recovered",
  },
  {
    fault: "truncated body",
    applies: all,
    inject: [once({ kind: "truncate" })],
    expect: "recovered",
  },
  {
    fault: "malformed JSON",
    applies: all,
    inject: [{ kind: "malformedJson" }],
    // Retried like a body cut short; an archive endpoint answering JSON is the Console's own answer, not retried.
    expect:
      /malformed (JSON|YAML).*gave up after 4 attempts|where a (zip|tar\.gz) archive was expected/s,
  },
  {
    fault: "malformed JSON, once",
    applies: (e) => !ARCHIVES.has(e),
    inject: [once({ kind: "malformedJson" })],
    expect: "recovered",
  },
  {
    fault: "corrupt archive",
    applies: (e) => ARCHIVES.has(e),
    inject: [{ kind: "corruptArchive" }],
    expect: /(zip|tar\.gz) archive is corrupt.*gave up after 4 attempts/s,
  },
  {
    fault: "corrupt archive, once",
    applies: (e) => ARCHIVES.has(e),
    inject: [once({ kind: "corruptArchive" })],
    expect: "recovered",
  },
  {
    fault: "archive data damaged, once",
    applies: (e) => ARCHIVES.has(e),
    inject: [once({ kind: "flipArchiveData" })],
    expect: "recovered",
  },
  {
    fault: "archive data damaged, every attempt",
    applies: (e) => ARCHIVES.has(e),
    inject: [{ kind: "flipArchiveData" }],
    expect: /(zip|tar\.gz) archive is corrupt.*gave up after 4 attempts/s,
  },
  {
    fault: "token expiry mid-run",
    applies: (e) => e !== "authenticate",
    inject: [once({ kind: "expireToken" })],
    expect: "recovered",
  },
];

/** Slowest a case may take: every call of the chain at its deadline would be far more; this catches a hang. */
const HANG_GUARD_MS = RETRY.deadlineMs + 15_000;

/** The error as the table shows it: without Pulumi's "error serializing property" prefixes, on one line. */
function shortMessage(message: string | undefined): string {
  return (message ?? "")
    .replace(/error serializing property "[^"]*": /g, "")
    .replace(/\s+/g, " ")
    .slice(0, 140);
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** Define the matrix for `programs` in this test file, and print its table when the file is done. */
export function faultMatrix(programs: Program[]): void {
  const env: Env = useEnv();
  const rows: (string | number)[][] = [];
  const leaks: string[] = [];
  let otherCa = "";
  beforeAll(async () => {
    const other = await startConsoleSimulator();
    otherCa = other.caCertificate;
    await other.close();
  });
  afterAll(() => {
    const table = formatTable(
      `Fault matrix: ${programs.map((p) => p.name).join(", ")}`,
      [
        "component",
        "endpoint",
        "fault",
        "outcome",
        "ms",
        "workloads (protected/registered)",
        "message",
      ],
      rows,
    );
    process.stdout.write(`${table}\n`);
  });

  const secrets = () => [
    env.sim.credentials.password,
    env.sim.secrets.installBundle,
    env.sim.secrets.marker,
    ...env.sim.tokensIssued(),
  ];
  const record = (
    prog: Program,
    endpoint: string,
    fault: string,
    run: Awaited<ReturnType<typeof runProgram>>,
    lines: string[],
  ) => {
    rows.push([
      prog.name,
      endpoint,
      fault,
      run.errors.length ? "failed" : "recovered",
      run.ms,
      `${run.protectedCount}/${run.workloads.length}`,
      shortMessage(run.errors[0]),
    ]);
    const text = [...run.errors, ...lines].join("\n");
    for (const s of secrets())
      if (s && text.includes(s))
        leaks.push(`${prog.name} ${endpoint} ${fault}: a credential in an error or log line`);
    for (const where of plaintextSecretsIn(env.mocks.resources, secrets()))
      leaks.push(`${prog.name} ${endpoint} ${fault}: a credential in plaintext inputs of ${where}`);
  };

  describe.each(programs.map((p) => [p.name, p] as const))("%s", (_name, prog) => {
    const cases = prog.endpoints.flatMap((endpoint) =>
      FAULTS.filter((f) => f.applies(endpoint)).map((f) => [endpoint, f.fault, f] as const),
    );
    it.each(cases)("%s: %s", async (endpoint, _fault, c) => {
      const { value: run, lines } = await withConsoleCapture(() =>
        runProgram(env, prog, env.console({ requestTimeoutSeconds: c.timeoutSeconds ?? 1 }), () => {
          for (const f of c.inject) env.sim.injectFault({ ...f, endpoint });
        }),
      );
      record(prog, endpoint, c.fault, run, lines);
      expect(run.ms).toBeLessThan(HANG_GUARD_MS);
      expect(run.unprotected).toEqual([]);
      if (c.expect === "recovered") {
        expect(run.errors).toEqual([]);
        expect(run.workloads.length).toBeGreaterThan(0);
        if (c.atLeastMs) expect(run.ms).toBeGreaterThanOrEqual(c.atLeastMs);
      } else {
        expect(run.errors.length).toBeGreaterThan(0);
        expect(run.errors.join("\n")).toMatch(c.expect);
        // The message names the endpoint that failed.
        expect(run.errors.join("\n")).toMatch(new RegExp(`/${escape(endpoint)}\\b`));
      }
    });

    it("TLS certificate mismatch (a CA that did not sign the Console's certificate)", async () => {
      const { value: run, lines } = await withConsoleCapture(() =>
        runProgram(env, prog, env.console({ caCertificate: otherCa })),
      );
      record(prog, "(TLS handshake)", "certificate mismatch", run, lines);
      expect(run.ms).toBeLessThan(HANG_GUARD_MS);
      expect(run.unprotected).toEqual([]);
      expect(run.workloads).toEqual([]);
      expect(run.errors.join("\n")).toMatch(/certificate/i);
      expect(run.errors.join("\n")).toMatch(/caCertificate/);
      // Nothing reached the Console's handlers: the handshake failed first.
      expect(env.sim.requests).toEqual([]);
    });
  });

  it("leaks no credential into an error, a log line or plaintext inputs, in any case above", () => {
    expect(rows.length).toBeGreaterThan(0);
    expect(leaks).toEqual([]);
  });
}
