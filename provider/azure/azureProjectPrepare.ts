// `prepareAzureFunctionProject`: the library face of `npx prisma-defender prepare-azure-function`. Downloads the
// .NET Serverless Defender bundle from the Console into <project>/twistlock, then adds the local NuGet source, the
// package reference and the Init calls. Idempotent: a second run with the same Console changes no byte.
import * as fs from "node:fs";
import * as path from "node:path";
import { consoleFor } from "../core/console/client";
import { resolveConsoleSettings } from "../core/settings";
import { ConsoleArgs, ResolvedConsoleSettings } from "../core/types";
import {
  addLocalNuGetSource,
  addTwistlockToCsproj,
  newNuGetConfig,
  TWISTLOCK_DIR,
} from "./azureProject";
import { addServerlessInit, AzureFunctionHosting } from "./azureFunctionsSource";
import {
  bundleLayout,
  nupkgVersion,
  ProjectSnapshot,
  readProject,
  readZipFiles,
  twistlockPackages,
} from "./azureProjectFiles";

/** The `runtime` sent to `POST /defenders/serverless/bundle` for Azure (.NET 6 and 8, as the VS Code tool sends). */
export const AZURE_BUNDLE_RUNTIME = "dotnet";

/** One file the preparation created, updated or removed (path relative to the project, `/`-separated). */
export interface ProjectFileChange {
  path: string;
  action: "created" | "updated" | "removed";
  /** What changed, in a few words. */
  summary: string;
  /** New content (absent for removals). */
  content?: Buffer;
}

export interface FoundAzureFunction {
  file: string;
  line: number;
  name: string;
  hosting: AzureFunctionHosting;
}

export interface SourcePlan {
  changes: ProjectFileChange[];
  /** Functions Init could not be added to, each with the reason and the fix. */
  problems: string[];
  functions: FoundAzureFunction[];
}

/** Pure: the edits of the project's own files (nuget config, .csproj, .cs) for the Defender `version`. */
export function planSourceEdits(
  project: Omit<ProjectSnapshot, "dir">,
  version: string,
): SourcePlan {
  const changes: ProjectFileChange[] = [];
  const problems: string[] = [];
  const functions: FoundAzureFunction[] = [];
  const change = (p: string, before: string | undefined, after: string, summary: string) => {
    if (before !== after)
      changes.push({
        path: p,
        action: before === undefined ? "created" : "updated",
        summary,
        content: Buffer.from(after, "utf8"),
      });
  };
  const edit = (file: string, fn: () => string) => {
    try {
      return fn();
    } catch (e) {
      throw new Error(
        `${file}: cannot edit it safely (${(e as Error).message}); fix the file and run again`,
      );
    }
  };
  const nugetPath = project.nugetConfigPath ?? "nuget.config";
  const nuget = project.nugetConfig;
  change(
    nugetPath,
    nuget,
    nuget === undefined ? newNuGetConfig() : edit(nugetPath, () => addLocalNuGetSource(nuget)),
    "./twistlock added as a local NuGet package source",
  );
  change(
    project.csprojPath,
    project.csproj,
    edit(project.csprojPath, () => addTwistlockToCsproj(project.csproj, version)),
    `PackageReference Twistlock ${version}; twistlock\\** copied to the build output`,
  );
  for (const source of project.sources) {
    const result = addServerlessInit(source.text);
    for (const f of result.functions) {
      functions.push({ file: source.path, line: f.line, name: f.name, hosting: f.hosting });
      if (f.problem) problems.push(`${source.path}:${f.line} function ${f.name}: ${f.problem}`);
    }
    change(
      source.path,
      source.text,
      result.text,
      `Twistlock.Serverless.Init added to ${result.added.join(", ")}`,
    );
  }
  if (functions.length === 0)
    problems.push("no [FunctionName] or [Function] methods found in the project's .cs files");
  return { changes, problems, functions };
}

/** Pure: the twistlock/ folder changes that make it hold exactly the bundle's files. */
export function planBundleFiles(
  existing: Map<string, Buffer>,
  bundle: Map<string, Buffer>,
): ProjectFileChange[] {
  const changes: ProjectFileChange[] = [];
  for (const [name, data] of bundle) {
    const old = existing.get(name);
    if (!old || !old.equals(data))
      changes.push({
        path: `${TWISTLOCK_DIR}/${name}`,
        action: old ? "updated" : "created",
        summary: `from the Console's serverless bundle (${data.length} bytes)`,
        content: data,
      });
  }
  // The folder belongs to the Defender: files of an older bundle (an older .nupkg) would be restored by mistake.
  for (const name of existing.keys())
    if (!bundle.has(name))
      changes.push({
        path: `${TWISTLOCK_DIR}/${name}`,
        action: "removed",
        summary: "not in the current bundle",
      });
  return changes;
}

function readDirFiles(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    const full = path.join(dir, rel);
    if (!fs.existsSync(full)) return;
    for (const e of fs
      .readdirSync(full, { withFileTypes: true })
      .sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(relPath);
      else if (e.isFile()) out.set(relPath, fs.readFileSync(path.join(dir, relPath)));
    }
  };
  walk("");
  return out;
}

/** Writes a file through a temporary sibling and a rename, so an interrupted run leaves no half-written file. */
function writeFileAtomic(file: string, data: Buffer): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.prisma-defender-tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

export interface PrepareAzureFunctionProjectArgs {
  /** The folder that holds the function app's .csproj. */
  projectDir: string;
  /** How to reach the Console; unset fields come from the PRISMACLOUDCOMPUTE_* environment variables. */
  console?: ConsoleArgs;
  /** Bundle runtime; default `dotnet`. */
  runtime?: string;
  /** Plan only: report what would change and write nothing. */
  dryRun?: boolean;
}

export interface PrepareAzureFunctionProjectResult {
  /** The Twistlock package version from the bundle (the Console's Defender version). */
  defenderVersion: string;
  changes: ProjectFileChange[];
  problems: string[];
  functions: FoundAzureFunction[];
}

/** Prepares a .NET Azure Functions project for the Serverless Defender (see the module comment). */
export async function prepareAzureFunctionProject(
  args: PrepareAzureFunctionProjectArgs,
): Promise<PrepareAzureFunctionProjectResult> {
  const project = readProject(args.projectDir);
  // Outside a Pulumi program the Output resolves from args and the environment; `promise()` also carries its
  // rejection (a missing setting), which `apply` would not.
  const resolved = resolveConsoleSettings(args.console, "prepare-azure-function");
  const settings = await (
    resolved as unknown as { promise(): Promise<ResolvedConsoleSettings> }
  ).promise();
  const archive = await consoleFor(settings).serverlessBundle({
    provider: "azure",
    runtime: args.runtime ?? AZURE_BUNDLE_RUNTIME,
  });
  const bundle = bundleLayout(
    await readZipFiles(fs.readFileSync(archive.path), "the Console's serverless bundle"),
  );
  const packages = twistlockPackages(bundle.keys());
  if (packages.length !== 1)
    throw new Error(
      `the Console's serverless bundle for azure/${args.runtime ?? AZURE_BUNDLE_RUNTIME} holds ${packages.length} twistlock.<version>.nupkg files (expected 1): ${[...bundle.keys()].join(", ") || "it is empty"}`,
    );
  const version = await nupkgVersion(bundle.get(packages[0])!, `the bundle's ${packages[0]}`);
  const twistlockDir = path.join(project.dir, TWISTLOCK_DIR);
  const plan = planSourceEdits(project, version);
  const changes = [...planBundleFiles(readDirFiles(twistlockDir), bundle), ...plan.changes];
  if (!args.dryRun) {
    for (const c of changes) {
      const file = path.join(project.dir, ...c.path.split("/"));
      if (c.action === "removed") fs.rmSync(file, { force: true });
      else writeFileAtomic(file, c.content!);
    }
  }
  return { defenderVersion: version, changes, problems: plan.problems, functions: plan.functions };
}
