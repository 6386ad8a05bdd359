// The package as users install it: `npm pack` of the repository, unpacked under a scratch project's node_modules (a
// real directory, not a symlink), its programs run by @pulumi/pulumi's cmd/run as Pulumi's language host runs them.
import { execFileSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { startConsoleSimulator } from "../../provider/simulator";
import type { ConsoleSimulator } from "../../provider/simulator";
import { packedTarball, REPO_ROOT } from "../../scripts/package/tarball";
import { FakeEngine, startFakeEngine } from "../plugin/fakeEngine";
import { unwrapInput } from "../helpers/pulumi";
import { ConsumerProject, consumerProject, ProgramRun, runProgram } from "./support";

const FLOOR_SDK = path.join(REPO_ROOT, "node_modules", "pulumi-sdk-floor");

let sim: ConsoleSimulator;
let engine: FakeEngine;

beforeAll(async () => {
  sim = await startConsoleSimulator();
  packedTarball();
}, 300_000);
afterAll(async () => sim?.close());
beforeEach(async () => (engine = await startFakeEngine()));
afterEach(async () => engine.close());

const registered = (type: string) => engine.registered.filter((r) => r.type === type);
const plain = (v: unknown) => unwrapInput<string>(v);

/** Runs the project's program and expects it to exit 0 (else the test shows what it and the engine printed). */
async function runCleanly(project: ConsumerProject): Promise<ProgramRun> {
  const run = await runProgram(project, engine, sim);
  const output = run.code === 0 ? "" : `${run.output}\n${engine.logs.join("\n")}`;
  expect({ code: run.code, output }).toEqual({ code: 0, output: "" });
  return run;
}

describe("the packed tarball", () => {
  it("holds the compiled package and nothing of the repository's development", () => {
    const listing = execFileSync("tar", ["-tzf", packedTarball()])
      .toString("utf8")
      .split("\n")
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ""));
    const size = fs.statSync(packedTarball()).size;
    console.log(`npm pack: ${listing.length} files, ${(size / 1024).toFixed(0)} KiB packed`);
    const misplaced = listing.filter(
      (f) =>
        /^(tests|bench|scripts|examples|provider|policy|\.ci)\//.test(f) ||
        /(^|\/)(golden|fixtures)\//.test(f) ||
        (/\.(ts|mts|cts)$/.test(f) && !/\.d\.ts$/.test(f)) ||
        /^(tsconfig.*\.json|jest\.config\.js|eslint\.config\.mjs|\.prettierrc|package-lock\.json)$/.test(
          f,
        ),
    );
    expect(misplaced).toEqual([]);
    for (const needed of [
      "package.json",
      "README.md",
      "LICENSE",
      "PulumiPlugin.yaml",
      "sdk/schema.json",
      "dist/index.js",
      "dist/index.d.ts",
      "dist/plugin/index.js",
      "dist/cli/bin.js",
      "dist/simulator/index.js",
      "dist/simulator/spec/compute-34.04-defender-schemas.json",
    ]) {
      expect(listing).toContain(needed);
    }
    // Source maps carry their sources: stack traces and debuggers work without the .ts files.
    const map = JSON.parse(
      execFileSync("tar", ["-xzOf", packedTarball(), "package/dist/index.js.map"]).toString(),
    );
    expect(map.sourcesContent?.[0]).toContain("ProtectedFargateTask");
  });

  it("needs no transpiler at run time and declares @pulumi/* as peers", () => {
    const pkg = JSON.parse(
      execFileSync("tar", ["-xzOf", packedTarball(), "package/package.json"]).toString(),
    );
    const deps = Object.keys(pkg.dependencies ?? {});
    expect(deps.filter((d) => /^(tsx|typescript|ts-node|@swc\/|jest)/.test(d))).toEqual([]);
    expect(deps.filter((d) => d.startsWith("@pulumi/"))).toEqual([]);
    expect(Object.keys(pkg.peerDependencies).sort()).toEqual([
      "@pulumi/aws",
      "@pulumi/azure-native",
      "@pulumi/docker",
      "@pulumi/pulumi",
    ]);
    expect(pkg.peerDependenciesMeta["@pulumi/azure-native"].optional).toBe(true);
    expect(pkg.peerDependenciesMeta["@pulumi/docker"].optional).toBe(true);
    // The floor of the @pulumi/pulumi range is the version the JavaScript consumer below runs with.
    const floor = JSON.parse(fs.readFileSync(path.join(FLOOR_SDK, "package.json"), "utf8"));
    expect(pkg.peerDependencies["@pulumi/pulumi"]).toBe(`^${floor.version}`);
    // engines agrees with the floor of every range: no lower than the floor SDK's, and within what that SDK supports
    // (zlib.crc32, used to check archives, needs Node 20.15); the Node this suite runs on satisfies it.
    const minimum = (range: string) =>
      /^>=\s*(\d+)(?:\.(\d+))?/
        .exec(range)!
        .slice(1)
        .map((n) => Number(n ?? 0));
    const [ourMajor, ourMinor] = minimum(pkg.engines.node);
    const [floorMajor] = minimum(floor.engines.node);
    expect(ourMajor).toBe(floorMajor);
    const [major, minor] = process.versions.node.split(".").map(Number);
    expect(major > ourMajor || (major === ourMajor && minor >= ourMinor)).toBe(true);
  });
});

describe("a TypeScript program with Pulumi's template tsconfig, type-checked by ts-node as cmd/run does", () => {
  it("loads the package, constructs every component and registers the protected workloads", async () => {
    const project = consumerProject("ts-commonjs");
    try {
      const run = await runCleanly(project);
      const report = run.report!;
      expect(report.prismaDefender).toBe(
        path.join(project.dir, "node_modules", "prisma-defender", "dist", "index.js"),
      );
      expect(report.pulumiCopies).toHaveLength(1);
      expect(report.wrapped.web.slice(-1)).toEqual(["/docker-entrypoint.sh"]);
      expect(report.templateContainers).toEqual(["Resources.WebTask/web"]);
      expect(report.originalHandler).toBe("app.handler");
      expect(report.mode).toBe("layer");
      expect(report.imageEntrypoint.slice(1, 2)).toEqual(["app-embedded"]);
      expect(report.appSettingNames).toContain("TW_POLICY");

      const [task] = registered("aws:ecs/taskDefinition:TaskDefinition");
      const containers = JSON.parse(plain(task.inputs.containerDefinitions));
      expect(containers.map((c: { name: string }) => c.name)).toEqual(["web", "TwistlockDefender"]);
      const [fn] = registered("aws:lambda/function:Function");
      expect(fn.inputs.handler).toBe("twistlock.handler");
      expect(registered("docker:index/image:Image")).toHaveLength(1);
      expect(registered("azure-native:web:WebApp")).toHaveLength(1);
    } finally {
      project.remove();
    }
  }, 300_000);
});

describe("a JavaScript (CommonJS) program with another @pulumi/pulumi within the peer range", () => {
  it("shares the program's one @pulumi/pulumi and never loads azure-native, docker or the Console simulator", async () => {
    // The consumer has @pulumi/pulumi 3.248.0 (the repository develops against a newer one) and neither optional
    // peer installed: they are omitted from its node_modules altogether.
    const project = consumerProject("js-commonjs", {
      replace: { "@pulumi/pulumi": FLOOR_SDK },
    });
    try {
      expect(fs.existsSync(path.join(project.dir, "node_modules/@pulumi/azure-native"))).toBe(
        false,
      );
      expect(fs.existsSync(path.join(project.dir, "node_modules/@pulumi/docker"))).toBe(false);
      const run = await runCleanly(project);
      const report = run.report!;
      expect(report.pulumiVersion).toBe("3.248.0");
      expect(report.samePulumi).toBe(true);
      expect(report.pulumiCopies).toHaveLength(1);
      expect(report.optionalPeersLoaded).toBe(0);
      expect(report.simulatorLoaded).toEqual([]);
      expect(report.originalHandler).toBe("index.handler");
      const [fn] = registered("aws:lambda/function:Function");
      expect(fn.inputs.handler).toBe("twistlock.handler");
      const [task] = registered("aws:ecs/taskDefinition:TaskDefinition");
      expect(JSON.parse(plain(task.inputs.containerDefinitions))).toHaveLength(2);
    } finally {
      project.remove();
    }
  }, 300_000);
});

describe("a TypeScript ES module project, in Pulumi's automatic ESM mode", () => {
  it("imports the package's named exports and protects the function", async () => {
    const project = consumerProject("ts-esm");
    try {
      const run = await runCleanly(project);
      expect(run.report).toEqual({
        originalHandler: "index.handler",
        mode: "layer",
        names: ["ORIGINAL_HANDLER", "TW_POLICY"],
      });
      const [fn] = registered("aws:lambda/function:Function");
      expect(fn.inputs.handler).toBe("twistlock.handler");
    } finally {
      project.remove();
    }
  }, 300_000);
});
