// `prisma-defender prepare-azure-function` as users run it: a real child process running the `bin` of the packed
// package (scripts/package/tarball.ts), talking
// to the Console simulator over HTTPS with the PRISMACLOUDCOMPUTE_* environment, on copies of the fixtures.
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { checkAzureFunctionProject } from "../../provider/azure/azureProjectCheck";
import { installedPackage } from "../../scripts/package/tarball";
import { copyFixture, GOLDEN, readTree } from "./helpers";

let BIN: string;
let sim: ConsoleSimulator;
let caFile: string;

beforeAll(async () => {
  const pkgDir = path.join(installedPackage("cli"), "prisma-defender");
  const { bin } = JSON.parse(fs.readFileSync(path.join(pkgDir, "package.json"), "utf8"));
  BIN = path.join(pkgDir, bin["prisma-defender"]);
  sim = await startConsoleSimulator();
  caFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "azfn-ca-")), "ca.pem");
  fs.writeFileSync(caFile, sim.caCertificate);
}, 300_000);
afterAll(() => sim.close());

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function cli(args: string[], env: Record<string, string> = {}): Promise<Run> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith("PRISMACLOUDCOMPUTE_")),
  );
  return new Promise((resolve) =>
    execFile(
      process.execPath,
      [BIN, ...args],
      {
        env: {
          ...base,
          PRISMACLOUDCOMPUTE_CONSOLE_URL: sim.url,
          PRISMACLOUDCOMPUTE_USERNAME: sim.credentials.username,
          PRISMACLOUDCOMPUTE_PASSWORD: sim.credentials.password,
          PRISMACLOUDCOMPUTE_CA_CERT: caFile,
          ...env,
        },
      },
      (error, stdout, stderr) =>
        resolve({ code: error ? ((error as any).code as number) : 0, stdout, stderr }),
    ),
  );
}

test("prepares a project, prints one line per file, and a second run changes nothing", async () => {
  const dir = copyFixture("isolated-logger");
  const first = await cli(["prepare-azure-function", dir]);
  expect(first.stderr).toBe("");
  expect(first.code).toBe(0);
  const lines = first.stdout.trim().split("\n");
  expect(lines.slice(0, -1).map((l) => l.split(":")[0])).toEqual([
    "created  twistlock/README.md",
    "created  twistlock/manifest.json",
    "created  twistlock/twistlock.34.04.145.nupkg",
    "created  twistlock/twistlock_serverless_defender.txt",
    "updated  NuGet.Config",
    "updated  IsolatedApp.csproj",
    "updated  Orders.cs",
  ]);
  expect(lines.at(-1)).toMatch(/^prepared for the Defender 34.04.145/);
  expect(first.stdout).not.toContain(sim.credentials.password);

  // The project files are exactly the golden ones; the bundle sits in twistlock/.
  const tree = readTree(dir);
  for (const [p, data] of readTree(path.join(GOLDEN, "isolated-logger")))
    expect(tree.get(p)?.equals(data)).toBe(true);
  expect(await checkAzureFunctionProject(dir, "34.04.145")).toMatchObject({
    problems: [],
    bundleVersion: "34.04.145",
    hostings: ["isolated"],
  });

  const second = await cli(["prepare-azure-function", dir]);
  expect(second).toEqual({
    code: 0,
    stdout: "no changes: the project is already prepared for the Defender 34.04.145\n",
    stderr: "",
  });
  const after = readTree(dir);
  expect([...after.keys()]).toEqual([...tree.keys()]);
  for (const [p, data] of tree) expect(after.get(p)!.equals(data)).toBe(true);
});

test("--check fails before preparation and passes after; --dry-run writes nothing", async () => {
  const dir = copyFixture("inprocess");
  const before = readTree(dir);
  const check = await cli(["prepare-azure-function", dir, "--check"]);
  expect(check.code).toBe(1);
  expect(check.stderr).toContain("problem  twistlock/ holds no twistlock.<version>.nupkg");
  expect(check.stderr).toContain(
    "problem  HttpGreeting.cs:16 function HttpGreeting does not call Twistlock.Serverless.Init",
  );
  const dry = await cli(["prepare-azure-function", dir, "--dry-run"]);
  expect(dry.code).toBe(0);
  expect(dry.stdout).toContain("would be created twistlock/twistlock.34.04.145.nupkg");
  expect(dry.stdout).toContain("would be created nuget.config");
  const unchanged = readTree(dir);
  expect([...unchanged.keys()]).toEqual([...before.keys()]);
  await cli(["prepare-azure-function", dir]);
  expect(await cli(["prepare-azure-function", dir, "--check"])).toEqual({
    code: 0,
    stdout: `${dir} is prepared for the Console's Defender 34.04.145\n`,
    stderr: "",
  });
});

test("reports the functions it could not edit and exits 1", async () => {
  const dir = copyFixture("isolated-context");
  const run = await cli(["prepare-azure-function", dir]);
  expect(run.code).toBe(1);
  expect(run.stderr).toBe(
    "problem  Jobs.cs:21 function Heartbeat: it has no `ILogger` field in its class and no `FunctionContext` parameter; add a `FunctionContext context` parameter\n",
  );
  expect(run.stdout).toContain(
    "updated  Jobs.cs: Twistlock.Serverless.Init added to Hourly, Report, Drain",
  );
});

test("an upgraded Console replaces the old package and moves the reference", async () => {
  const dir = copyFixture("inprocess");
  await cli(["prepare-azure-function", dir]);
  const newer = await startConsoleSimulator({ version: "34.05.101" });
  try {
    const run = await cli(["prepare-azure-function", dir], {
      PRISMACLOUDCOMPUTE_CONSOLE_URL: newer.url,
      PRISMACLOUDCOMPUTE_USERNAME: newer.credentials.username,
      PRISMACLOUDCOMPUTE_PASSWORD: newer.credentials.password,
      PRISMACLOUDCOMPUTE_CA_CERT: newer.caCertificate,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("created  twistlock/twistlock.34.05.101.nupkg");
    expect(run.stdout).toContain("removed  twistlock/twistlock.34.04.145.nupkg");
    expect(run.stdout).toContain("updated  InProcessApp.csproj");
    expect(run.stdout).not.toContain(".cs:");
    expect(fs.readFileSync(path.join(dir, "InProcessApp.csproj"), "utf8")).toContain(
      '<PackageReference Include="Twistlock" Version="34.05.101" />',
    );
  } finally {
    await newer.close();
  }
});

test("bad usage and missing settings say what to do", async () => {
  const usage = await cli(["prepare-azure-functions", "x"]);
  expect(usage.code).toBe(2);
  expect(usage.stderr).toContain('unknown command "prepare-azure-functions"');
  const dir = copyFixture("inprocess");
  const missing = await cli(["prepare-azure-function", dir], { PRISMACLOUDCOMPUTE_PASSWORD: "" });
  expect(missing.code).toBe(1);
  expect(missing.stderr).toContain("no password");
  expect(missing.stderr).toContain("PRISMACLOUDCOMPUTE_PASSWORD");
  expect(readTree(dir).has("twistlock/README.md")).toBe(false);
});
