import * as aws from "@pulumi/aws";
import {
  layerCompatibleRuntimes,
  layerRuntimeForFamily,
  LambdaRuntime,
  RUNTIMES,
  runtimeInfo,
} from "../../provider/lambda/runtimes";
// The Console's 34.04 schema as the simulator carries it (shared.LambdaRuntimeType).
import spec from "../../provider/simulator/spec/compute-34.04-defender-schemas.json";

const consoleRuntimes: string[] = (spec as any).components.schemas["shared.LambdaRuntimeType"].enum;

// Runtimes AWS still accepts for new functions: aws.lambda.Runtime minus the ones @pulumi/aws marks deprecated.
const awsCurrent = [
  "dotnet6",
  "dotnet8",
  "dotnet10",
  "java11",
  "java17",
  "java21",
  "java25",
  "java8.al2",
  "nodejs18.x",
  "nodejs20.x",
  "nodejs22.x",
  "nodejs24.x",
  "provided.al2",
  "provided.al2023",
  "python3.10",
  "python3.11",
  "python3.12",
  "python3.13",
  "python3.14",
  "python3.9",
  "ruby3.2",
  "ruby3.3",
  "ruby3.4",
];

describe("the runtime table", () => {
  it("has a row for every current AWS runtime, and for go1.x", () => {
    const awsValues = Object.values(aws.lambda.Runtime) as string[];
    for (const r of awsCurrent) expect(awsValues).toContain(r);
    expect(Object.keys(RUNTIMES).sort()).toEqual([...awsCurrent, "go1.x"].sort());
    expect(Object.values(LambdaRuntime).sort()).toEqual(Object.keys(RUNTIMES).sort());
  });

  it("sends only values the Console's 34.04 enum has, for layers and bundles", () => {
    for (const row of Object.values(RUNTIMES)) {
      if (row.layerRuntime) expect(consoleRuntimes).toContain(row.layerRuntime);
      if (row.bundleRuntime) expect(consoleRuntimes).toContain(row.bundleRuntime);
    }
  });

  it("maps versions the Console names to themselves, and newer ones to the family value", () => {
    expect(runtimeInfo("python3.12").bundleRuntime).toBe("python3.12");
    expect(runtimeInfo("python3.14").bundleRuntime).toBe("python");
    expect(runtimeInfo("nodejs22.x").bundleRuntime).toBe("nodejs22.x");
    expect(runtimeInfo("nodejs24.x").bundleRuntime).toBe("nodejs");
    expect(runtimeInfo("java8.al2").bundleRuntime).toBe("java8");
    expect(runtimeInfo("dotnet8").bundleRuntime).toBe("dotnet");
    expect(runtimeInfo("ruby3.3").bundleRuntime).toBe("ruby");
    expect(runtimeInfo("nodejs20.x").layerRuntime).toBe("nodejs");
  });

  it("says why Go and OS-only runtimes cannot be protected", () => {
    for (const r of ["go1.x", "provided.al2", "provided.al2023"]) {
      expect(() => runtimeInfo(r)).toThrow(
        `runtime: "${r}" cannot be protected: the Serverless Defender covers Node.js, Python, Ruby, Java and .NET only`,
      );
    }
    expect(() => runtimeInfo("nodejs16.x")).toThrow(
      'runtime: "nodejs16.x" is not a Lambda runtime the Serverless Defender covers. Use one of: nodejs18.x,',
    );
  });

  it("offers layers for Node.js, Python and Ruby only, with the family's runtimes as compatible runtimes", () => {
    expect(layerCompatibleRuntimes("nodejs")).toEqual([
      "nodejs18.x",
      "nodejs20.x",
      "nodejs22.x",
      "nodejs24.x",
    ]);
    expect(layerCompatibleRuntimes("python")).toHaveLength(6);
    expect(layerCompatibleRuntimes("ruby")).toEqual(["ruby3.2", "ruby3.3", "ruby3.4"]);
    expect(layerCompatibleRuntimes("java")).toEqual([]);
    expect(() => layerRuntimeForFamily("java")).toThrow('runtime: no Defender layer for "java"');
    expect(() => layerRuntimeForFamily("go")).toThrow(
      'runtime: "go" is not a Defender runtime family',
    );
  });

  it("only nodejs24.x among Node runtimes refuses callback handlers", () => {
    const node = Object.values(RUNTIMES).filter((r) => r.family === "nodejs");
    expect(node.filter((r) => !r.callbackHandlers).map((r) => r.runtime)).toEqual(["nodejs24.x"]);
  });

  it.each([
    ["nodejs20.x", "index.handler", true],
    ["nodejs20.x", "src/handlers/app.handler", true],
    ["nodejs20.x", "index.handlers.get", true],
    ["nodejs20.x", "index", false],
    ["nodejs20.x", "../x.handler", false],
    ["python3.12", "app.lambda_handler", true],
    ["python3.12", "src/app.handler", true],
    ["python3.12", "app", false],
    ["ruby3.3", "function.handler", true],
    ["ruby3.3", "lib/function.Billing::Invoices.process", true],
    ["java21", "example.Handler::handleRequest", true],
    ["java21", "example.Handler", true],
    ["java21", "example Handler", false],
    ["dotnet8", "Orders::Orders.Function::Handler", true],
    ["dotnet8", "Orders", true],
  ])("%s handler %s valid=%s", (runtime, handler, valid) => {
    expect(runtimeInfo(runtime).handlerForm.test(handler)).toBe(valid);
  });
});
