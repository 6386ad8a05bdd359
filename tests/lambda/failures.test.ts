// What ProtectedLambda does when something is wrong: bad input fails before any request, Console faults leave no
// function registered, and no credential reaches plain state. Also the preview with unknown inputs.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { DefenderLayer } from "../../provider/lambda/defenderLayer";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import type { FaultSpec } from "../../provider/simulator/types";
import {
  captureDeployErrors,
  details,
  isSecretInput,
  plaintextSecretsIn,
  promiseOf,
  registrationsDone,
} from "../helpers/pulumi";
import {
  codeDir,
  FUNCTION,
  LAYER,
  LambdaTestContext,
  lambdaTestContext,
  ROLE,
  variablesOf,
} from "./support";

let ctx: LambdaTestContext;
beforeAll(async () => {
  ctx = await lambdaTestContext();
});
afterAll(() => ctx.close());
beforeEach(() => ctx.fresh());
// Let the last registrations (registerOutputs) finish before the next test installs new mocks.
afterEach(() => registrationsDone());

const nodeCode = () =>
  new pulumi.asset.FileArchive(codeDir({ "index.js": "exports.handler = async () => 1;" }));

describe("bad input fails at construction, before any request", () => {
  const cases: [string, Record<string, unknown>, string][] = [
    [
      "layer and layer ARN",
      { defenderLayerArn: "arn:x", defenderLayer: {} },
      "ProtectedLambda bad: defenderLayer: only one of `defenderLayer` or `defenderLayerArn` can be given. Remove one.",
    ],
    [
      "arm64",
      { architectures: ["arm64"] },
      'architectures: ["arm64"] cannot be protected: the Serverless Defender is not supported on arm64',
    ],
    ["Go", { runtime: "go1.x" }, 'runtime: "go1.x" cannot be protected'],
    [
      "six layers",
      { layers: ["1", "2", "3", "4", "5"] },
      "layers: 5 layers plus the Defender's layer make 6",
    ],
    [
      "TW_POLICY in env",
      { environment: { variables: { TW_POLICY: "mine" } } },
      "environment.variables.TW_POLICY: the component sets TW_POLICY itself",
    ],
    [
      "Java in layer mode",
      { runtime: "java21", handler: "a.B::h" },
      "mode: layer mode cannot protect java21",
    ],
    [
      "Java embedded, not wrapped",
      { mode: "embedded", runtime: "java21", handler: "a.B::h" },
      "codeAlreadyWrapped: java21 code must call the Defender itself.",
    ],
    [
      "bad handler",
      { handler: "index" },
      'handler: "index" is not a nodejs20.x handler. Use the form `index.handler`',
    ],
    [
      "bad name",
      { name: "my function" },
      'name: "my function" is not a valid Lambda function name',
    ],
  ];
  it.each(cases)("%s", (_, extra, message) => {
    ctx.mocks();
    expect(
      () =>
        new ProtectedLambda("bad", {
          runtime: "nodejs20.x",
          handler: "index.handler",
          role: ROLE,
          code: nodeCode(),
          ...extra,
        } as any),
    ).toThrow(message);
    expect(ctx.sim.requests).toEqual([]);
  });

  it("names every problem in one message", () => {
    ctx.mocks();
    expect(
      () =>
        new ProtectedLambda("bad", {
          runtime: "python3.12",
          handler: "app",
          role: ROLE,
          architectures: ["arm64"],
          code: nodeCode(),
        }),
    ).toThrow(/^ProtectedLambda bad: architectures: .*\nProtectedLambda bad: handler: "app"/);
  });

  it("checks Output values once resolved, still before any request", async () => {
    const m = ctx.mocks();
    const errors = await captureDeployErrors(
      () =>
        new ProtectedLambda("late", {
          runtime: pulumi.output("go1.x") as any,
          handler: "index.handler",
          role: ROLE,
          code: nodeCode(),
        }).arn,
    );
    expect(errors.join("\n")).toContain(
      'ProtectedLambda late: runtime: "go1.x" cannot be protected',
    );
    expect(m.children(FUNCTION)).toHaveLength(0);
    expect(
      ctx.sim.requests.filter((r) => r.endpoint !== "authenticate" && r.endpoint !== "version"),
    ).toEqual([]);
  });

  it("refuses a shared layer of another runtime family", async () => {
    const m = ctx.mocks();
    const layer = new DefenderLayer("py", { runtime: "python" });
    const errors = await captureDeployErrors(
      () =>
        new ProtectedLambda("mismatch", {
          runtime: "nodejs20.x",
          handler: "index.handler",
          role: ROLE,
          code: nodeCode(),
          defenderLayer: layer,
        }).arn,
    );
    expect(errors.join("\n")).toContain(
      "defenderLayer: is for python, but runtime nodejs20.x needs a nodejs layer.",
    );
    expect(m.children(FUNCTION)).toHaveLength(0);
  });

  it("DefenderLayer refuses Java, arm64 and a module type outside Node.js", () => {
    ctx.mocks();
    expect(() => new DefenderLayer("j", { runtime: "java" })).toThrow(
      'DefenderLayer j: runtime: no Defender layer for "java"',
    );
    expect(
      () => new DefenderLayer("a", { runtime: "nodejs", compatibleArchitectures: ["arm64"] }),
    ).toThrow("compatibleArchitectures");
    expect(
      () => new DefenderLayer("m", { runtime: "python", nodeJSModuleType: "ecmascript" }),
    ).toThrow('nodeJSModuleType: applies to the nodejs family only; remove it for "python".');
  });
});

describe("Console faults leave no function registered", () => {
  const faults: [string, FaultSpec][] = [
    ["layer 500", { endpoint: "images/twistlock_defender_layer.zip", kind: "status", status: 500 }],
    ["layer corrupt", { endpoint: "images/twistlock_defender_layer.zip", kind: "corruptArchive" }],
    ["layer truncated", { endpoint: "images/twistlock_defender_layer.zip", kind: "truncate" }],
    ["bundle reset", { endpoint: "defenders/serverless/bundle", kind: "reset" }],
    ["bundle corrupt", { endpoint: "defenders/serverless/bundle", kind: "corruptArchive" }],
    ["encode 403", { endpoint: "policies/runtime/serverless/encode", kind: "status", status: 403 }],
    ["encode not JSON", { endpoint: "policies/runtime/serverless/encode", kind: "malformedJson" }],
    ["encode reset", { endpoint: "policies/runtime/serverless/encode", kind: "reset" }],
    ["login 401", { endpoint: "authenticate", kind: "status", status: 401 }],
  ];
  it.each(faults)("%s", async (_, fault) => {
    const m = ctx.mocks();
    ctx.sim.injectFault(fault);
    const errors = await captureDeployErrors(() => {
      const layer = new ProtectedLambda("viaLayer", {
        runtime: "nodejs20.x",
        handler: "index.handler",
        role: ROLE,
        code: nodeCode(),
      });
      const embedded = new ProtectedLambda("embedded", {
        mode: "embedded",
        runtime: "python3.12",
        handler: "app.handler",
        role: ROLE,
        code: new pulumi.asset.FileArchive(
          codeDir({ "app.py": "def handler(e, c):\n  return 1\n" }),
        ),
      });
      return pulumi.all([layer.arn, embedded.arn]);
    });
    expect(errors.length).toBeGreaterThan(0);
    const hit =
      fault.endpoint === "images/twistlock_defender_layer.zip"
        ? ["viaLayer"]
        : fault.endpoint === "defenders/serverless/bundle"
          ? ["embedded"]
          : ["viaLayer", "embedded"];
    const registered = m.children(FUNCTION).map((f) => f.name);
    for (const name of hit) expect(registered).not.toContain(name);
    // A function that did register carries the whole protection.
    for (const f of m.children(FUNCTION)) expect(variablesOf(f).TW_POLICY).toMatch(/^eyJ/);
    const text = errors.join("\n");
    expect(text).not.toContain(ctx.sim.credentials.password);
  });
});

describe("secrets", () => {
  it("keeps TW_POLICY and credentials out of every plain input and output", async () => {
    const m = ctx.mocks();
    const a = new ProtectedLambda("a", {
      runtime: "nodejs20.x",
      handler: "index.handler",
      role: ROLE,
      code: nodeCode(),
      environment: { variables: { STAGE: "prod" } },
    });
    const b = new ProtectedLambda("b", {
      mode: "embedded",
      runtime: "nodejs20.x",
      handler: "index.handler",
      role: ROLE,
      code: nodeCode(),
    });
    await Promise.all([promiseOf(a.arn), promiseOf(b.arn)]);
    const policies = [await promiseOf(a.twPolicy), await promiseOf(b.twPolicy)];
    expect(await details(a.twPolicy)).toMatchObject({ secret: true });
    expect(await details(a.environmentVariableNames)).toMatchObject({ secret: false });
    expect(await details(a.defenderVersion)).toMatchObject({ secret: false });
    for (const f of m.children(FUNCTION)) expect(isSecretInput(f.inputs.environment)).toBe(true);
    const secrets = [...policies, ctx.sim.credentials.password, ctx.sim.secrets.marker];
    expect(plaintextSecretsIn(m.resources, secrets)).toEqual([]);
    // The layer's hash and the function's code stay reviewable: not secret.
    expect(isSecretInput(m.children(LAYER)[0].inputs.sourceCodeHash)).toBe(false);
    expect(isSecretInput(m.children(FUNCTION).find((f) => f.name === "b")!.inputs.code)).toBe(
      false,
    );
  });

  it("fails closed when the real TW_POLICY takes the environment over 4 KB", async () => {
    const m = ctx.mocks();
    // The simulator's policy names the region twice: a long one makes the real value outgrow the 1 KB estimate.
    const errors = await captureDeployErrors(
      () =>
        new ProtectedLambda("big", {
          runtime: "nodejs20.x",
          handler: "index.handler",
          role: ROLE,
          code: nodeCode(),
          region: "r".repeat(600),
          environment: { variables: { BIG: "x".repeat(2900) } },
        }).arn,
    );
    expect(errors.join("\n")).toMatch(
      /environment.variables: with the Console's TW_POLICY \(\d+ bytes\) the environment is \d+ bytes, over Lambda's 4096/,
    );
    expect(m.children(FUNCTION)).toHaveLength(0);
  });
});

describe("preview", () => {
  it("registers the function with unknown inputs where the inputs are unknown, and makes no bundle call for unknown code", async () => {
    // A role being created: its ARN is unknown in a preview.
    const m = ctx.mocks({
      preview: true,
      state: (a) => (a.type === "aws:iam/role:Role" ? { arn: undefined } : undefined),
    });
    const role = new aws.iam.Role("role", { assumeRolePolicy: "{}" });
    const unknownCode = role.arn.apply(() => nodeCode());
    const fn = new ProtectedLambda("p", {
      mode: "embedded",
      runtime: "nodejs20.x",
      handler: "index.handler",
      role: role.arn,
      code: unknownCode,
    });
    const names = await details(fn.environmentVariableNames);
    expect(names).toEqual({ value: ["TW_POLICY"], known: true, secret: false });
    // The physical name is fixed by the component, so even this preview shows it.
    expect(await details(fn.name)).toMatchObject({ known: true, value: "p" });
    await registrationsDone();
    expect(m.children(FUNCTION)).toHaveLength(1);
    const [f] = m.children(FUNCTION);
    // Role, code and the wrapper's handler are unknown; name, runtime and the environment's names are not.
    for (const key of ["role", "code", "handler"])
      expect(f.inputs[key]).toEqual({ __pulumiUnknown: true });
    expect(f.inputs).toMatchObject({ name: "p", runtime: "nodejs20.x" });
    expect(ctx.sim.requestsTo("defenders/serverless/bundle")).toHaveLength(0);
    expect(ctx.sim.requestsTo("policies/runtime/serverless/encode")).toHaveLength(1);
  });
});
