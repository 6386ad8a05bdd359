// ProtectedLambda in layer mode and DefenderLayer under Pulumi mocks, against the real Console simulator.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DefenderLayer } from "../../provider/lambda/defenderLayer";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { captureDeployErrors, details, promiseOf, registrationsDone } from "../helpers/pulumi";
import {
  archiveNamesOf,
  archivePathOf,
  codeDir,
  FUNCTION,
  LAYER,
  LambdaTestContext,
  lambdaTestContext,
  ROLE,
  variablesOf,
  zipJson,
} from "./support";

let ctx: LambdaTestContext;
beforeAll(async () => {
  ctx = await lambdaTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.fresh());
// Let the last registrations (registerOutputs) finish before the next test installs new mocks.
afterEach(() => registrationsDone());

const code = (files: Record<string, string>) => new pulumi.asset.FileArchive(codeDir(files));

describe("layer mode", () => {
  it.each([
    ["nodejs22.x", "src/handlers/app.handler", "nodejs", "nodejs/node_modules/twistlock/index.js"],
    ["python3.12", "app.lambda_handler", "python", "python/twistlock/__init__.py"],
    ["ruby3.3", "function.handler", "ruby", "ruby/lib/twistlock.rb"],
  ])(
    "%s: handler redirected, layer appended, ORIGINAL_HANDLER and TW_POLICY set",
    async (runtime, handler, family, module) => {
      const m = ctx.mocks();
      const fn = new ProtectedLambda("orders", {
        runtime: runtime as any,
        handler,
        role: ROLE,
        code: new pulumi.asset.AssetArchive({ "x.txt": new pulumi.asset.StringAsset("x") }),
        layers: ["arn:aws:lambda:us-east-1:123456789012:layer:deps:3"],
        environment: { variables: { STAGE: "prod" } },
        memorySize: 256,
        tags: { team: "payments" },
      });
      const arn = await promiseOf(fn.arn);
      expect(arn).toBe("arn:aws:lambda:us-east-1:123456789012:function:orders");
      const [f] = m.children(FUNCTION);
      expect(f.inputs).toMatchObject({
        name: "orders",
        handler: "twistlock.handler",
        runtime,
        role: ROLE,
        memorySize: 256,
        tags: { team: "payments" },
        layers: [
          "arn:aws:lambda:us-east-1:123456789012:layer:deps:3",
          "arn:aws:lambda:us-east-1:123456789012:layer:orders-defender-layer:1",
        ],
      });
      const vars = variablesOf(f);
      expect(Object.keys(vars)).toEqual(["ORIGINAL_HANDLER", "STAGE", "TW_POLICY"]);
      expect(vars.ORIGINAL_HANDLER).toBe(handler);
      const policy = JSON.parse(Buffer.from(vars.TW_POLICY, "base64").toString());
      expect(policy).toMatchObject({
        function: "orders",
        provider: "aws",
        region: "us-east-1",
        consoleAddr: "127.0.0.1",
      });

      const [layer] = m.children(LAYER);
      expect(layer.inputs.compatibleArchitectures).toEqual(["x86_64"]);
      expect(layer.inputs.compatibleRuntimes).toContain(runtime);
      expect(await archiveNamesOf(layer)).toContain(module);
      expect(await zipJson(await archivePathOf(layer), "manifest.json")).toMatchObject({
        runtime: family,
      });
      expect(await promiseOf(fn.originalHandler)).toBe(handler);
      expect(await promiseOf(fn.mode)).toBe("layer");
      expect(await promiseOf(fn.layerArn)).toBe(
        "arn:aws:lambda:us-east-1:123456789012:layer:orders-defender-layer:1",
      );
      expect(await promiseOf(fn.defenderVersion)).toBe("34.04.145");
      expect(await details(fn.environmentVariableNames)).toEqual({
        value: ["ORIGINAL_HANDLER", "STAGE", "TW_POLICY"],
        known: true,
        secret: false,
      });
    },
  );

  it("shares one DefenderLayer among 100 functions: one download, one LayerVersion, one encode per function", async () => {
    const m = ctx.mocks();
    const layer = new DefenderLayer("node-defender", { runtime: "nodejs" });
    const fns = Array.from(
      { length: 100 },
      (_, i) =>
        new ProtectedLambda(`fn-${i}`, {
          runtime: "nodejs20.x",
          handler: "index.handler",
          role: ROLE,
          code: new pulumi.asset.AssetArchive({
            "index.js": new pulumi.asset.StringAsset("exports.handler = async () => 1;"),
          }),
          defenderLayer: layer,
        }),
    );
    await Promise.all(fns.map((f) => promiseOf(f.arn)));
    expect(m.children(LAYER)).toHaveLength(1);
    expect(m.children(FUNCTION)).toHaveLength(100);
    for (const f of m.children(FUNCTION)) {
      expect(f.inputs.layers).toEqual([
        "arn:aws:lambda:us-east-1:123456789012:layer:node-defender:1",
      ]);
    }
    expect(ctx.sim.requestsTo("images/twistlock_defender_layer.zip")).toHaveLength(1);
    expect(ctx.sim.requestsTo("policies/runtime/serverless/encode")).toHaveLength(100);
    expect(ctx.sim.requestsTo("defenders/serverless/bundle")).toHaveLength(0);
  });

  it("downloads one layer per runtime family and sends the family value", async () => {
    const m = ctx.mocks();
    const layers = {
      nodejs: new DefenderLayer("n", { runtime: "nodejs", nodeJSModuleType: "ecmascript" }),
      python: new DefenderLayer("p", { runtime: "python" }),
      ruby: new DefenderLayer("r", { runtime: "ruby" }),
    };
    const fns = [
      ["nodejs20.x", "index.handler", layers.nodejs],
      ["nodejs22.x", "index.handler", layers.nodejs],
      ["python3.11", "app.handler", layers.python],
      ["python3.13", "app.handler", layers.python],
      ["ruby3.2", "function.handler", layers.ruby],
    ].map(
      ([runtime, handler, layer], i) =>
        new ProtectedLambda(`f${i}`, {
          runtime: runtime as any,
          handler: handler as string,
          role: ROLE,
          s3Bucket: "b",
          s3Key: "k",
          defenderLayer: layer as DefenderLayer,
        }),
    );
    await Promise.all(fns.map((f) => promiseOf(f.arn)));
    expect(ctx.sim.requestsTo("images/twistlock_defender_layer.zip")).toHaveLength(3);
    expect(ctx.sim.requestsTo("policies/runtime/serverless/encode")).toHaveLength(5);
    const byName = Object.fromEntries(m.children(LAYER).map((l) => [l.name, l]));
    expect(await zipJson(await archivePathOf(byName.n), "manifest.json")).toMatchObject({
      runtime: "nodejs",
      nodeJSModuleType: "ecmascript",
    });
    expect(await zipJson(await archivePathOf(byName.p), "manifest.json")).toMatchObject({
      runtime: "python",
    });
    expect(byName.p.inputs.compatibleRuntimes).toEqual([
      "python3.9",
      "python3.10",
      "python3.11",
      "python3.12",
      "python3.13",
      "python3.14",
    ]);
  });

  it.each([
    [{ "index.mjs": "export const handler = async () => 1;" }, "index.handler", "ecmascript"],
    [
      {
        "package.json": '{"type":"module"}',
        "src/app.js": "export const handler = async () => 1;",
      },
      "src/app.handler",
      "ecmascript",
    ],
    [
      {
        "package.json": '{"type":"module"}',
        "src/package.json": "{}",
        "src/app.js": "exports.handler = 1;",
      },
      "src/app.handler",
      "commonjs",
    ],
    [{ "index.cjs": "exports.handler = async () => 1;" }, "index.handler", "commonjs"],
    [{ "other.js": "" }, "index.handler", "commonjs"],
  ])(
    "makes its own layer for the handler's module system (%#)",
    async (files, handler, expected) => {
      const m = ctx.mocks();
      const fn = new ProtectedLambda("esm", {
        runtime: "nodejs22.x",
        handler,
        role: ROLE,
        code: code(files),
      });
      await promiseOf(fn.arn);
      const manifest = await zipJson(await archivePathOf(m.children(LAYER)[0]), "manifest.json");
      expect(manifest.nodeJSModuleType).toBe(expected);
    },
  );

  it("refuses a CommonJS layer, given or asked for, for an ES module handler", async () => {
    const m = ctx.mocks();
    const shared = new DefenderLayer("cjs", { runtime: "nodejs" });
    const esm = { "index.mjs": "export const handler = async () => 1;" };
    const errors = await captureDeployErrors(() =>
      pulumi.all([
        new ProtectedLambda("a", {
          runtime: "nodejs20.x",
          handler: "index.handler",
          role: ROLE,
          code: code(esm),
          defenderLayer: shared,
        }).arn,
        new ProtectedLambda("b", {
          runtime: "nodejs20.x",
          handler: "index.handler",
          role: ROLE,
          code: code(esm),
          nodeJSModuleType: "commonjs",
        }).arn,
      ]),
    );
    const text = errors.join("\n");
    expect(text).toContain(
      'ProtectedLambda a: defenderLayer: was made for commonjs handlers, but index.handler is an ES module: use a DefenderLayer with nodeJSModuleType "ecmascript".',
    );
    expect(text).toContain(
      'ProtectedLambda b: nodeJSModuleType: is "commonjs", but the handler\'s code is an ES module.',
    );
    expect(m.children(FUNCTION)).toHaveLength(0);
  });

  it("takes a layer ARN instead, and refuses a shared layer of another family", async () => {
    const m = ctx.mocks();
    const fn = new ProtectedLambda("byarn", {
      runtime: "python3.12",
      handler: "app.handler",
      role: ROLE,
      s3Bucket: "b",
      s3Key: "k",
      defenderLayerArn: "arn:aws:lambda:us-east-1:1:layer:twistlock:7",
    });
    await promiseOf(fn.arn);
    expect(m.children(LAYER)).toHaveLength(0);
    expect(m.children(FUNCTION)[0].inputs.layers).toEqual([
      "arn:aws:lambda:us-east-1:1:layer:twistlock:7",
    ]);
    expect(ctx.sim.requestsTo("images/twistlock_defender_layer.zip")).toHaveLength(0);
  });
});

describe("region", () => {
  it("TW_POLICY is encoded for the region of each function's AWS provider, looked up once per provider", async () => {
    // The mock answers getRegion with the region of the provider asked (from its URN), as the AWS provider does.
    const m = ctx.mocks({
      call: (args) =>
        args.token === "aws:index/getRegion:getRegion"
          ? { region: args.provider?.includes("::west") ? "us-west-2" : "us-east-1" }
          : undefined,
    });
    const west = new aws.Provider("west", { region: "us-west-2" });
    const layer = new DefenderLayer("py-defender", { runtime: "python" });
    const make = (name: string, opts?: pulumi.ComponentResourceOptions) =>
      new ProtectedLambda(
        name,
        {
          runtime: "python3.12",
          handler: "app.handler",
          role: ROLE,
          code: code({ "app.py": "def handler(e, c):\n    return 1\n" }),
          defenderLayer: layer,
        },
        opts,
      );
    const fns = [make("east-1"), make("west-1", { provider: west }), make("east-2")];
    fns.push(make("west-2", { providers: { aws: west } }));
    await Promise.all(fns.map((f) => promiseOf(f.arn)));
    const regions = m.children(FUNCTION).map((f) => {
      const policy = JSON.parse(Buffer.from(variablesOf(f).TW_POLICY, "base64").toString());
      return [f.name, policy.region];
    });
    expect(Object.fromEntries(regions)).toEqual({
      "east-1": "us-east-1",
      "west-1": "us-west-2",
      "east-2": "us-east-1",
      "west-2": "us-west-2",
    });
    expect(m.calls.filter((c) => c.token === "aws:index/getRegion:getRegion")).toHaveLength(2);
  });
});
