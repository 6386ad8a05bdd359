// `npm run demo`, the first thing a newcomer runs: every example runs against the Console simulator and the output
// shows the Defender wiring, and never a credential, even when an example fails.
import { startConsoleSimulator } from "../../provider/simulator";
import type { ConsoleSimulator } from "../../provider/simulator";
import { findExamples } from "../../scripts/demo/examples";
import { REPO_ROOT, demoEnvironment, runDemo } from "../../scripts/demo/run";
import * as path from "path";
import { getPulumiComponents } from "@pulumi/pulumi/provider/experimental";
import * as exported from "../../provider";

const components = getPulumiComponents(exported);

let sim: ConsoleSimulator;
beforeAll(async () => {
  sim = await startConsoleSimulator();
});
afterAll(() => sim?.close());

/** Every credential the simulator handed out, and any base64 text in `out` that decodes to one. */
function leakedSecrets(out: string): string[] {
  const secrets = [
    sim.credentials.password,
    sim.secrets.installBundle,
    sim.secrets.marker,
    ...sim.tokensIssued(),
  ].filter((s) => s.length >= 6);
  const found = secrets.filter((s) => out.includes(s)).map((s) => `${s.slice(0, 4)}…`);
  // The Console's registry access token in Defender image names (registry-auth.twistlock.com/tw_<token>/...).
  found.push(
    ...(out.match(/\/tw_[A-Za-z0-9]{8,}\//g) ?? []).map((m) => `registry token ${m.slice(0, 8)}…`),
  );
  // TW_POLICY values are base64 of a document holding the marker; so is INSTALL_BUNDLE.
  for (const blob of out.match(/[A-Za-z0-9+/=_-]{24,}/g) ?? []) {
    const decoded = Buffer.from(blob, "base64").toString("utf8");
    if (decoded.includes(sim.secrets.marker)) found.push(`base64 ${blob.slice(0, 8)}…`);
  }
  return found;
}

async function demo(options: Parameters<typeof runDemo>[0] = {}) {
  let out = "";
  const report = await runDemo({ ...options, simulator: sim, write: (t) => (out += t) });
  return { report, out };
}

it("runs every example and shows each component with its Defender wiring, secrets masked", async () => {
  const { examples } = findExamples(path.join(REPO_ROOT, "examples"));
  expect(examples.length).toBeGreaterThan(0);
  const { report, out } = await demo();
  expect(report.examples.map((e) => e.id)).toEqual(examples.map((e) => e.id));
  for (const e of report.examples) {
    expect({ id: e.id, errors: e.errors }).toEqual({ id: e.id, errors: [] });
    expect(e.resources).toBeGreaterThan(0);
  }
  expect(report.ok).toBe(true);
  // Every component the package exports is in some example's table.
  const shown = components
    .map((c) => c.name)
    .filter((n) => out.includes(`prisma-defender:index:${n} `));
  expect(shown).toEqual(components.map((c) => c.name));
  expect(out).toContain("Defender wiring:");
  expect(leakedSecrets(out)).toEqual([]);
  // The simulator really served the examples.
  expect(sim.requestsTo("authenticate").length).toBeGreaterThan(0);
}, 300_000);

it("fails, naming the problem, when the Console refuses the credentials, and still prints no secret", async () => {
  sim.injectFault({ endpoint: "authenticate", kind: "status", status: 401 });
  try {
    const { report, out } = await demo({ only: ["yaml"] });
    expect(report.ok).toBe(false);
    expect(report.examples.map((e) => [e.id, e.ok])).toEqual([["yaml", false]]);
    expect(out).toMatch(/401/);
    expect(out).toContain("✗ examples/yaml");
    expect(leakedSecrets(out)).toEqual([]);
  } finally {
    sim.clearFaults();
  }
}, 120_000);

it("runs each example without the caller's Console settings, and never through a proxy for loopback", () => {
  const env = demoEnvironment({
    PATH: "/usr/bin",
    PRISMACLOUDCOMPUTE_TOKEN: "a-real-token",
    PRISMACLOUDCOMPUTE_PROJECT: "Central Console",
    HTTPS_PROXY: "http://proxy.example.com:3128",
    NO_PROXY: ".corp.example.com",
  });
  expect(env).toEqual({
    PATH: "/usr/bin",
    HTTPS_PROXY: "http://proxy.example.com:3128",
    NO_PROXY: ".corp.example.com,127.0.0.1,localhost",
    no_proxy: "127.0.0.1,localhost",
  });
});
