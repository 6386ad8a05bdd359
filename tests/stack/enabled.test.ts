// `enabled` on every component: off registers the same workload resource under the same URN with the unprotected
// configuration and asks the Console nothing; the switch, either way, changes only the protection's fields.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { EmbeddedDefenderImage } from "../../provider/image/embeddedDefenderImage";
import { ProtectedAzureFunction } from "../../provider/azure/protectedAzureFunction";
import { ProtectedCloudFormationTemplate } from "../../provider/fargate/protectedCloudFormationTemplate";
import { ProtectedFargateTask } from "../../provider/fargate/protectedFargateTask";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { installRecordingMocks, RecordedResource } from "../../scripts/demo/mocks";
import { registrationsDone, unwrapInput } from "../helpers/pulumi";
import { LambdaTestContext, lambdaTestContext } from "../lambda/support";
import { FUNCTION, ROLE, TASK } from "./support";

let ctx: LambdaTestContext;
beforeAll(async () => {
  ctx = await lambdaTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.fresh());
afterEach(() => registrationsDone());

/** Runs a program under recording mocks (with or without the Console settings) and returns what it registered. */
async function run(
  build: () => pulumi.Output<unknown>,
  withConsole = true,
): Promise<RecordedResource[]> {
  const resources = installRecordingMocks("project", "stack", false);
  pulumi.runtime.setAllConfig(withConsole ? ctx.config : {}, ["prisma-defender:password"]);
  await new Promise((resolve) => build().apply(resolve));
  await registrationsDone();
  return resources;
}

const byType = (rs: RecordedResource[], type: string) => {
  const found = rs.filter((r) => r.type === type);
  expect(found).toHaveLength(1);
  return found[0];
};
/** Input keys whose values differ between two registrations of one resource. */
function changed(a: Record<string, unknown>, b: Record<string, unknown>): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
  return [...keys]
    .filter((k) => JSON.stringify(unwrapInput(a[k])) !== JSON.stringify(unwrapInput(b[k])))
    .sort();
}

const code = () =>
  new pulumi.asset.AssetArchive({
    "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 'ok';"),
  });

describe("enabled", () => {
  it("ProtectedLambda: off and on change the function in place (same URN and name), nothing else of it", async () => {
    const lambda = (enabled: boolean) => () =>
      new ProtectedLambda("orders.api", {
        enabled,
        runtime: "nodejs22.x",
        handler: "index.handler",
        role: ROLE,
        code: code(),
        layers: ["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"],
        environment: { variables: { STAGE: "prod" } },
        memorySize: 256,
      }).arn;
    const on = await run(lambda(true));
    const requestsOn = ctx.sim.requests.length;
    ctx.fresh();
    const off = await run(lambda(false), false);
    expect(ctx.sim.requests).toHaveLength(0);
    expect(requestsOn).toBeGreaterThan(0);

    const fnOn = byType(on, FUNCTION);
    const fnOff = byType(off, FUNCTION);
    expect(fnOff.urn).toBe(fnOn.urn);
    expect(fnOff.inputs.name).toBe(fnOn.inputs.name);
    // Both directions: exactly the protection's fields move.
    expect(changed(fnOn.inputs, fnOff.inputs)).toEqual(["environment", "handler", "layers"]);
    expect(changed(fnOff.inputs, fnOn.inputs)).toEqual(["environment", "handler", "layers"]);
    expect(fnOff.inputs).toMatchObject({
      handler: "index.handler",
      layers: ["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"],
      environment: { variables: { STAGE: "prod" } },
    });
    // Off is what a plain aws.lambda.Function with the same args would register.
    const plain = await run(
      () =>
        new aws.lambda.Function("orders.api", {
          name: fnOff.inputs.name as string,
          runtime: "nodejs22.x",
          handler: "index.handler",
          role: ROLE,
          code: code(),
          layers: ["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"],
          environment: { variables: { STAGE: "prod" } },
          memorySize: 256,
        }).arn,
      false,
    );
    expect(changed(byType(plain, FUNCTION).inputs, fnOff.inputs)).toEqual([]);
    // What exists only while protected: the Defender layer (deleted after the function's update when turned off).
    const onlyOn = on.filter((r) => !off.some((o) => o.urn === r.urn)).map((r) => r.type);
    expect(onlyOn.sort()).toEqual([
      "aws:lambda/layerVersion:LayerVersion",
      "prisma-defender:index:DefenderLayer",
    ]);
    expect(off.filter((r) => !on.some((o) => o.urn === r.urn))).toEqual([]);
  });

  it("ProtectedFargateTask: off keeps the task definition's URN, with the containers and entrypoints as given", async () => {
    const web = {
      name: "web",
      image: "nginx:1.27",
      entryPoint: ["/docker-entrypoint.sh"],
      command: ["nginx", "-g", "daemon off;"],
      essential: true,
    };
    const task = (enabled: boolean) => () =>
      new ProtectedFargateTask("site", {
        enabled,
        family: "site",
        cpu: "256",
        memory: "512",
        executionRoleArn: "arn:aws:iam::123456789012:role/exec",
        containerDefinitions: JSON.stringify([web]),
      }).arn;
    const on = await run(task(true));
    ctx.fresh();
    const off = await run(task(false), false);
    expect(ctx.sim.requests).toHaveLength(0);
    const tOn = byType(on, TASK);
    const tOff = byType(off, TASK);
    expect(tOff.urn).toBe(tOn.urn);
    expect(changed(tOn.inputs, tOff.inputs)).toEqual(["containerDefinitions"]);
    expect(changed(tOff.inputs, tOn.inputs)).toEqual(["containerDefinitions"]);
    expect(JSON.parse(unwrapInput(tOff.inputs.containerDefinitions))).toEqual([web]);
    const onlyOn = on.filter((r) => !off.some((o) => o.urn === r.urn)).map((r) => r.type);
    expect(onlyOn.sort()).toEqual([
      "aws:iam/rolePolicy:RolePolicy",
      "aws:secretsmanager/secret:Secret",
      "aws:secretsmanager/secretVersion:SecretVersion",
    ]);
  });

  it("ProtectedAzureFunction: off keeps the app's URN and name, only TW_POLICY leaves its settings", async () => {
    const app = (enabled: boolean) => () =>
      new ProtectedAzureFunction("orders-api", {
        enabled,
        resourceGroupName: "rg-orders",
        location: "westeurope",
        serverFarmId:
          "/subscriptions/0000/resourceGroups/rg/providers/Microsoft.Web/serverfarms/plan",
        storageConnectionString: "DefaultEndpointsProtocol=https;AccountName=s;AccountKey=a2V5",
        appSettings: [{ name: "Orders__Queue", value: "orders" }],
      }).defaultHostName;
    const on = await run(app(true));
    ctx.fresh();
    const off = await run(app(false), false);
    expect(ctx.sim.requests).toHaveLength(0);
    const aOn = byType(on, "azure-native:web:WebApp");
    const aOff = byType(off, "azure-native:web:WebApp");
    expect(aOff.urn).toBe(aOn.urn);
    expect(changed(aOn.inputs, aOff.inputs)).toEqual(["siteConfig"]);
    const names = (r: RecordedResource) =>
      unwrapInput<{ name: string }[]>(unwrapInput<any>(r.inputs.siteConfig).appSettings).map(
        (x) => x.name,
      );
    expect(names(aOn).filter((n) => n !== "TW_POLICY")).toEqual(names(aOff));
    expect(names(aOn)).toContain("TW_POLICY");
  });

  it("ProtectedCloudFormationTemplate: off gives the template as given, without a Console call", async () => {
    installRecordingMocks("project", "stack", false);
    const text = JSON.stringify({ Resources: {} });
    const t = new ProtectedCloudFormationTemplate("cfn", { enabled: false, template: text });
    expect(await new Promise((r) => t.template.apply(r))).toBe(text);
    expect(ctx.sim.requests).toHaveLength(0);
  });

  it("EmbeddedDefenderImage: off builds the user's own Dockerfile under the same URN and image name", async () => {
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "enabled-image-"));
    fs.writeFileSync(path.join(work, "Dockerfile"), 'FROM alpine:3.20\nENTRYPOINT ["/app"]\n');
    fs.writeFileSync(path.join(work, "app"), "#!/bin/sh\n", { mode: 0o755 });
    const image = (enabled: boolean) => () =>
      new EmbeddedDefenderImage("app", {
        enabled,
        imageName: "registry.example.com/app:1",
        context: work,
        skipPush: true,
      }).imageName;
    const on = await run(image(true));
    ctx.fresh();
    const off = await run(image(false), false);
    expect(ctx.sim.requests).toHaveLength(0);
    const iOn = byType(on, "docker:index/image:Image");
    const iOff = byType(off, "docker:index/image:Image");
    expect(iOff.urn).toBe(iOn.urn);
    expect(iOff.inputs.imageName).toBe(iOn.inputs.imageName);
    expect(unwrapInput<any>(iOff.inputs.build)).toMatchObject({
      context: work,
      dockerfile: path.join(work, "Dockerfile"),
    });
    expect(unwrapInput<any>(iOn.inputs.build).dockerfile).not.toBe(path.join(work, "Dockerfile"));
    fs.rmSync(work, { recursive: true, force: true });
  });

  it("a non-boolean `enabled` is refused at construction", async () => {
    installRecordingMocks("project", "stack", false);
    expect(
      () =>
        new ProtectedLambda("x", {
          enabled: pulumi.output(false) as any,
          runtime: "nodejs22.x",
          handler: "index.handler",
          role: ROLE,
          code: code(),
        }),
    ).toThrow(/^ProtectedLambda x: enabled: must be a plain true or false/);
  });
});
