// Workloads protected by hand as the Compute Console's documentation describes (tests/policy/fixtures/manual: the
// layer published as `twistlock`, a layer ARN from another stack, a Java function wrapped in code, the Console's
// Fargate definition with INSTALL_BUNDLE in Secrets Manager, a .NET function app with TW_POLICY, an image
// embedded with twistcli): the pack accepts them, with no prisma-defender component in the stack.
import { startPolicyPack } from "../../scripts/demo/policyAnalyzer";
import type { RunningPack } from "../../scripts/demo/policyAnalyzer";
import type { WireResource } from "../../scripts/demo/policyResources";
import { MANUAL_DIR, examples, lines, verdicts } from "./support";

let pack: RunningPack;
let resources: WireResource[];

beforeAll(async () => {
  let runs;
  [pack, runs] = await Promise.all([startPolicyPack(), examples({ examplesDir: MANUAL_DIR })]);
  resources = runs[0].resources;
}, 120_000);
afterAll(() => pack?.close());
afterEach(() => pack.configure({}));

test("the program registers the hand-protected workloads, none under a prisma-defender component", () => {
  const workloads = resources.filter((r) =>
    [
      "aws:lambda/function:Function",
      "aws:ecs/taskDefinition:TaskDefinition",
      "azure-native:web:WebApp",
    ].includes(r.type),
  );
  expect(workloads.map((r) => r.name).sort()).toEqual([
    "api",
    "billing",
    "ledger",
    "orders",
    "reports",
    "worker",
  ]);
  expect(resources.filter((r) => r.type.startsWith("prisma-defender:"))).toEqual([]);
});

test("every hand-protected workload passes once the twistcli-built image is named in embeddedImages", async () => {
  await pack.configure({
    "fargate-tasks-protected": { embeddedImages: ["registry.example.com/*-embedded"] },
  });
  expect(lines(await verdicts(pack, resources))).toEqual([]);
});

test("without that option the task running it is the one violation: its image is not known to embed the Defender", async () => {
  expect(lines(await verdicts(pack, resources))).toEqual([
    'fargate-tasks-protected [mandatory]: aws:ecs/taskDefinition:TaskDefinition "worker" is not protected by the Defender: no TwistlockDefender sidecar container; container worker: entryPoint is not wrapped by the Defender; container worker: volumesFrom does not mount TwistlockDefender; container worker: dependsOn does not start after TwistlockDefender. Fix: declare it with ProtectedFargateTask (prisma-defender) in place of aws.ecs.TaskDefinition, or protect every task with protectStack(), or, to accept it unprotected, tag it prisma-defender-exclude=<reason> (listed by defender-exclusions).',
  ]);
});

test("defender-version reads a hand-written task's Defender from its sidecar image tag", async () => {
  await pack.configure({
    "fargate-tasks-protected": { embeddedImages: ["registry.example.com/*-embedded"] },
    "defender-version": { range: ">=34.5" },
  });
  expect(lines(await pack.analyzeStack(resources))).toEqual([
    'defender-version [mandatory]: aws:ecs/taskDefinition:TaskDefinition "api" deploys Defender 34.04.145, outside the allowed range ">=34.5". Fix: upgrade the Compute Console (the components deploy the Console\'s Defender version), or change the range.',
  ]);
});
