// The policy pack, started as the Pulumi CLI starts it, over what every example registers (run under the demo's
// mocks against the Console simulator): nothing to report, in an update and in a preview. Also what the pack tells
// the CLI about itself, and that enforcement levels are configurable.
import { startPolicyPack } from "../../scripts/demo/policyAnalyzer";
import type { RunningPack } from "../../scripts/demo/policyAnalyzer";
import type { ExampleResources } from "../../scripts/demo/policyResources";
import { unprotected } from "../../scripts/demo/policyUnprotect";
import { detach, edit, examples, find, lines, verdicts } from "./support";

let pack: RunningPack;
let deployed: ExampleResources[];

beforeAll(async () => {
  [pack, deployed] = await Promise.all([startPolicyPack(), examples()]);
}, 120_000);
afterAll(() => pack?.close());

const POLICIES = [
  ["defender-exclusions", "advisory"],
  ["lambda-functions-protected", "mandatory"],
  ["fargate-tasks-protected", "mandatory"],
  ["azure-function-apps-protected", "mandatory"],
  ["defender-credentials-secret", "mandatory"],
  ["defender-version", "mandatory"],
];

test("GetAnalyzerInfo: the pack, one policy per rule, each with its default level and options", async () => {
  const info = await pack.info();
  expect(info.name).toBe("prisma-defender");
  expect(info.version).toBe("0.1.0");
  expect(info.policies.map((p) => [p.name, p.enforcementLevel])).toEqual(POLICIES);
  const schema = Object.fromEntries(
    info.policies.map((p) => [p.name, Object.keys(p.configSchema ?? {})]),
  );
  expect(schema).toEqual({
    "defender-exclusions": ["tag", "urns"],
    "lambda-functions-protected": ["defenderLayerNames", "wrappedHandlers"],
    "fargate-tasks-protected": ["allowInstallBundleInEnvironment", "embeddedImages"],
    "azure-function-apps-protected": [],
    "defender-credentials-secret": [],
    "defender-version": ["range"],
  });
});

/** The one verdict an example may carry: examples/protect-stack's accepted exception, listed, never failed. */
const EXPECTED: Record<string, string[]> = {
  "protect-stack": [
    'defender-exclusions [advisory]: aws:lambda/function:Function "legacy" is excluded from the Defender checks ' +
      '(tag prisma-defender-exclude="legacy, accepted unprotected until its migration").',
  ],
};

test("every example passes: Analyze on each resource's inputs and AnalyzeStack on the stack", async () => {
  expect(deployed.map((e) => e.id)).toEqual([
    "azure-function",
    "embedded-image",
    "fargate",
    "lambda",
    "protect-stack",
    "yaml",
  ]);
  for (const e of deployed) {
    expect({ example: e.id, verdicts: lines(await verdicts(pack, e.resources)) }).toEqual({
      example: e.id,
      verdicts: EXPECTED[e.id] ?? [],
    });
  }
});

test("the examples' workloads declared without prisma-defender: each one is rejected, once", async () => {
  const workloads = [
    "aws:lambda/function:Function",
    "aws:ecs/taskDefinition:TaskDefinition",
    "azure-native:web:WebApp",
  ];
  for (const e of deployed) {
    const plain = unprotected(e.resources);
    const ds = await pack.analyzeStack(plain);
    const urns = plain.filter((r) => workloads.includes(r.type)).map((r) => r.urn);
    expect(urns.length).toBeGreaterThan(0);
    // An excluded workload (examples/protect-stack's "legacy") is listed as an advisory instead.
    const excluded = (u: string) => u.endsWith("::legacy") && e.id === "protect-stack";
    expect({ example: e.id, rejected: ds.map((d) => [d.enforcementLevel, d.urn]).sort() }).toEqual({
      example: e.id,
      rejected: urns.map((u) => [excluded(u) ? "advisory" : "mandatory", u]).sort(),
    });
  }
});

test("in a preview (outputs not known yet), the examples pass too", async () => {
  // The YAML example needs the plugin's preview support, which the demo does not run in preview mode.
  const previewed = await examples({
    preview: true,
    only: ["azure-function", "embedded-image", "fargate", "lambda"],
  });
  for (const e of previewed) {
    expect({ example: e.id, verdicts: lines(await verdicts(pack, e.resources)) }).toEqual({
      example: e.id,
      verdicts: [],
    });
  }
}, 120_000);

describe("enforcement levels are configurable per policy", () => {
  const unprotected = () => {
    const lambda = deployed.find((e) => e.id === "lambda")!.resources;
    const fn = find(lambda, "aws:lambda/function:Function", "orders");
    return edit(
      lambda,
      fn,
      (p) => {
        p.handler = "index.handler";
        delete p.layers;
        p.environment = { variables: { TABLE_NAME: "orders" } };
      },
      detach,
    );
  };
  afterEach(() => pack.configure({}));

  test("mandatory by default", async () => {
    const ds = await pack.analyzeStack(unprotected());
    expect(ds.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["lambda-functions-protected", "mandatory"],
    ]);
  });

  test("advisory", async () => {
    await pack.configure({ "lambda-functions-protected": { enforcementLevel: "advisory" } });
    const ds = await pack.analyzeStack(unprotected());
    expect(ds.map((d) => [d.policyName, d.enforcementLevel])).toEqual([
      ["lambda-functions-protected", "advisory"],
    ]);
  });

  test("disabled", async () => {
    await pack.configure({ "lambda-functions-protected": { enforcementLevel: "disabled" } });
    expect(await pack.analyzeStack(unprotected())).toEqual([]);
  });
});

test("the pack logged nothing through the engine and wrote nothing to stderr", () => {
  expect(pack.logs).toEqual([]);
});
