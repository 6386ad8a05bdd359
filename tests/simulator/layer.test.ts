// The Lambda layer and the embedded serverless bundle: their layout, and their handlers really running (Node in a
// child process, Python with python3, Ruby with ruby: scripts/setup.sh installs both).
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { call, extractZip, login, tempDir, unzip } from "./helpers";

/** Writes a function's code into a fresh task root. */
function taskRoot(files: Record<string, string>): string {
  const root = tempDir("twsim-task-");
  for (const [name, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, name)), { recursive: true });
    fs.writeFileSync(path.join(root, name), content);
  }
  return root;
}

/** Runs `twistlock.handler` of an extracted Node layer the way Lambda would, in a child process. */
function runNodeLayer(layer: string, root: string, originalHandler: string) {
  const script = `
    const layer = require(${JSON.stringify(path.join(layer, "nodejs/node_modules/twistlock"))});
    layer.handler({ n: 20 }, { functionName: "demo", awsRequestId: "r-1" })
      .then((r) => console.log(JSON.stringify(r)), (e) => { console.log("ERROR " + e.message); process.exit(3); });`;
  return spawnSync(process.execPath, ["-e", script], {
    env: {
      PATH: process.env.PATH,
      LAMBDA_TASK_ROOT: root,
      ORIGINAL_HANDLER: originalHandler,
      TW_POLICY: "p",
    },
    encoding: "utf8",
  });
}

describe("console simulator: Lambda layer", () => {
  let sim: ConsoleSimulator;
  let token: string;
  const layer = (body: unknown) =>
    call(sim, "/api/v34.04/images/twistlock_defender_layer.zip", { body, token });
  beforeAll(async () => {
    sim = await startConsoleSimulator();
    token = await login(sim);
  });
  afterAll(() => sim.close());

  it.each([
    [
      "nodejs20.x",
      [
        "manifest.json",
        "nodejs/node_modules/twistlock/index.js",
        "nodejs/node_modules/twistlock/package.json",
      ],
    ],
    ["python3.12", ["manifest.json", "python/twistlock/__init__.py"]],
    ["ruby", ["manifest.json", "ruby/lib/twistlock.rb"]],
    ["java21", ["java/lib/README.md", "java/lib/twistlock-defender.jar", "manifest.json"]],
    ["dotnet6", ["dotnet/README.md", "dotnet/Twistlock.dll", "manifest.json"]],
  ])("lays out the %s layer", async (runtime, expected) => {
    const answer = await layer({ provider: "aws", runtime });
    expect(answer.status).toBe(200);
    expect(answer.headers["content-type"]).toBe("application/zip");
    const files = await unzip(answer.body);
    expect([...files.keys()].sort()).toEqual(expected);
    expect(JSON.parse(files.get("manifest.json")!.data.toString())).toMatchObject({
      defenderVersion: "34.04.145",
      runtime,
      provider: "aws",
      architecture: "x86_64",
    });
    expect((await layer({ provider: "aws", runtime })).body.equals(answer.body)).toBe(true);
  });

  it("runs the Node layer handler over CommonJS, ES module, nested and callback-style handlers", async () => {
    const dir = await extractZip(
      (await layer({ provider: "aws", runtime: "nodejs", nodeJSModuleType: "commonjs" })).body,
    );
    const root = taskRoot({
      "index.js":
        "exports.handler = async (event, context) => ({ doubled: event.n * 2, fn: context.functionName, sim: process.env.TW_DEFENDER_SIMULATED });",
      "esm.mjs": "export const handler = async (event) => ({ esm: true, n: event.n });",
      "src/app.js":
        "exports.api = { main: (event, context, cb) => setTimeout(() => cb(null, { callback: event.n }), 5) };",
      "fails.js": "exports.handler = async () => { throw new Error('boom'); };",
      "typed/package.json": '{"type":"module"}',
      "typed/index.js": "export const handler = async () => 'module-js';",
    });
    const cjs = runNodeLayer(dir, root, "index.handler");
    expect(JSON.parse(cjs.stdout)).toEqual({ doubled: 40, fn: "demo", sim: "layer" });
    expect(cjs.stderr).toContain("twistlock-defender(simulated): layer invoke index.handler #1");
    expect(JSON.parse(runNodeLayer(dir, root, "esm.handler").stdout)).toEqual({ esm: true, n: 20 });
    expect(JSON.parse(runNodeLayer(dir, root, "src/app.api.main").stdout)).toEqual({
      callback: 20,
    });
    expect(JSON.parse(runNodeLayer(dir, root, "typed/index.handler").stdout)).toBe("module-js");
    const failing = runNodeLayer(dir, root, "fails.handler");
    expect([failing.status, failing.stdout.trim()]).toEqual([3, "ERROR boom"]);
    const missing = runNodeLayer(dir, root, "nothere.handler");
    expect(missing.stdout).toMatch(/cannot find module nothere/);
  });

  it("runs the Python layer handler with python3", async () => {
    const dir = await extractZip((await layer({ provider: "aws", runtime: "python3.12" })).body);
    const root = taskRoot({
      "app/main.py":
        "import os\ndef handler(event, context):\n    return {'doubled': event['n'] * 2, 'fn': context.function_name, 'sim': os.environ.get('TW_DEFENDER_SIMULATED')}\n",
    });
    const code = [
      "import json, sys",
      `sys.path.insert(0, ${JSON.stringify(path.join(dir, "python"))})`,
      "import twistlock",
      "class Context:\n    function_name = 'demo'\n    aws_request_id = 'r-1'\n    def get_remaining_time_in_millis(self): return 3000",
      "print(json.dumps(twistlock.handler({'n': 21}, Context())))",
    ].join("\n");
    const run = spawnSync("python3", ["-c", code], {
      env: { PATH: process.env.PATH, LAMBDA_TASK_ROOT: root, ORIGINAL_HANDLER: "app/main.handler" },
      encoding: "utf8",
    });
    expect(run.stderr).toContain("twistlock-defender(simulated): warning: TW_POLICY is not set");
    expect(run.stderr).toContain("layer invoke app/main.handler #1");
    expect(JSON.parse(run.stdout)).toEqual({ doubled: 42, fn: "demo", sim: "layer" });
  });

  it("runs the Ruby layer handler with ruby (top-level and Class.method handlers)", async () => {
    const dir = await extractZip((await layer({ provider: "aws", runtime: "ruby" })).body);
    const root = taskRoot({
      "lambda_function.rb":
        "def lambda_handler(event:, context:)\n  { 'n' => event['n'] * 2, 'sim' => ENV['TW_DEFENDER_SIMULATED'] }\nend\n" +
        "module Api\n  class Handler\n    def self.process(event:, context:)\n      { 'cls' => event['n'] }\n    end\n  end\nend\n",
    });
    const run = (originalHandler: string) =>
      spawnSync(
        "ruby",
        [
          "-I",
          path.join(dir, "ruby/lib"),
          "-e",
          'require "twistlock"; require "json"; puts JSON.generate(handler(event: { "n" => 4 }, context: nil))',
        ],
        {
          env: {
            PATH: process.env.PATH,
            LAMBDA_TASK_ROOT: root,
            ORIGINAL_HANDLER: originalHandler,
            TW_POLICY: "p",
          },
          encoding: "utf8",
        },
      );
    const top = run("lambda_function.lambda_handler");
    expect(top.stderr).toContain("layer invoke lambda_function.lambda_handler #1");
    expect(JSON.parse(top.stdout)).toEqual({ n: 8, sim: "layer" });
    expect(JSON.parse(run("lambda_function.Api::Handler.process").stdout)).toEqual({ cls: 4 });
  });

  it.each([
    [{ provider: "azure", runtime: "nodejs" }, /aws only/],
    [{ provider: "aws", runtime: "go1.x" }, /invalid runtime: must be one of python, python3.9/],
    [{ provider: "aws", runtime: "nodejs", nodeJSModuleType: "esm" }, /invalid nodeJSModuleType/],
    [{ provider: "aws" }, /missing runtime/],
    [{ provider: "aws", runtime: "python", proxyCA: "not a pem" }, /proxyCA/],
  ])("400s %j", async (body, message) => {
    const answer = await layer(body);
    expect(answer.status).toBe(400);
    expect(answer.json().err).toMatch(message);
  });
});
