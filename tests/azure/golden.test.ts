// Golden tests of the project preparation: each fixture project, prepared for Defender 34.04.145, must equal its
// expected tree under tests/golden/azure/<fixture> byte for byte, and preparing the result again changes nothing.
// Regenerate with UPDATE_GOLDEN=1 (then read the diff: it is the behaviour users get).
import * as fs from "node:fs";
import * as path from "node:path";
import { planSourceEdits, SourcePlan } from "../../provider/azure/azureProjectPrepare";
import { readProject, ProjectSnapshot } from "../../provider/azure/azureProjectFiles";
import { FIXTURES, GOLDEN, PROJECTS, readTree } from "./helpers";

const VERSION = "34.04.145";

function applyPlan(tree: Map<string, Buffer>, plan: SourcePlan): Map<string, Buffer> {
  const out = new Map(tree);
  for (const c of plan.changes) {
    if (c.action === "removed") out.delete(c.path);
    else out.set(c.path, c.content!);
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : 1)));
}

function snapshotOf(
  tree: Map<string, Buffer>,
  like: ProjectSnapshot,
): Omit<ProjectSnapshot, "dir"> {
  const text = (p: string) => tree.get(p)!.toString("utf8");
  const nuget = [...tree.keys()].find((k) => k.toLowerCase() === "nuget.config");
  return {
    csprojPath: like.csprojPath,
    csproj: text(like.csprojPath),
    nugetConfigPath: nuget,
    nugetConfig: nuget && text(nuget),
    sources: [...tree.keys()]
      .filter((k) => k.endsWith(".cs"))
      .map((p) => ({ path: p, text: text(p) })),
  };
}

const expectedProblems: Record<string, string[]> = {
  inprocess: [],
  "isolated-logger": [],
  "isolated-context": [
    "Jobs.cs:21 function Heartbeat: it has no `ILogger` field in its class and no `FunctionContext` parameter; add a `FunctionContext context` parameter",
  ],
};

describe.each(PROJECTS)("preparing the %s fixture", (name) => {
  const project = readProject(path.join(FIXTURES, name));
  const before = readTree(path.join(FIXTURES, name));
  const plan = planSourceEdits(project, VERSION);
  const after = applyPlan(before, plan);

  test("matches the golden tree byte for byte", () => {
    const golden = path.join(GOLDEN, name);
    if (process.env.UPDATE_GOLDEN) {
      fs.rmSync(golden, { recursive: true, force: true });
      for (const [p, data] of after) {
        fs.mkdirSync(path.dirname(path.join(golden, p)), { recursive: true });
        fs.writeFileSync(path.join(golden, p), data);
      }
    }
    const expected = readTree(golden);
    expect([...after.keys()]).toEqual([...expected.keys()]);
    for (const [p, data] of after)
      expect(`${p}:\n${data.toString("utf8")}`).toBe(`${p}:\n${expected.get(p)!.toString("utf8")}`);
    for (const [p, data] of after) expect(data.equals(expected.get(p)!)).toBe(true);
  });

  test("reports one change per edited file and the functions it could not edit", () => {
    expect(plan.problems).toEqual(expectedProblems[name]);
    const paths = plan.changes.map((c) => c.path);
    expect(new Set(paths).size).toBe(paths.length);
    for (const c of plan.changes) expect(before.get(c.path)?.equals(c.content!)).not.toBe(true);
  });

  test("is idempotent: preparing the prepared tree changes nothing", () => {
    const again = planSourceEdits(snapshotOf(after, project), VERSION);
    expect(again.changes).toEqual([]);
  });

  test("a newer Defender version only moves the package reference", () => {
    const upgraded = planSourceEdits(snapshotOf(after, project), "34.04.200");
    expect(upgraded.changes.map((c) => c.path)).toEqual([project.csprojPath]);
    const text = upgraded.changes[0].content!.toString("utf8");
    expect(text).toContain('<PackageReference Include="Twistlock" Version="34.04.200" />');
    expect(text.replace("34.04.200", VERSION)).toBe(
      after.get(project.csprojPath)!.toString("utf8"),
    );
  });
});
