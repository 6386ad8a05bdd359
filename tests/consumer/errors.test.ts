// How a user sees a bad input: each component's failure, printed by Pulumi's own CLI path (`@pulumi/pulumi/cmd/run`,
// run as the language host runs it, against the packed package). One error per failure, in the one format
// `<Component> <name>: <field>: <problem>. <fix>`, and no JavaScript stack trace.
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { FakeEngine, startFakeEngine } from "../plugin/fakeEngine";
import { ConsumerProject, consumerProject, runProgram } from "./support";

let sim: ConsoleSimulator;
let project: ConsumerProject;
let engine: FakeEngine;

beforeAll(async () => {
  sim = await startConsoleSimulator();
  project = consumerProject("js-errors");
}, 300_000);
afterAll(async () => {
  project?.remove();
  await sim?.close();
});
beforeEach(async () => (engine = await startFakeEngine()));
afterEach(async () => engine.close());

/** The error lines the engine was sent (severity 3 is `error` in Pulumi's engine protocol). */
const errorsLogged = () =>
  engine.logs.filter((l) => l.startsWith("3: ")).map((l) => l.slice("3: ".length));

const CASES: [string, RegExp][] = [
  [
    "fargate",
    /^ProtectedFargateTask web: containerDefinitions: .*container "web" has no `entryPoint`\. .*set `extractEntrypoint: true`/s,
  ],
  [
    "cloudFormation",
    /^ProtectedCloudFormationTemplate tpl: format: must be "json" or "yaml" \(got "xml"\)\.$/,
  ],
  [
    "lambda",
    /^ProtectedLambda orders: runtime: "nodejs8\.10" is not a Lambda runtime the Serverless Defender covers\. Use one of: .*nodejs20\.x/,
  ],
  [
    "lambdaResolved",
    /ProtectedLambda orders: runtime: "nodejs8\.10" is not a Lambda runtime the Serverless Defender covers\. Use one of: /,
  ],
  [
    "layer",
    /^DefenderLayer layer: runtime: "cobol" is not a Defender runtime family\. Use one of: nodejs, python, ruby/,
  ],
  [
    "azure",
    /^ProtectedAzureFunction orders-api: kind: "functionapp,linux" is a Linux or container app: .*use kind "functionapp"/,
  ],
  ["image", /^EmbeddedDefenderImage app: imageName: is required\./],
  [
    "console",
    /^ProtectedLambda orders: console: no Console URL: set .*\nProtectedLambda orders: console: no credentials: /,
  ],
];

test.each(CASES)(
  "%s: one error, in the component's format, without a stack",
  async (errorCase, expected) => {
    const env: NodeJS.ProcessEnv = { ERROR_CASE: errorCase };
    // Without the stack config that names the Console and its credentials.
    if (errorCase === "console") env.PULUMI_CONFIG = JSON.stringify({ "aws:region": "us-east-1" });
    const run = await runProgram(project, engine, sim, env);
    expect(run.code).not.toBe(0);
    const errors = errorsLogged();
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatch(expected);
    // Neither the engine's log nor the program's own output carries a JavaScript stack frame.
    for (const text of [errors[0], run.output]) expect(text).not.toMatch(/^\s+at .+:\d+:\d+\)?$/m);
    expect(sim.requests).toEqual([]);
  },
);
