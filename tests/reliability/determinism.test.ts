// Determinism: every example program (examples/*, TypeScript and YAML), run twice, each time in a fresh process
// with its own empty cache, against the same Console, registers the same resources with identical inputs: same
// URNs, same parents, and byte-identical inputs including secret values and archive contents. Anything else would
// show as a change on every `pulumi up`.
import { fork } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import pLimit from "p-limit";
import { startConsoleSimulator } from "../../provider/simulator";
import type { ConsoleSimulator } from "../../provider/simulator/types";
import type { DemoJob } from "../../scripts/demo/child";
import { findExamples } from "../../scripts/demo/examples";
import { demoConfig, REPO_ROOT } from "../../scripts/demo/run";
import type { DeterminismResult } from "./determinismChild";

const { examples, skipped } = findExamples(path.join(REPO_ROOT, "examples"));
let sim: ConsoleSimulator;
const runs = new Map<string, Promise<DeterminismResult[]>>();

function runOnce(example: (typeof examples)[number]): Promise<DeterminismResult> {
  const cacheDir = fs.mkdtempSync(path.join(os.tmpdir(), "pd-determinism-"));
  const { config, secretKeys } = demoConfig(example, sim);
  const job: DemoJob = {
    dir: example.dir,
    kind: example.kind,
    program: example.program,
    project: example.project,
    stack: "determinism",
    preview: false,
  };
  return new Promise((resolve) => {
    const child = fork(path.join(__dirname, "determinismChild.ts"), [], {
      cwd: example.dir,
      execArgv: ["--require", require.resolve("tsx/cjs")],
      env: {
        ...process.env,
        PULUMI_CONFIG: JSON.stringify(config),
        PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(secretKeys),
        PRISMA_DEFENDER_DEMO_JOB: JSON.stringify(job),
        PRISMA_DEFENDER_CACHE_DIR: cacheDir,
        TSX_TSCONFIG_PATH: path.join(REPO_ROOT, "tsconfig.dev.json"),
      },
      stdio: ["ignore", "pipe", "pipe", "ipc"],
    });
    let text = "";
    child.stdout!.on("data", (d: Buffer) => (text += d.toString()));
    child.stderr!.on("data", (d: Buffer) => (text += d.toString()));
    let result: DeterminismResult | undefined;
    child.on("message", (m) => (result = m as DeterminismResult));
    child.on("exit", (code) => {
      fs.rmSync(cacheDir, { recursive: true, force: true });
      resolve(
        result ?? {
          resources: [],
          errors: [`exited with ${code} before reporting: ${text.slice(-800)}`],
        },
      );
    });
  });
}

beforeAll(async () => {
  sim = await startConsoleSimulator({ seed: "determinism" });
  const limit = pLimit(2);
  for (const e of examples)
    runs.set(e.id, Promise.all([limit(() => runOnce(e)), limit(() => runOnce(e))]));
}, 30_000);
afterAll(async () => {
  await Promise.allSettled([...runs.values()]);
  await sim.close();
});

it("finds the example programs", () => {
  expect(skipped).toEqual([]);
  expect(examples.map((e) => e.id).sort()).toEqual(
    fs
      .readdirSync(path.join(REPO_ROOT, "examples"))
      .filter((d) => fs.existsSync(path.join(REPO_ROOT, "examples", d, "Pulumi.yaml")))
      .sort(),
  );
});

describe.each(examples.map((e) => [e.id] as const))("examples/%s", (id) => {
  it("registers identical resources and inputs when run twice", async () => {
    const [first, second] = await runs.get(id)!;
    expect(first.errors).toEqual([]);
    expect(second.errors).toEqual([]);
    expect(first.resources.length).toBeGreaterThan(1);
    // The comparison covers real content: the workloads' inputs, not just empty registrations.
    expect(first.resources.filter((r) => r.inputs.length > 200).length).toBeGreaterThan(0);
    // Registration order follows Console answers and is not part of what the engine compares: compare by URN.
    const byUrn = (r: DeterminismResult) => new Map(r.resources.map((x) => [x.urn, x]));
    const [a, b] = [byUrn(first), byUrn(second)];
    expect([...b.keys()].sort()).toEqual([...a.keys()].sort());
    expect(a.size).toBe(first.resources.length);
    // Compared one resource at a time, so a difference names the resource.
    for (const [urn, r] of a) {
      expect([urn, b.get(urn)!.parent, b.get(urn)!.inputs]).toEqual([urn, r.parent, r.inputs]);
    }
  }, 120_000);
});
