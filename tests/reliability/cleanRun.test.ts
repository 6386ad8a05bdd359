// Every test program, run against a healthy Console: it registers its workload protected, and calls exactly the
// endpoints the fault matrix crosses with faults (so a component that starts calling a new endpoint gets noticed).
// And the protection checks the suites rely on do flag unprotected workloads.
import * as aws from "@pulumi/aws";
import * as web from "@pulumi/azure-native/web";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { details, registrationsDone } from "../helpers/pulumi";
import { CONTAINERS, PROGRAMS, TEMPLATE } from "./programs";
import { runProgram, useEnv, WORKLOAD_CHECKS, withConsoleCapture } from "./support";

const env = useEnv();

describe.each(PROGRAMS.map((p) => [p.name, p] as const))("%s", (_name, prog) => {
  it("registers its workload protected and calls the endpoints the fault matrix covers", async () => {
    const { value: run } = await withConsoleCapture(() => runProgram(env, prog, env.console()));
    expect(run.errors).toEqual([]);
    expect(run.workloads.length).toBeGreaterThan(0);
    expect(run.unprotected).toEqual([]);
    const called = [...new Set(env.sim.requests.map((r) => r.endpoint))].sort();
    expect(called).toEqual([...prog.endpoints].sort());
  });
});

describe("the protection checks", () => {
  it("flag each kind of workload registered without protection", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pd-unprotected-"));
    fs.writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => 1;\n");
    fs.writeFileSync(path.join(dir, "Dockerfile"), 'FROM busybox\nENTRYPOINT ["/bin/sh"]\n');
    env.mocks.reset();
    const code = new pulumi.asset.FileArchive(dir);
    const plain = [
      new aws.lambda.Function("plain", {
        runtime: "nodejs20.x",
        handler: "index.handler",
        role: "r",
        code,
      }),
      new aws.lambda.Function("layer-handler-only", {
        runtime: "nodejs20.x",
        handler: "twistlock.handler",
        role: "r",
        code,
        environment: { variables: { TW_POLICY: "x" } },
      }),
      new aws.lambda.LayerVersion("plain-layer", { layerName: "l", code }),
      new aws.ecs.TaskDefinition("plain-task", { family: "f", containerDefinitions: CONTAINERS }),
      new web.WebApp("plain-app", { resourceGroupName: "rg", siteConfig: { appSettings: [] } }),
      new aws.cloudformation.Stack("plain-stack", { templateBody: JSON.stringify(TEMPLATE) }),
      new docker.Image("plain-image", {
        imageName: "x:1",
        build: { context: dir, dockerfile: path.join(dir, "Dockerfile") },
      }),
    ];
    await Promise.all(plain.map((r) => details(r.urn)));
    await registrationsDone();
    const flagged = await Promise.all(
      env.mocks
        .children()
        .map(async (r) => [r.name, (await WORKLOAD_CHECKS[r.type](r.inputs)).length > 0] as const),
    );
    const names = [
      "plain",
      "layer-handler-only",
      "plain-layer",
      "plain-task",
      "plain-app",
      "plain-stack",
      "plain-image",
    ];
    expect(Object.fromEntries(flagged)).toEqual(Object.fromEntries(names.map((n) => [n, true])));
    expect(plain).toHaveLength(names.length);
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
