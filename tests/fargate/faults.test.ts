// Fail closed: every way the Console can fail leaves no aws.ecs.TaskDefinition registered (so no unprotected task
// can be started from it) and one clear error that names the Console call, with no credential in it.
import * as net from "net";
import { captureDeployErrors, installMocks } from "../helpers/pulumi";
import { ProtectedFargateTask } from "../../provider/fargate/protectedFargateTask";
import { FaultSpec } from "../../provider/simulator";
import { CONTAINERS, startSidecarDroppingConsole, useSimulator } from "./support";

const TD = "aws:ecs/taskDefinition:TaskDefinition";
const mocks = installMocks();
const env = useSimulator();
beforeEach(() => mocks.reset());

async function deploy(console: ReturnType<typeof env.console>): Promise<string[]> {
  return captureDeployErrors(
    () =>
      new ProtectedFargateTask("app", {
        console,
        family: "app",
        cpu: "256",
        memory: "512",
        containerDefinitions: CONTAINERS,
      }).arn,
  );
}

function expectCleanFailure(errors: string[], pattern: RegExp, secrets: string[]) {
  expect(errors.length).toBeGreaterThan(0);
  for (const e of errors) {
    expect(e).toMatch(pattern);
    for (const s of secrets) expect(e).not.toContain(s);
  }
  expect(mocks.children(TD)).toEqual([]);
}

const fault = (f: Omit<FaultSpec, "endpoint">): FaultSpec => ({
  endpoint: "defenders/fargate.json",
  ...f,
});

describe("a Console fault registers no task definition", () => {
  it.each<[string, FaultSpec, RegExp]>([
    [
      "HTTP 500 on every try",
      fault({ kind: "status", status: 500 }),
      /POST \/api\/v34\.04\/defenders\/fargate\.json: HTTP 500/,
    ],
    [
      "HTTP 403 (missing permission)",
      fault({ kind: "status", status: 403 }),
      /fargate\.json: HTTP 403.*Defender Manager/s,
    ],
    ["malformed JSON with a 200", fault({ kind: "malformedJson" }), /fargate\.json/],
    ["connection reset every time", fault({ kind: "reset" }), /fargate\.json/],
    ["an answer cut short", fault({ kind: "truncate" }), /fargate\.json/],
    [
      "no answer within the timeout",
      fault({ kind: "latency", ms: 4000 }),
      /fargate\.json.*(time|Timeout|timed out)/is,
    ],
  ])("%s", async (_label, spec, pattern) => {
    const sim = env.sim();
    sim.injectFault(spec);
    const errors = await deploy(env.console());
    expectCleanFailure(errors, pattern, [
      sim.secrets.installBundle,
      sim.credentials.password,
      ...sim.tokensIssued(),
    ]);
    expect(sim.requestsTo("defenders/fargate.json").length).toBeGreaterThan(0);
  });

  it("an unreachable Console", async () => {
    const closed = await new Promise<number>((resolve) => {
      const server = net.createServer().listen(0, "127.0.0.1", () => {
        const port = (server.address() as net.AddressInfo).port;
        server.close(() => resolve(port));
      });
    });
    const errors = await deploy({ ...env.console(), url: `https://127.0.0.1:${closed}` });
    expectCleanFailure(errors, /Prisma Cloud Compute Console .*(ECONNREFUSED|refused|reach)/is, [
      env.sim().credentials.password,
    ]);
  });

  it("wrong credentials", async () => {
    const errors = await deploy({ ...env.console(), password: "not-the-password" });
    expectCleanFailure(errors, /authenticate.*HTTP 401/s, ["not-the-password"]);
    expect(env.sim().requestsTo("defenders/fargate.json")).toEqual([]);
  });

  it("an answer without the TwistlockDefender sidecar", async () => {
    const rogue = await startSidecarDroppingConsole();
    try {
      const errors = await deploy({
        url: rogue.url,
        username: rogue.sim.credentials.username,
        password: rogue.sim.credentials.password,
        // The rogue Console is plain http (a local proxy that rewrites answers).
        allowInsecureHttp: true,
      });
      expectCleanFailure(
        errors,
        /ProtectedFargateTask app: console: the Console's answer does not look like a protected task definition, so nothing was registered: it has no "TwistlockDefender" sidecar container/,
        [rogue.sim.secrets.installBundle, rogue.sim.credentials.password],
      );
      // The Console did answer: the refusal is ours.
      expect(rogue.sim.requestsTo("defenders/fargate.json").map((r) => r.status)).toEqual([200]);
    } finally {
      await rogue.close();
    }
  });
});
