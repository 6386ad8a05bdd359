// ProtectedLambda in embedded mode under Pulumi mocks, against the real Console simulator.
import * as pulumi from "@pulumi/pulumi";
import { DefenderLayer } from "../../provider/lambda/defenderLayer";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { captureDeployErrors, promiseOf, registrationsDone } from "../helpers/pulumi";
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

describe("embedded mode", () => {
  const cases: [string, string, Record<string, string>, string, string, string[]][] = [
    [
      "nodejs20.x",
      "src/handlers/app.handler",
      { "src/handlers/app.mjs": "export const handler = async () => 1;" },
      "_prisma_defender_wrapper.handler",
      "nodejs20.x",
      [
        "_prisma_defender_wrapper.mjs",
        "src/handlers/app.mjs",
        "twistlock/index.js",
        "twistlock/package.json",
      ],
    ],
    [
      "nodejs24.x",
      "index.handler",
      { "index.js": "exports.handler = async () => 1;" },
      "_prisma_defender_wrapper.handler",
      "nodejs",
      ["_prisma_defender_wrapper.mjs", "index.js", "twistlock/index.js"],
    ],
    [
      "python3.12",
      "app.handler",
      { "app.py": "def handler(e, c):\n  return 1\n" },
      "_prisma_defender_wrapper.handler",
      "python3.12",
      [
        "_prisma_defender_wrapper.py",
        "app.py",
        "twistlock/__init__.py",
        "twistlock/serverless/__init__.py",
      ],
    ],
    [
      "ruby3.4",
      "function.handler",
      { "function.rb": "def handler(event:, context:) 1 end\n" },
      "_prisma_defender_wrapper.prisma_defender_handler",
      "ruby",
      ["_prisma_defender_wrapper.rb", "function.rb", "twistlock/twistlock.rb"],
    ],
    [
      "java21",
      "example.Handler::protectedHandler",
      { "example/Handler.class": "cafebabe" },
      "example.Handler::protectedHandler",
      "java21",
      ["example/Handler.class", "twistlock/defender-34.04.145.jar"],
    ],
    [
      "dotnet8",
      "Orders::Orders.Function::ProtectedHandler",
      { "Orders.dll": "MZ" },
      "Orders::Orders.Function::ProtectedHandler",
      "dotnet",
      ["Orders.dll", "twistlock/twistlock.34.04.145.nupkg"],
    ],
  ];
  it.each(cases)(
    "%s: bundle and wrapper merged into the code, handler %s",
    async (runtime, handler, files, wrapped, bundleRuntime, expected) => {
      const m = ctx.mocks();
      const compiled = runtime.startsWith("java") || runtime.startsWith("dotnet");
      const fn = new ProtectedLambda("emb", {
        mode: "embedded",
        runtime: runtime as any,
        handler,
        role: ROLE,
        code: code(files),
        codeAlreadyWrapped: compiled || undefined,
        environment: { variables: { STAGE: "prod" } },
      });
      await promiseOf(fn.arn);
      const [f] = m.children(FUNCTION);
      expect(f.inputs.handler).toBe(wrapped);
      expect(f.inputs.layers).toBeUndefined();
      expect(m.children(LAYER)).toHaveLength(0);
      expect(Object.keys(variablesOf(f))).toEqual(["STAGE", "TW_POLICY"]);
      const names = await archiveNamesOf(f);
      for (const e of expected) expect(names).toContain(e);
      expect(await zipJson(await archivePathOf(f), "twistlock/manifest.json")).toMatchObject({
        runtime: bundleRuntime,
      });
      expect(f.inputs.sourceCodeHash).toMatch(/^[A-Za-z0-9+/]{43}=$/);
      expect(await promiseOf(fn.originalHandler)).toBe(handler);
      expect(ctx.sim.requestsTo("defenders/serverless/bundle")).toHaveLength(1);
      expect(ctx.sim.requestsTo("images/twistlock_defender_layer.zip")).toHaveLength(0);
    },
  );

  it("produces byte-identical code and identical child inputs on a second run", async () => {
    const files = {
      "index.js": "exports.handler = async () => 1;",
      "lib/util.js": "module.exports = 2;",
    };
    const dirA = codeDir(files);
    const run = async () => {
      ctx.fresh();
      const m = ctx.mocks();
      const layer = new DefenderLayer("shared", { runtime: "nodejs" });
      const a = new ProtectedLambda("a", {
        mode: "embedded",
        runtime: "nodejs20.x",
        handler: "index.handler",
        role: ROLE,
        code: new pulumi.asset.FileArchive(dirA),
      });
      const b = new ProtectedLambda("b", {
        runtime: "nodejs20.x",
        handler: "index.handler",
        role: ROLE,
        code: new pulumi.asset.FileArchive(dirA),
        defenderLayer: layer,
      });
      await Promise.all([promiseOf(a.arn), promiseOf(b.arn)]);
      const sorted = [...m.resources].sort((x, y) =>
        `${x.type} ${x.name}`.localeCompare(`${y.type} ${y.name}`),
      );
      return Promise.all(
        sorted.map(async (r) => ({
          type: r.type,
          name: r.name,
          inputs: JSON.stringify({
            ...r.inputs,
            code: r.inputs.code ? await archivePathOf(r).catch(() => "assets") : undefined,
          }),
        })),
      );
    };
    const first = await run();
    const second = await run();
    expect(second).toEqual(first);
    expect(first.filter((r) => r.type === FUNCTION)).toHaveLength(2);
  });

  it("refuses code that already has a different twistlock folder, naming the path", async () => {
    const m = ctx.mocks();
    const errors = await captureDeployErrors(
      () =>
        new ProtectedLambda("stale", {
          mode: "embedded",
          runtime: "nodejs20.x",
          handler: "index.handler",
          role: ROLE,
          code: code({ "index.js": "", "twistlock/index.js": "old" }),
        }).arn,
    );
    expect(errors.join("\n")).toContain(
      'code: "twistlock/index.js" comes from both code and the Defender bundle with different contents.',
    );
    expect(m.children(FUNCTION)).toHaveLength(0);
  });
});

describe("embedded mode checks the code before any Console request", () => {
  it.each([
    [
      "a handler file the code lacks",
      { "index.js": "" },
      "src/app.handler",
      'ProtectedLambda early: handler: "src/app.handler" names a module the code does not contain',
    ],
    [
      "a file clashing with the generated wrapper",
      { "index.js": "", "_prisma_defender_wrapper.mjs": "mine" },
      "index.handler",
      'ProtectedLambda early: code: "_prisma_defender_wrapper.mjs" comes from both code and the generated wrapper',
    ],
    [
      "a file where the component adds a folder",
      { "index.js": "", twistlock: "a file" },
      "index.handler",
      'ProtectedLambda early: code: "twistlock" is a file in code and a folder in the generated wrapper.',
    ],
  ])("%s", async (_name, files, handler, message) => {
    const m = ctx.mocks();
    const errors = await captureDeployErrors(
      () =>
        new ProtectedLambda("early", {
          mode: "embedded",
          runtime: "nodejs20.x",
          handler,
          role: ROLE,
          code: code(files),
        }).arn,
    );
    expect(errors.join("\n")).toContain(message);
    expect(m.children(FUNCTION)).toHaveLength(0);
    expect(ctx.sim.requests).toEqual([]);
  });

  it("a clash with the Console's bundle is named with the component's prefix", async () => {
    ctx.mocks();
    const errors = await captureDeployErrors(
      () =>
        new ProtectedLambda("late", {
          mode: "embedded",
          runtime: "nodejs20.x",
          handler: "index.handler",
          role: ROLE,
          code: code({ "index.js": "", "twistlock/index.js": "old" }),
        }).arn,
    );
    expect(errors.join("\n")).toContain(
      'ProtectedLambda late: code: "twistlock/index.js" comes from both code and the Defender bundle',
    );
  });
});
