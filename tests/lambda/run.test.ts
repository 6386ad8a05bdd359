// The protected functions RUN: code built by the components from the simulator's bundle and layer, extracted
// with yauzl, invoked by AWS's own runtime interface client (Node.js) or imported by python3 as Lambda would.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { extractZip } from "../../provider/core/archive";
import { promiseOf, registrationsDone } from "../helpers/pulumi";
import { invokeWithRic } from "./ric";
import {
  archivePathOf,
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
afterEach(() => registrationsDone());

const EVENT = { orderId: 42, items: ["a", "b"] };
const REPORT = `({ got: event, requestId: context.awsRequestId, functionName: context.functionName,
  defenderRanFirst: process.env.TW_DEFENDER_SIMULATED || null, policySet: !!process.env.TW_POLICY })`;

const SOURCES = {
  cjsAsync: { "index.js": `exports.handler = async (event, context) => (${REPORT});\n` },
  cjsCallback: {
    "index.js": `exports.handler = (event, context, callback) => { setImmediate(() => callback(null, ${REPORT})); };\n`,
  },
  esmNested: {
    "src/handlers/app.mjs": `export const handler = async (event, context) => (${REPORT});\n`,
  },
  esmTypeModule: {
    "package.json": '{ "type": "module" }\n',
    "index.js": `export async function handler(event, context) { return ${REPORT}; }\n`,
  },
};

interface Built {
  root: string;
  handler: string;
  env: Record<string, string>;
  layerDir?: string;
}

function tmpDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), "lambda-run-"));
}

/** Protect `files` with the component, and lay the result out on disk as Lambda would. */
async function build(
  mode: "layer" | "embedded",
  runtime: string,
  handler: string,
  files: Record<string, string>,
  nodeJSModuleType?: "commonjs" | "ecmascript",
): Promise<Built> {
  const m = ctx.mocks();
  const dir = codeDir(files);
  const fn = new ProtectedLambda("demo", {
    mode,
    runtime: runtime as any,
    handler,
    role: ROLE,
    code: new pulumi.asset.FileArchive(dir),
    nodeJSModuleType,
  });
  await promiseOf(fn.arn);
  const [f] = m.children(FUNCTION);
  const env = variablesOf(f);
  if (mode === "embedded") {
    const root = tmpDir();
    await extractZip(await archivePathOf(f), root);
    return { root, handler: f.inputs.handler, env };
  }
  const layerDir = tmpDir();
  await extractZip(await archivePathOf(m.children(LAYER)[0]), layerDir);
  return { root: dir, handler: f.inputs.handler, env, layerDir };
}

function expectProtectedResult(body: any): void {
  expect(body).toEqual({
    got: EVENT,
    requestId: "req-1",
    functionName: "demo",
    defenderRanFirst: expect.any(String),
    policySet: true,
  });
}

describe("Node.js, embedded: the generated wrapper in aws-lambda-ric", () => {
  it.each([
    ["v3", "nodejs20.x", "index.handler", SOURCES.cjsAsync],
    ["v3", "nodejs20.x", "index.handler", SOURCES.cjsCallback],
    ["v3", "nodejs22.x", "src/handlers/app.handler", SOURCES.esmNested],
    ["v3", "nodejs18.x", "index.handler", SOURCES.esmTypeModule],
    ["v4", "nodejs24.x", "index.handler", SOURCES.cjsAsync],
    ["v4", "nodejs24.x", "src/handlers/app.handler", SOURCES.esmNested],
    ["v4", "nodejs24.x", "index.handler", SOURCES.esmTypeModule],
  ] as const)("ric %s, %s, %s (%#)", async (ric, runtime, handler, files) => {
    const built = await build("embedded", runtime, handler, files);
    expect(built.handler).toBe("_prisma_defender_wrapper.handler");
    const r = await invokeWithRic({
      ric,
      taskRoot: built.root,
      handler: built.handler,
      event: EVENT,
      env: built.env,
    });
    expect(r.kind).toBe("response");
    expectProtectedResult(r.body);
    expect(r.body.defenderRanFirst).toBe("embedded");
    expect(r.stderr).toContain("twistlock-defender(simulated): embedded invoke");
  });

  it("nodejs24.x refuses a callback handler at load, as Lambda does without the Defender", async () => {
    const built = await build("embedded", "nodejs24.x", "index.handler", SOURCES.cjsCallback);
    const r = await invokeWithRic({
      ric: "v4",
      taskRoot: built.root,
      handler: built.handler,
      event: EVENT,
      env: built.env,
    });
    expect(r.kind).toBe("initError");
    expect(r.body.errorType).toBe("Runtime.CallbackHandlerDeprecated");
    expect(r.body.errorMessage).toContain("removed support for callback-based function handlers");
  });
});

describe("Node.js, layer mode: twistlock.handler from the layer in aws-lambda-ric", () => {
  it.each([
    ["v3", "nodejs20.x", "index.handler", SOURCES.cjsAsync, "commonjs"],
    ["v3", "nodejs20.x", "index.handler", SOURCES.cjsCallback, "commonjs"],
    ["v3", "nodejs22.x", "src/handlers/app.handler", SOURCES.esmNested, "ecmascript"],
    ["v4", "nodejs24.x", "src/handlers/app.handler", SOURCES.esmNested, "ecmascript"],
  ] as const)("ric %s, %s, %s (%#)", async (ric, runtime, handler, files, moduleType) => {
    // No nodeJSModuleType given: the component reads the handler's module system from the code.
    const built = await build("layer", runtime, handler, files);
    const manifest = JSON.parse(
      fs.readFileSync(path.join(built.layerDir!, "manifest.json"), "utf8"),
    );
    expect(manifest.nodeJSModuleType).toBe(moduleType);
    expect(built.handler).toBe("twistlock.handler");
    expect(built.env.ORIGINAL_HANDLER).toBe(handler);
    const r = await invokeWithRic({
      ric,
      taskRoot: built.root,
      handler: built.handler,
      event: EVENT,
      env: { ...built.env, NODE_PATH: path.join(built.layerDir!, "nodejs/node_modules") },
    });
    expect(r.kind).toBe("response");
    expectProtectedResult(r.body);
    expect(r.body.defenderRanFirst).toBe("layer");
  });
});

const PY_CALL = `
import json, os, sys, importlib
sys.path[:0] = json.loads(sys.argv[1])
module_name, fn = sys.argv[2].rsplit(".", 1)
handler = getattr(importlib.import_module(module_name.replace("/", ".")), fn)
class Context:
    function_name = "demo"
    aws_request_id = "req-1"
    def get_remaining_time_in_millis(self):
        return 60000
print(json.dumps(handler(json.loads(sys.argv[3]), Context())))
`;

const PY_SOURCE = `import os

def handler(event, context):
    return {"got": event, "requestId": context.aws_request_id, "functionName": context.function_name,
            "defenderRanFirst": os.environ.get("TW_DEFENDER_SIMULATED"), "policySet": bool(os.environ.get("TW_POLICY"))}
`;

function runPython(paths: string[], handler: string, env: Record<string, string>): any {
  const out = execFileSync(
    "python3",
    ["-c", PY_CALL, JSON.stringify(paths), handler, JSON.stringify(EVENT)],
    {
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return JSON.parse(out.trim().split("\n").pop()!);
}

describe("Python, imported by python3 as Lambda's runtime does", () => {
  it("embedded: the wrapper module decorates the original handler", async () => {
    const built = await build("embedded", "python3.12", "src/handlers/app.handler", {
      "src/handlers/app.py": PY_SOURCE,
      "src/__init__.py": "",
      "src/handlers/__init__.py": "",
    });
    expect(built.handler).toBe("_prisma_defender_wrapper.handler");
    const body = runPython([built.root], built.handler, {
      ...built.env,
      LAMBDA_TASK_ROOT: built.root,
    });
    expectProtectedResult(body);
    expect(body.defenderRanFirst).toBe("embedded");
  });

  it("layer: twistlock.handler from <layer>/python chains ORIGINAL_HANDLER", async () => {
    const built = await build("layer", "python3.11", "app.handler", { "app.py": PY_SOURCE });
    const body = runPython([built.root, path.join(built.layerDir!, "python")], built.handler, {
      ...built.env,
      LAMBDA_TASK_ROOT: built.root,
    });
    expectProtectedResult(body);
    expect(body.defenderRanFirst).toBe("layer");
  });
});

const RB_CALL = `
require "json"
ARGV[0].split(File::PATH_SEPARATOR).each { |p| $LOAD_PATH.unshift(p) }
file, meth = ARGV[1].split(".", 2)
require file
Context = Struct.new(:function_name, :aws_request_id) do
  def get_remaining_time_in_millis = 60000
end
ctx = Context.new("demo", "req-1")
puts JSON.generate(TOPLEVEL_BINDING.receiver.send(meth.to_sym, event: JSON.parse(ARGV[2]), context: ctx))
`;

const RB_REPORT = `{ "got" => event, "requestId" => context.aws_request_id, "functionName" => context.function_name,
    "defenderRanFirst" => ENV["TW_DEFENDER_SIMULATED"], "policySet" => !ENV["TW_POLICY"].to_s.empty? }`;

const RB_SOURCES = {
  topLevel: { "function.rb": `def handler(event:, context:)\n  ${RB_REPORT}\nend\n` },
  classMethod: {
    "lib/billing.rb": `module Billing\n  class Invoices\n    def self.process(event:, context:)\n      ${RB_REPORT}\n    end\n  end\nend\n`,
  },
};

function runRuby(paths: string[], handler: string, env: Record<string, string>): any {
  const out = execFileSync(
    "ruby",
    ["-e", RB_CALL, paths.join(path.delimiter), handler, JSON.stringify(EVENT)],
    {
      env: { PATH: process.env.PATH ?? "", ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  return JSON.parse(out.trim().split("\n").pop()!);
}

describe("Ruby, loaded by ruby as Lambda's runtime does (file.method, keyword arguments)", () => {
  it.each([
    ["function.handler", RB_SOURCES.topLevel],
    ["lib/billing.Billing::Invoices.process", RB_SOURCES.classMethod],
  ])("embedded: %s through the generated wrapper", async (handler, files) => {
    const built = await build("embedded", "ruby3.3", handler, files);
    expect(built.handler).toBe("_prisma_defender_wrapper.prisma_defender_handler");
    const body = runRuby([built.root], built.handler, {
      ...built.env,
      LAMBDA_TASK_ROOT: built.root,
    });
    expectProtectedResult(body);
    expect(body.defenderRanFirst).toBe("embedded");
  });

  it("layer: twistlock.handler from <layer>/ruby/lib chains ORIGINAL_HANDLER", async () => {
    const built = await build("layer", "ruby3.3", "function.handler", RB_SOURCES.topLevel);
    const body = runRuby([built.root, path.join(built.layerDir!, "ruby/lib")], built.handler, {
      ...built.env,
      LAMBDA_TASK_ROOT: built.root,
    });
    expectProtectedResult(body);
    expect(body.defenderRanFirst).toBe("layer");
  });
});
