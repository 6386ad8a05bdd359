// protectStack under Pulumi mocks, with the stack transform run as the engine runs it, against the simulator.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { deriveFunctionName } from "../../provider/lambda/lambdaPreflight";
import { protectStack } from "../../provider/stack/protectStack";
import {
  captureDeployErrors,
  installMocks,
  promiseOf,
  registrationsDone,
  unwrapInput,
} from "../helpers/pulumi";
import { LambdaTestContext, lambdaTestContext } from "../lambda/support";
import { byName, engineMocks, FUNCTION, LAYER, policyOf, ROLE, TASK, variables } from "./support";

let ctx: LambdaTestContext;
beforeAll(async () => {
  ctx = await lambdaTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.fresh());
afterEach(() => registrationsDone());

const js = () =>
  new pulumi.asset.AssetArchive({
    "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 'ok';"),
  });
const py = () =>
  new pulumi.asset.AssetArchive({
    "app.py": new pulumi.asset.StringAsset("def handler(e, c):\n  return 1\n"),
  });
const fn = (name: string, args: Partial<aws.lambda.FunctionArgs> = {}) =>
  new aws.lambda.Function(name, {
    runtime: "nodejs22.x",
    handler: "index.handler",
    role: ROLE,
    code: js(),
    ...args,
  });
const WEB = {
  name: "web",
  image: "nginx:1.27",
  entryPoint: ["/docker-entrypoint.sh"],
  command: ["nginx", "-g", "daemon off;"],
  essential: true,
};

describe("protectStack", () => {
  it("under plain setMocks the registered transform is never run (why the tests wrap the monitor)", async () => {
    const m = installMocks({ config: ctx.config, secretKeys: ["prisma-defender:password"] });
    protectStack();
    const f = fn("plain");
    await promiseOf(f.arn);
    expect(byName(m, FUNCTION, "plain").inputs.handler).toBe("index.handler");
    expect(ctx.sim.requests).toHaveLength(0);
  });

  it("protects every function and Fargate task, one layer per family, one request per distinct item", async () => {
    const m = engineMocks(ctx);
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(async () => undefined);
    const protection = protectStack({ exclude: ["skipme"] });
    const made = [
      fn("orders", { environment: { variables: { STAGE: "prod" } } }),
      fn("billing.api", { layers: ["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"] }),
      fn("reports", {
        name: "reports-fn",
        runtime: "python3.12",
        handler: "app.handler",
        code: py(),
      }),
      fn("legacy", { tags: { "prisma-defender:protect": "false" } }),
      fn("skipme"),
      fn("javafn", { runtime: "java21", handler: "example.Handler::handleRequest" }),
      fn("armfn", { architectures: ["arm64"] }),
      fn("imagefn", {
        packageType: "Image",
        imageUri: "123.dkr.ecr.us-east-1.amazonaws.com/x:1",
        runtime: undefined,
        handler: undefined,
        code: undefined,
      }),
      fn("byhand", {
        environment: { variables: { TW_POLICY: "x", ORIGINAL_HANDLER: "index.handler" } },
        handler: "twistlock.handler",
      }),
    ];
    const wrapped = new ProtectedLambda("wrapped", {
      runtime: "nodejs22.x",
      handler: "index.handler",
      role: ROLE,
      code: js(),
    });
    const task = new aws.ecs.TaskDefinition("site", {
      family: "site",
      cpu: "256",
      memory: "512",
      networkMode: "awsvpc",
      requiresCompatibilities: ["FARGATE"],
      executionRoleArn: "arn:aws:iam::123456789012:role/exec",
      containerDefinitions: JSON.stringify([WEB]),
    });
    const ec2 = new aws.ecs.TaskDefinition("batch", {
      family: "batch",
      requiresCompatibilities: ["EC2"],
      containerDefinitions: JSON.stringify([{ name: "b", image: "busybox", memory: 128 }]),
    });
    await Promise.all([
      ...made.map((f) => promiseOf(f.arn)),
      promiseOf(wrapped.arn),
      promiseOf(task.arn),
      promiseOf(ec2.arn),
    ]);
    await registrationsDone();

    // Layer mode, as ProtectedLambda: handler redirected, shared layer appended, ORIGINAL_HANDLER and TW_POLICY.
    const orders = byName(m, FUNCTION, "orders");
    expect(orders.inputs).toMatchObject({
      name: "orders",
      handler: "twistlock.handler",
      runtime: "nodejs22.x",
    });
    expect(Object.keys(variables(orders))).toEqual(["ORIGINAL_HANDLER", "STAGE", "TW_POLICY"]);
    expect(policyOf(orders)).toMatchObject({
      function: "orders",
      provider: "aws",
      region: "us-east-1",
    });
    // An auto-named function gets ProtectedLambda's derived name, and TW_POLICY is made for it.
    const billing = byName(m, FUNCTION, "billing.api");
    expect(billing.inputs.name).toBe(deriveFunctionName("billing.api"));
    expect(billing.inputs.name).toMatch(/^billing-api-[0-9a-f]{8}$/);
    expect(policyOf(billing).function).toBe(billing.inputs.name);
    expect(billing.inputs.layers[0]).toBe("arn:aws:lambda:us-east-1:123456789012:layer:deps:3");
    expect(billing.inputs.layers[1]).toBe(orders.inputs.layers[0]);
    const reports = byName(m, FUNCTION, "reports");
    expect(reports.inputs.name).toBe("reports-fn");
    expect(policyOf(reports).function).toBe("reports-fn");
    expect(reports.inputs.layers[0]).not.toBe(orders.inputs.layers[0]);

    // Left alone: opted out by tag and by name, unsupported, already protected by hand or by our component.
    for (const name of ["legacy", "skipme", "armfn"]) {
      const left = byName(m, FUNCTION, name);
      expect(left.inputs.handler).toBe("index.handler");
      expect(left.inputs.name).toBeUndefined();
      expect(left.inputs.environment).toBeUndefined();
    }
    expect(byName(m, FUNCTION, "imagefn").inputs.layers).toBeUndefined();
    expect(byName(m, FUNCTION, "javafn").inputs.handler).toBe("example.Handler::handleRequest");
    expect(byName(m, FUNCTION, "armfn").inputs.layers).toBeUndefined();
    expect(variables(byName(m, FUNCTION, "byhand")).TW_POLICY).toBe("x");
    const child = byName(m, FUNCTION, "wrapped");
    expect(child.inputs.layers).toHaveLength(1);

    // The task definition: the Console's protection, INSTALL_BUNDLE in a secret the execution role may read.
    const site = byName(m, TASK, "site");
    const containers = JSON.parse(unwrapInput(site.inputs.containerDefinitions));
    expect(containers.map((c: any) => c.name)).toEqual(["web", "TwistlockDefender"]);
    expect(containers[0].entryPoint[0]).toMatch(/defender/);
    expect(m.children("aws:secretsmanager/secret:Secret").map((r) => r.name)).toEqual([
      "site-install-bundle",
    ]);
    expect(byName(m, "aws:iam/rolePolicy:RolePolicy", "site-install-bundle-read").inputs.role).toBe(
      "exec",
    );
    expect(JSON.parse(byName(m, TASK, "batch").inputs.containerDefinitions)).toHaveLength(1);

    // Economy: nodejs (commonjs) and python layers shared; one request per distinct work item.
    expect(
      m
        .children(LAYER)
        .map((l) => l.name)
        .sort(),
    ).toEqual([
      "prisma-defender-nodejs-us-east-1",
      "prisma-defender-python-us-east-1",
      "wrapped-defender-layer",
    ]);
    expect(ctx.sim.requestsTo("images/twistlock_defender_layer.zip")).toHaveLength(2);
    expect(ctx.sim.requestsTo("policies/runtime/serverless/encode")).toHaveLength(4);
    expect(ctx.sim.requestsTo("defenders/fargate.json")).toHaveLength(1);
    expect(ctx.sim.requestsTo("version")).toHaveLength(1);

    // One warning listing the three unsupported functions.
    expect(protection.unprotected.map((u) => u.name).sort()).toEqual([
      "armfn",
      "imagefn",
      "javafn",
    ]);
    protection.warnUnprotected();
    protection.warnUnprotected();
    const ours = warn.mock.calls.filter(([msg]) => String(msg).includes("protectStack"));
    expect(ours).toHaveLength(1);
    expect(String(ours[0][0])).toMatch(
      /3 resource\(s\) left UNPROTECTED[\s\S]*javafn[\s\S]*armfn|imagefn/,
    );
    warn.mockRestore();
  });

  it("in preview, values not known yet (a role being created, a variable from it) pass through", async () => {
    const m = engineMocks(ctx, { preview: true });
    protectStack();
    const role = new aws.iam.Role("r", { assumeRolePolicy: "{}" });
    const f = fn("orders", {
      role: role.arn,
      environment: { variables: { STAGE: "prod", ROLE_NAME: role.name } },
    });
    await promiseOf(f.arn);
    await registrationsDone();
    const orders = byName(m, FUNCTION, "orders");
    expect(orders.inputs.handler).toBe("twistlock.handler");
    expect(Object.keys(variables(orders)).sort()).toEqual([
      "ORIGINAL_HANDLER",
      "ROLE_NAME",
      "STAGE",
      "TW_POLICY",
    ]);
    expect(policyOf(orders).function).toBe("orders");
  });

  it("mode enforce fails the registration of an unprotectable function, naming it and the fix", async () => {
    engineMocks(ctx);
    protectStack({ mode: "enforce" });
    const errors = await captureDeployErrors(
      () => fn("javafn", { runtime: "java21", handler: "example.Handler::handleRequest" }).arn,
    );
    expect(errors.join("\n")).toMatch(
      /javafn" cannot be protected \(mode "enforce"\)[\s\S]*layer mode cannot protect java21/,
    );
  });

  it("embedded mode where the options say so; an include predicate opts out", async () => {
    const m = engineMocks(ctx);
    protectStack({ lambda: { embedded: ["inline"] }, include: (r) => r.name !== "nope" });
    const a = fn("inline");
    const b = fn("nope");
    await Promise.all([promiseOf(a.arn), promiseOf(b.arn)]);
    await registrationsDone();
    const inline = byName(m, FUNCTION, "inline");
    expect(inline.inputs.handler).not.toBe("index.handler");
    expect(inline.inputs.handler).not.toBe("twistlock.handler");
    expect(Object.keys(variables(inline))).toEqual(["TW_POLICY"]);
    expect(inline.inputs.layers).toBeUndefined();
    expect(byName(m, FUNCTION, "nope").inputs.handler).toBe("index.handler");
    expect(ctx.sim.requestsTo("defenders/serverless/bundle")).toHaveLength(1);
  });

  it("bad options fail at the call, before any request", () => {
    installMocks({ config: ctx.config });
    expect(() => protectStack({ mode: "loud" as any, exclude: "x" as any })).toThrow(
      /protectStack: \n  - mode: "loud" is not one of: warn, enforce.\n  - exclude: must be a list/,
    );
    expect(ctx.sim.requests).toHaveLength(0);
  });
});
