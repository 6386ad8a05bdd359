import { defenderEnvironment, plainPreflightInput } from "../../provider/lambda/lambdaInputs";
import * as pulumi from "@pulumi/pulumi";
import { describeProblem, InputProblem } from "../../provider/core/problems";
import * as rules from "../../provider/lambda/lambdaPreflight";
import {
  deriveFunctionName,
  derivePhysicalName,
  environmentSize,
  LambdaPreflightInput,
  TW_POLICY_SIZE_ESTIMATE,
} from "../../provider/lambda/lambdaPreflight";

// The rules' problems as a message reads them: `field: problem. fix`.
const text = (p: InputProblem | undefined) => p && describeProblem(p);
const preflightLambda = (input: LambdaPreflightInput) =>
  rules.preflightLambda(input).map(describeProblem);
const checkFinalEnvironment = (vars: Record<string, string>) =>
  text(rules.checkFinalEnvironment(vars));
const checkCodeSize = (zipped: number, unzipped: number) =>
  text(rules.checkCodeSize(zipped, unzipped));

const base: LambdaPreflightInput = {
  mode: "layer",
  runtime: "nodejs20.x",
  handler: "index.handler",
  layerGiven: false,
  userLayerCount: 0,
  environment: {},
};

describe("deriveFunctionName", () => {
  it("keeps a valid resource name as it is", () => {
    expect(deriveFunctionName("orders-api")).toBe("orders-api");
  });
  it("makes invalid characters valid and adds a hash so different names stay different", () => {
    expect(deriveFunctionName("orders.api")).toMatch(/^orders-api-[0-9a-f]{8}$/);
    expect(deriveFunctionName("orders.api")).not.toBe(deriveFunctionName("orders/api"));
  });
  it("fits 64 characters, deterministically", () => {
    const long = "a".repeat(100);
    expect(deriveFunctionName(long)).toHaveLength(64);
    expect(deriveFunctionName(long)).toBe(deriveFunctionName(long));
    expect(deriveFunctionName(long)).not.toBe(deriveFunctionName(long + "b"));
    expect(derivePhysicalName("x".repeat(200), 140)).toHaveLength(140);
  });
});

describe("preflightLambda", () => {
  it("accepts a plain Node.js function in layer mode", () => {
    expect(preflightLambda(base)).toEqual([]);
  });

  it("refuses arm64 with the fix", () => {
    expect(preflightLambda({ ...base, architectures: ["arm64"] })).toEqual([
      'architectures: ["arm64"] cannot be protected: the Serverless Defender is not supported on arm64 (Prisma Cloud docs). Set architectures to ["x86_64"] or leave it unset.',
    ]);
  });

  it("counts the Defender's layer against Lambda's 5", () => {
    expect(preflightLambda({ ...base, userLayerCount: 4 })).toEqual([]);
    expect(preflightLambda({ ...base, userLayerCount: 5 })).toEqual([
      "layers: 5 layers plus the Defender's layer make 6, over Lambda's limit of 5. Remove or merge 1 of your layers, or use mode `embedded`, which adds no layer.",
    ]);
    expect(
      preflightLambda({ ...base, mode: "embedded", userLayerCount: 5, hasLocalCode: true }),
    ).toEqual([]);
  });

  it("refuses the variables the component sets, and the ones Lambda reserves", () => {
    expect(
      preflightLambda({
        ...base,
        environment: { TW_POLICY: "x", AWS_REGION: "y", "bad-key": "z" },
      }),
    ).toEqual([
      "environment.variables.AWS_REGION: Lambda reserves AWS_REGION; remove it from your variables.",
      "environment.variables.TW_POLICY: the component sets TW_POLICY itself; remove it from your variables.",
      "environment.variables.bad-key: Lambda accepts only keys matching [a-zA-Z][a-zA-Z0-9_]*.",
    ]);
    expect(preflightLambda({ ...base, environment: { ORIGINAL_HANDLER: "a.b" } })[0]).toContain(
      "the component sets ORIGINAL_HANDLER itself",
    );
  });

  it("reserves room for TW_POLICY in the 4 KB environment before asking the Console", () => {
    const room =
      4096 -
      TW_POLICY_SIZE_ESTIMATE -
      "TW_POLICY".length -
      "ORIGINAL_HANDLER".length -
      "index.handler".length;
    const fits = { BIG: "x".repeat(room - 3) };
    expect(environmentSize(fits)).toBe(room);
    expect(preflightLambda({ ...base, environment: fits })).toEqual([]);
    const over = { BIG: "x".repeat(room - 2) };
    expect(preflightLambda({ ...base, environment: over })[0]).toMatch(
      /^environment.variables: your variables and ORIGINAL_HANDLER take \d+ of Lambda's 4096 bytes, leaving \d+ for TW_POLICY, which needs about 1024\. Move large values/,
    );
  });

  it("requires codeAlreadyWrapped for Java and .NET in embedded mode, with the docs' steps", () => {
    const [problem] = preflightLambda({
      ...base,
      mode: "embedded",
      runtime: "java21",
      handler: "example.Handler::protectedHandler",
      hasLocalCode: true,
    });
    expect(problem).toContain("codeAlreadyWrapped: java21 code must call the Defender itself.");
    expect(problem).toContain("Twistlock.Handler(this, request, context)");
    expect(problem).toContain("com.twistlock.serverless:defender");
    const dotnet = preflightLambda({
      ...base,
      mode: "embedded",
      runtime: "dotnet8",
      handler: "A::B.C::D",
      hasLocalCode: true,
    });
    expect(dotnet[0]).toContain(
      "Twistlock.Serverless.Handler<TRequest, TResponse>(Handler, request, context)",
    );
    expect(
      preflightLambda({
        ...base,
        mode: "embedded",
        runtime: "java21",
        handler: "a.B::h",
        hasLocalCode: true,
        codeAlreadyWrapped: true,
      }),
    ).toEqual([]);
  });

  it("refuses layer mode for Java, and layer options in embedded mode", () => {
    expect(preflightLambda({ ...base, runtime: "java17", handler: "a.B::h" })[0]).toContain(
      "mode: layer mode cannot protect java17: the Console's documentation gives the layer's handler",
    );
    expect(
      preflightLambda({ ...base, mode: "embedded", layerGiven: true, hasLocalCode: true }),
    ).toEqual([
      "defenderLayer/defenderLayerArn: apply to mode `layer` only; remove them for mode `embedded`.",
    ]);
    expect(preflightLambda({ ...base, mode: "embedded", hasLocalCode: false })[0]).toContain(
      "code: embedded mode adds the Defender to the function's code",
    );
  });

  it("refuses nodeJSModuleType where it would be ignored", () => {
    expect(preflightLambda({ ...base, layerGiven: true, moduleTypeGiven: true })).toEqual([
      "nodeJSModuleType: shapes only the layer the component makes itself; set it on your DefenderLayer instead.",
    ]);
    expect(
      preflightLambda({ ...base, mode: "embedded", hasLocalCode: true, moduleTypeGiven: true }),
    ).toEqual(["nodeJSModuleType: applies to mode `layer` only; remove it for mode `embedded`."]);
  });

  it("lists every problem at once", () => {
    const problems = preflightLambda({
      ...base,
      runtime: "python3.12",
      handler: "app",
      architectures: ["arm64"],
      name: "bad name",
    });
    expect(problems).toHaveLength(3);
    expect(problems.map((p) => p.split(":")[0]).sort()).toEqual([
      "architectures",
      "handler",
      "name",
    ]);
  });

  it("checks a bad mode string (YAML programs are not type-checked)", () => {
    expect(preflightLambda({ ...base, mode: "sidecar" as never })).toContain(
      'mode: "sidecar" is not one of: layer, embedded.',
    );
  });
});

describe("after the Console answered", () => {
  it("fails closed when the real TW_POLICY takes the environment over 4 KB", () => {
    const input = {
      ...base,
      runtime: "nodejs20.x",
      handler: "index.handler",
      environment: { A: "x".repeat(2500) },
    };
    const ok = defenderEnvironment(input, "p".repeat(1000));
    expect(ok.problem).toBeUndefined();
    expect(Object.keys(ok.variables)).toEqual(["A", "ORIGINAL_HANDLER", "TW_POLICY"]);
    const over = defenderEnvironment(input, "p".repeat(1600));
    expect(text(over.problem)).toMatch(
      /^environment.variables: with the Console's TW_POLICY \(1600 bytes\) the environment is 4139 bytes/,
    );
    expect(checkFinalEnvironment({ A: "b" })).toBeUndefined();
  });

  it("sets no ORIGINAL_HANDLER in embedded mode", () => {
    const input = {
      ...base,
      mode: "embedded" as const,
      runtime: "nodejs20.x",
      handler: "index.handler",
      environment: {},
    };
    expect(defenderEnvironment(input, "p").variables).toEqual({ TW_POLICY: "p" });
  });

  it("checks embedded code against Lambda's 50 MB zipped and 250 MB unzipped", () => {
    expect(checkCodeSize(50 * 1024 * 1024, 100)).toBeUndefined();
    expect(checkCodeSize(50 * 1024 * 1024 + 1, 100)).toContain(
      "over Lambda's 50 MB for a direct upload",
    );
    expect(checkCodeSize(1, 250 * 1024 * 1024 + 1)).toContain(
      "250.0 MB unzipped, over Lambda's 250 MB",
    );
  });
});

describe("plainPreflightInput", () => {
  it("takes plain values and leaves Outputs for later", () => {
    const input = plainPreflightInput(
      "layer",
      {
        runtime: "nodejs20.x",
        handler: pulumi.output("index.handler"),
        layers: ["a"],
        environment: { variables: { A: "b" } },
      },
      "fn",
    );
    expect(input).toMatchObject({
      runtime: "nodejs20.x",
      handler: undefined,
      userLayerCount: 1,
      environment: { A: "b" },
      name: "fn",
    });
  });
});
