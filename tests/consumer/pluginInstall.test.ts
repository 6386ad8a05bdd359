// The plugin as `pulumi package add <git url>` installs it for Python, Go, .NET, Java and YAML programs: a copy of
// the repository as git gives it (no dist/, no node_modules), its dependencies installed the way Pulumi installs a
// Node.js plugin's (`npm install --loglevel=error` in the plugin directory, which runs our `prepare` script and so
// compiles dist/), then started as pulumi-language-nodejs starts a plugin (`node
// <plugin>/node_modules/@pulumi/pulumi/cmd/run-plugin <plugin> <engine>`), answering GetSchema and Construct over gRPC.
// Offline: this machine cannot download packages (and the lockfile records no tarball addresses), so node_modules
// starts as a hard-linked copy of the repository's; `npm install` then reconciles it with the lockfile as it would a
// downloaded tree (it removes what the lockfile does not list) and runs `prepare`.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as structproto from "google-protobuf/google/protobuf/struct_pb";
import { startConsoleSimulator } from "../../provider/simulator";
import type { ConsoleSimulator } from "../../provider/simulator";
import { providerRpc, startPlugin } from "../../scripts/measure-plugin-start";
import { repositoryHash, REPO_ROOT, stageRepository } from "../../scripts/package/tarball";
import { startFakeEngine } from "../plugin/fakeEngine";
import { CONSTRUCT_CASES } from "../plugin/constructCases";
import { isSecretInput } from "../helpers/pulumi";
import { simulatorConfig } from "./support";

const WORK = path.join(REPO_ROOT, ".tmp", "plugin-install");

/**
 * The installed plugin directory for the repository's current files, made once per content hash (a second run of the
 * suite reuses it); copies made for older contents are removed.
 */
function installedPlugin(): { dir: string; installLog: string } {
  const key = repositoryHash();
  const dir = path.join(WORK, key);
  const logFile = path.join(WORK, `${key}.log`);
  if (fs.existsSync(path.join(dir, ".installed"))) {
    return { dir, installLog: fs.readFileSync(logFile, "utf8") };
  }
  fs.mkdirSync(WORK, { recursive: true });
  for (const old of fs.readdirSync(WORK)) {
    if (!old.startsWith(key)) fs.rmSync(path.join(WORK, old), { recursive: true, force: true });
  }
  fs.rmSync(dir, { recursive: true, force: true });
  stageRepository(dir);
  execFileSync("cp", ["-al", path.join(REPO_ROOT, "node_modules"), path.join(dir, "node_modules")]);
  const out = execFileSync(
    "npm",
    ["install", "--loglevel=error", "--offline", "--no-audit", "--no-fund"],
    {
      cwd: dir,
      stdio: ["ignore", "pipe", "pipe"],
      maxBuffer: 64 * 1024 * 1024,
      env: { ...process.env, npm_config_update_notifier: "false" },
    },
  ).toString();
  fs.writeFileSync(logFile, out);
  fs.writeFileSync(path.join(dir, ".installed"), key);
  return { dir, installLog: out };
}

let sim: ConsoleSimulator;
beforeAll(async () => (sim = await startConsoleSimulator()));
afterAll(async () => sim?.close());

describe("the plugin installed from a git copy as `pulumi package add` installs it", () => {
  it("builds itself on install, serves the committed schema and constructs a component over gRPC", async () => {
    const { dir } = installedPlugin();
    // `prepare` compiled the package; nothing was taken from this working tree's dist/.
    expect(fs.existsSync(path.join(dir, "dist", "plugin", "index.js"))).toBe(true);
    expect(fs.existsSync(path.join(dir, "node_modules", "aws-lambda-ric"))).toBe(false);

    const engine = await startFakeEngine();
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "plugin-install-"));
    const plugin = await startPlugin(dir, {
      repo: dir,
      args: [engine.address],
      env: { ...process.env, PRISMA_DEFENDER_CACHE_DIR: path.join(workDir, "cache") },
    });
    try {
      const { rpc, pb, grpc } = providerRpc(dir);
      const client = new rpc.ResourceProviderClient(
        `127.0.0.1:${plugin.port}`,
        grpc.credentials.createInsecure(),
      );
      const schemaText = await new Promise<string>((resolve, reject) =>
        client.getSchema(new pb.GetSchemaRequest(), (err: Error | null, res: any) =>
          err ? reject(err) : resolve(res.getSchema()),
        ),
      );
      expect(schemaText).toBe(fs.readFileSync(path.join(REPO_ROOT, "sdk", "schema.json"), "utf8"));

      const c = CONSTRUCT_CASES.ProtectedLambda({ sim, workDir });
      const req = new pb.ConstructRequest();
      req.setProject("orders-py");
      req.setStack("dev");
      req.setParallel(4);
      req.setMonitorendpoint(engine.address);
      req.setType("prisma-defender:index:ProtectedLambda");
      req.setName("orders");
      const { config, secretKeys } = simulatorConfig(sim);
      for (const [k, v] of Object.entries(config)) req.getConfigMap().set(k, v);
      req.setConfigsecretkeysList(secretKeys);
      req.setInputs(structproto.Struct.fromJavaScript(c.wire as any));
      const res = await new Promise<any>((resolve, reject) =>
        client.construct(req, (err: Error | null, r: any) => (err ? reject(err) : resolve(r))),
      );
      client.close();
      const state = res.getState().toJavaScript();
      expect(state.originalHandler).toBe("app.handler");
      expect(isSecretInput(state.twPolicy)).toBe(true);
      const fn = engine.registered.find((r) => r.type === "aws:lambda/function:Function")!;
      expect(fn.inputs.handler).toBe("twistlock.handler");
    } finally {
      plugin.child.kill();
      await engine.close();
      fs.rmSync(workDir, { recursive: true, force: true });
    }
  }, 900_000);
});
