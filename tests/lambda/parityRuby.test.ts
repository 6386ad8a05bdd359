// Protection never changes what a Ruby function does: each case runs the same code unprotected and protected in
// ruby, loaded and invoked as Lambda's Ruby runtime does (clients/ruby_bootstrap.rb), and compares what Lambda would
// report: the result, or the error's class, message and phase (init or invoke). Every protected run that reaches an
// invocation proves the simulated Defender ran.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import { extractZip } from "../../provider/core/archive";
import { promiseOf, registrationsDone } from "../helpers/pulumi";
import {
  archivePathOf,
  codeDir,
  FUNCTION,
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

const BOOTSTRAP = path.join(__dirname, "clients/ruby_bootstrap.rb");

function bootstrap(root: string, handler: string, env: Record<string, string>) {
  const errFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "lambda-rb-")), "stderr");
  const fd = fs.openSync(errFile, "w");
  try {
    const out = execFileSync("ruby", [BOOTSTRAP, root, handler, JSON.stringify({ n: 21 })], {
      cwd: root,
      env: { PATH: process.env.PATH ?? "", LAMBDA_TASK_ROOT: root, ...env },
      encoding: "utf8",
      stdio: ["ignore", "pipe", fd],
    });
    return {
      report: JSON.parse(out.trim().split("\n").pop()!),
      stderr: fs.readFileSync(errFile, "utf8"),
    };
  } finally {
    fs.closeSync(fd);
    fs.rmSync(path.dirname(errFile), { recursive: true, force: true });
  }
}

async function pair(handler: string, files: Record<string, string>) {
  const dir = codeDir(files);
  const unprotected = bootstrap(dir, handler, {});
  const m = ctx.mocks();
  const fn = new ProtectedLambda("demo", {
    mode: "embedded",
    runtime: "ruby3.3",
    handler,
    role: ROLE,
    code: new pulumi.asset.FileArchive(dir),
  });
  await promiseOf(fn.arn);
  const [f] = m.children(FUNCTION);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-parity-rb-"));
  await extractZip(await archivePathOf(f), root);
  expect(f.inputs.handler).toBe("_prisma_defender_wrapper.prisma_defender_handler");
  const protectedRun = bootstrap(root, f.inputs.handler, variablesOf(f));
  if (protectedRun.report.kind !== "initError") {
    expect(protectedRun.stderr).toContain("twistlock-defender(simulated): embedded invoke");
  }
  expect(protectedRun.report).toEqual(unprotected.report);
  return unprotected.report;
}

const CLASS_METHOD = `module Billing
  class Invoices
    def self.process(event:, context:)
      { "doubled" => event["n"] * 2 }
    end
  end
end
`;

describe("Ruby handlers keep Lambda's result, error class and phase", () => {
  it("a top-level method", async () => {
    expect(
      await pair("function.handler", {
        "function.rb": 'def handler(event:, context:)\n  { "doubled" => event["n"] * 2 }\nend\n',
      }),
    ).toEqual({ kind: "response", result: { doubled: 42 } });
  });

  it("a class method", async () => {
    expect(
      await pair("lib/billing.Billing::Invoices.process", { "lib/billing.rb": CLASS_METHOD }),
    ).toEqual({ kind: "response", result: { doubled: 42 } });
  });

  it("a missing method fails the invocation (NoMethodError), not init", async () => {
    const report = await pair("function.nothere", {
      "function.rb": "def handler(event:, context:) = 1\n",
    });
    expect(report).toMatchObject({ kind: "error", errorClass: "NoMethodError" });
  });

  it("a missing class fails the invocation (NameError), not init", async () => {
    const report = await pair("lib/billing.Billing::Nope.process", {
      "lib/billing.rb": CLASS_METHOD,
    });
    expect(report).toMatchObject({ kind: "error", errorClass: "NameError" });
  });

  it("an exception while loading the file fails init with its class", async () => {
    expect(
      await pair("function.handler", {
        "function.rb": 'raise ArgumentError, "bad config"\ndef handler(event:, context:) = 1\n',
      }),
    ).toEqual({ kind: "initError", errorClass: "ArgumentError", errorMessage: "bad config" });
  });

  it("an exception from the handler fails the invocation with its class", async () => {
    expect(
      await pair("function.handler", {
        "function.rb":
          'class OrderError < StandardError; end\ndef handler(event:, context:)\n  raise OrderError, "no stock"\nend\n',
      }),
    ).toEqual({ kind: "error", errorClass: "OrderError", errorMessage: "no stock" });
  });
});
