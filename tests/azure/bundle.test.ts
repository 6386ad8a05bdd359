// The bundle side of the preparation: zip-slip, the .nupkg version, and Console faults that must leave the project
// untouched (library call against the simulator).
import * as path from "node:path";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { forgetConsoles } from "../../provider/core/console/client";
import { prepareAzureFunctionProject } from "../../provider/azure/azureProjectPrepare";
import { bundleLayout, nupkgVersion, readZipFiles } from "../../provider/azure/azureProjectFiles";
import { planBundleFiles } from "../../provider/azure/azureProjectPrepare";
import { copyFixture, FIXTURES, readTree, twistlockNupkg, zip } from "./helpers";

test("entries that would land outside the folder are refused", async () => {
  // yazl refuses to write such names, so write a same-length placeholder and patch the name bytes.
  const evil = async (name: string) => {
    const placeholder = name.replace(/[^a-z]/g, "q");
    const bytes = await zip({ [placeholder]: "x" });
    return Buffer.from(bytes.toString("latin1").split(placeholder).join(name), "latin1");
  };
  for (const bad of ["../evil.dll", "/etc/passwd", "twistlock/../../x", "C:/x"]) {
    await expect(readZipFiles(await evil(bad), "the bundle")).rejects.toThrow(
      /^the bundle: refusing (entry|the archive: (invalid relative path|absolute path))/,
    );
  }
  await expect(readZipFiles(Buffer.from("not a zip"), "the bundle")).rejects.toThrow(
    /the bundle is not a readable zip archive/,
  );
});

test("the bundle's twistlock/ folder becomes <project>/twistlock; other layouts go inside it", async () => {
  const nested = bundleLayout(
    await readZipFiles(await zip({ "twistlock/a.txt": "a", "twistlock/b/c": "c" }), "b"),
  );
  expect([...nested.keys()]).toEqual(["a.txt", "b/c"]);
  const flat = bundleLayout(await readZipFiles(await zip({ "a.txt": "a" }), "b"));
  expect([...flat.keys()]).toEqual(["a.txt"]);
});

test("the package version comes from the .nuspec; a package without one is refused", async () => {
  expect(await nupkgVersion(await twistlockNupkg("34.04.145"), "p")).toBe("34.04.145");
  await expect(nupkgVersion(await zip({ "lib/x.dll": "x" }), "twistlock.1.nupkg")).rejects.toThrow(
    "twistlock.1.nupkg has no .nuspec at its root: it is not a NuGet package",
  );
});

test("bundle files: unchanged files are not rewritten, stale ones are removed", () => {
  const existing = new Map([
    ["README.md", Buffer.from("same")],
    ["twistlock.34.03.1.nupkg", Buffer.from("old")],
  ]);
  const bundle = new Map([
    ["README.md", Buffer.from("same")],
    ["twistlock.34.04.145.nupkg", Buffer.from("new")],
  ]);
  expect(planBundleFiles(existing, bundle).map((c) => `${c.action} ${c.path}`)).toEqual([
    "created twistlock/twistlock.34.04.145.nupkg",
    "removed twistlock/twistlock.34.03.1.nupkg",
  ]);
});

describe("against the simulator", () => {
  let sim: ConsoleSimulator;
  beforeAll(async () => {
    sim = await startConsoleSimulator();
  });
  afterAll(() => sim.close());
  beforeEach(() => {
    sim.reset();
    forgetConsoles();
  });
  const consoleArgs = () => ({
    url: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
    caCertificate: sim.caCertificate,
  });

  test("asks for the azure/dotnet bundle and reports the Console's version", async () => {
    const dir = copyFixture("inprocess");
    const result = await prepareAzureFunctionProject({ projectDir: dir, console: consoleArgs() });
    expect(result.defenderVersion).toBe("34.04.145");
    expect(sim.requestsTo("defenders/serverless/bundle")).toHaveLength(1);
    expect(result.functions.map((f) => `${f.file}:${f.line} ${f.name} ${f.hosting}`)).toEqual([
      "HttpGreeting.cs:16 HttpGreeting in-process",
      "Nightly.cs:9 Cleanup in-process",
      "Nightly.cs:15 Ping in-process",
    ]);
  });

  test.each([
    ["a corrupt archive", { kind: "corruptArchive" as const }, /zip|archive/i],
    ["a server error", { kind: "status" as const, status: 500 }, /500|serverless\/bundle/],
  ])("%s leaves the project untouched", async (_label, fault, message) => {
    const dir = copyFixture("isolated-logger");
    const before = readTree(dir);
    sim.injectFault({ endpoint: "defenders/serverless/bundle", ...fault });
    await expect(
      prepareAzureFunctionProject({ projectDir: dir, console: consoleArgs() }),
    ).rejects.toThrow(message);
    const after = readTree(dir);
    expect([...after.keys()]).toEqual([...before.keys()]);
    for (const [p, data] of before) expect(after.get(p)!.equals(data)).toBe(true);
  });

  test("a folder that is not a .NET project is refused before any request", async () => {
    await expect(
      prepareAzureFunctionProject({ projectDir: FIXTURES, console: consoleArgs() }),
    ).rejects.toThrow(
      `${path.resolve(FIXTURES)} has no .csproj: the Serverless Defender for Azure Functions supports .NET (C#) function apps only`,
    );
    expect(sim.requests).toEqual([]);
  });
});
