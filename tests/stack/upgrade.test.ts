// Defender upgrades: the same program against the Console at two versions changes exactly the Defender's parts
// (versions, the layer, the sidecar image tag, the rebuilt image), and `requireDefenderVersion` refuses a Console
// outside its range before anything is fetched from it.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { EmbeddedDefenderImage } from "../../provider/image/embeddedDefenderImage";
import { ProtectedFargateTask } from "../../provider/fargate/protectedFargateTask";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { forgetConsoles } from "../../provider/core/console/client";
import { resolveConsoleSettings } from "../../provider/core/settings";
import { ConsoleSimulator, startConsoleSimulator } from "../../provider/simulator";
import { installRecordingMocks, RecordedResource } from "../../scripts/demo/mocks";
import { captureDeployErrors, registrationsDone, unwrapInput } from "../helpers/pulumi";
import { ROLE } from "./support";

let older: ConsoleSimulator;
let newer: ConsoleSimulator;
let work: string;
beforeAll(async () => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "upgrade-"));
  process.env.PRISMA_DEFENDER_CACHE_DIR = path.join(work, "cache");
  process.env.PRISMA_DEFENDER_RETRY_OPTIONS = JSON.stringify({
    maxAttempts: 1,
    baseDelayMs: 1,
    maxDelayMs: 1,
  });
  // Same seed and credentials: only the version differs, as when one Console is upgraded.
  const users = [{ username: "admin", password: "upgrade-test-password" }];
  older = await startConsoleSimulator({ version: "34.04.145", seed: "upgrade", users });
  newer = await startConsoleSimulator({ version: "34.04.160", seed: "upgrade", users });
  fs.mkdirSync(path.join(work, "app"));
  fs.writeFileSync(path.join(work, "app", "Dockerfile"), 'FROM alpine:3.20\nENTRYPOINT ["/app"]\n');
  fs.writeFileSync(path.join(work, "app", "app"), "#!/bin/sh\n", { mode: 0o755 });
});
afterAll(async () => {
  await Promise.all([older.close(), newer.close()]);
  fs.rmSync(work, { recursive: true, force: true });
});
afterEach(() => registrationsDone());

const configFor = (sim: ConsoleSimulator, extra: Record<string, string> = {}) => ({
  "prisma-defender:consoleUrl": sim.url,
  "prisma-defender:username": "admin",
  "prisma-defender:password": "upgrade-test-password",
  "prisma-defender:caCertificate": sim.caCertificate,
  ...extra,
});

interface Run {
  resources: RecordedResource[];
  versions: Record<string, unknown>;
}

/** The program, against one Console: a Lambda (layer mode), a Fargate task and an embedded image. */
async function program(sim: ConsoleSimulator): Promise<Run> {
  forgetConsoles();
  const resources = installRecordingMocks("project", "stack", false);
  pulumi.runtime.setAllConfig(configFor(sim), ["prisma-defender:password"]);
  const fn = new ProtectedLambda("orders", {
    runtime: "python3.12",
    handler: "app.handler",
    role: ROLE,
    code: new pulumi.asset.AssetArchive({
      "app.py": new pulumi.asset.StringAsset("def handler(e, c): return 1\n"),
    }),
  });
  const task = new ProtectedFargateTask("site", {
    family: "site",
    cpu: "256",
    memory: "512",
    executionRoleArn: "arn:aws:iam::123456789012:role/exec",
    containerDefinitions: JSON.stringify([
      { name: "web", image: "nginx:1.27", entryPoint: ["/docker-entrypoint.sh"], essential: true },
    ]),
  });
  const image = new EmbeddedDefenderImage("app", {
    imageName: "registry.example.com/app:1",
    context: path.join(work, "app"),
    skipPush: true,
  });
  const value = (o: pulumi.Output<unknown>) => new Promise((r) => o.apply(r));
  const versions = {
    lambda: await value(fn.defenderVersion),
    fargate: await value(task.defenderVersion),
    fargateImage: await value(task.defenderImage),
    image: await value(image.defenderVersion),
  };
  await Promise.all([value(fn.arn), value(task.arn), value(image.imageName)]);
  await registrationsDone();
  return { resources, versions };
}

/** `urn key` of every input that differs between two runs. */
function moved(a: RecordedResource[], b: RecordedResource[]): string[] {
  const out: string[] = [];
  for (const r of a) {
    const s = b.find((x) => x.urn === r.urn);
    if (!s) {
      out.push(`${r.type} ${r.name} (gone)`);
      continue;
    }
    for (const k of new Set([...Object.keys(r.inputs), ...Object.keys(s.inputs)])) {
      if (JSON.stringify(unwrapInput(r.inputs[k])) !== JSON.stringify(unwrapInput(s.inputs[k]))) {
        out.push(`${r.type} ${r.name} ${k}`);
      }
    }
  }
  return out.sort();
}

describe("Defender upgrade", () => {
  it("moves the versions, the layer, the sidecar image tag, the image build (and TW_POLICY as the Console encodes it), nothing else", async () => {
    const before = await program(older);
    const after = await program(newer);
    expect(before.versions).toEqual({
      lambda: "34.04.145",
      fargate: "34.04.145",
      fargateImage: expect.stringMatching(/:defender_34_04_145$/),
      image: "34.04.145",
    });
    expect(after.versions).toEqual({
      lambda: "34.04.160",
      fargate: "34.04.160",
      fargateImage: expect.stringMatching(/:defender_34_04_160$/),
      image: "34.04.160",
    });
    const fnOf = (run: Run) =>
      run.resources.find((r) => r.name === "orders" && r.type.endsWith("Function"))!;
    // The layer's `code` is an archive object (compared through its content hash, sourceCodeHash). The function's
    // environment moves only by TW_POLICY, because this Console encodes its version into the policy.
    expect(moved(before.resources, after.resources)).toEqual([
      "aws:ecs/taskDefinition:TaskDefinition site containerDefinitions",
      "aws:lambda/function:Function orders environment",
      "aws:lambda/layerVersion:LayerVersion orders-defender-layer description",
      "aws:lambda/layerVersion:LayerVersion orders-defender-layer sourceCodeHash",
      "docker:index/image:Image app build",
    ]);
    expect(moved(after.resources, before.resources)).toHaveLength(5);
    const vars = (run: Run) =>
      unwrapInput<{ variables: Record<string, string> }>(fnOf(run).inputs.environment).variables;
    expect({ ...vars(after), TW_POLICY: "" }).toEqual({ ...vars(before), TW_POLICY: "" });
    // In the task definition, only the sidecar's image tag moved.
    const containers = (run: Run) =>
      JSON.parse(
        unwrapInput(
          run.resources.find((r) => r.name === "site" && r.custom)!.inputs.containerDefinitions,
        ),
      ) as Record<string, unknown>[];
    const [b, a] = [containers(before), containers(after)];
    expect(a.map((c) => c.name)).toEqual(b.map((c) => c.name));
    expect(a[0]).toEqual(b[0]);
    expect({ ...a[1], image: undefined }).toEqual({ ...b[1], image: undefined });
  });

  it("requireDefenderVersion: a Console outside the range fails, naming both versions, before any download", async () => {
    forgetConsoles();
    newer.reset();
    installRecordingMocks("project", "stack", true);
    pulumi.runtime.setAllConfig(
      configFor(newer, { "prisma-defender:requireDefenderVersion": "34.04.145 - 34.04.150" }),
      ["prisma-defender:password"],
    );
    const errors = await captureDeployErrors(
      () =>
        new ProtectedLambda("orders", {
          runtime: "python3.12",
          handler: "app.handler",
          role: ROLE,
          code: new pulumi.asset.AssetArchive({ "app.py": new pulumi.asset.StringAsset("x") }),
        }).arn,
    );
    expect(errors.join("\n")).toMatch(
      /the Console's version is 34\.04\.160, outside requireDefenderVersion "34\.04\.145 - 34\.04\.150"/,
    );
    const endpoints = new Set(newer.requests.map((r) => r.endpoint));
    expect([...endpoints].sort()).toEqual(["authenticate", "version"]);
  });

  it("requireDefenderVersion: a Console inside the range (zero-padded parts read as numbers) proceeds", async () => {
    forgetConsoles();
    installRecordingMocks("project", "stack", false);
    pulumi.runtime.setAllConfig(
      configFor(newer, { "prisma-defender:requireDefenderVersion": ">=34.04.150 <35" }),
      ["prisma-defender:password"],
    );
    const fn = new ProtectedLambda("orders", {
      runtime: "python3.12",
      handler: "app.handler",
      role: ROLE,
      code: new pulumi.asset.AssetArchive({ "app.py": new pulumi.asset.StringAsset("x") }),
    });
    expect(await new Promise((r) => fn.defenderVersion.apply(r))).toBe("34.04.160");
  });

  it("requireDefenderVersion: a range that is not semver is refused with the settings, before any request", () => {
    newer.reset();
    installRecordingMocks("project", "stack", false);
    pulumi.runtime.setAllConfig({}, []);
    expect(() =>
      resolveConsoleSettings(
        { url: newer.url, token: "t0ken-value", requireDefenderVersion: "newest please" },
        "x",
      ),
    ).toThrow(
      /requireDefenderVersion \(arg `requireDefenderVersion`\) must be a semver range such as "~34.04"/,
    );
    expect(newer.requests).toHaveLength(0);
  });
});
