// `checkAzureFunctionProject`: is a .NET Azure Functions project prepared for the Serverless Defender of this
// Console? ProtectedAzureFunction runs it before deploying when given `projectDir`, because an app whose code
// never calls Init runs unprotected even with TW_POLICY set, and nothing in Azure would say so.
import * as fs from "node:fs";
import * as path from "node:path";
import { projectFileProblems, TWISTLOCK_DIR } from "./azureProject";
import { AzureFunctionHosting, findAzureFunctions } from "./azureFunctionsSource";
import {
  nupkgVersion,
  readProject,
  readZipFiles,
  sameVersion,
  twistlockPackages,
} from "./azureProjectFiles";

export interface AzureProjectCheck {
  /** Everything that is not prepared, each naming the file; empty when the project is ready. */
  problems: string[];
  /** Version of the Twistlock package in twistlock/, when there is exactly one. */
  bundleVersion?: string;
  /** Hosting model(s) of the functions found: `in-process` (FUNCTIONS_WORKER_RUNTIME dotnet) or `isolated`. */
  hostings: AzureFunctionHosting[];
  /** Functions found, as `file:line name`. */
  functions: string[];
}

/** The command that prepares the project, for error messages. */
export function prepareCommand(projectDir: string): string {
  const quoted = /^[\w./:@-]+$/.test(projectDir)
    ? projectDir
    : `'${projectDir.replace(/'/g, "'\\''")}'`;
  return `npx prisma-defender prepare-azure-function ${quoted}`;
}

/** Checks the project at `projectDir` against the Console's version (see the module comment). */
export async function checkAzureFunctionProject(
  projectDir: string,
  consoleVersion: string,
): Promise<AzureProjectCheck> {
  let project;
  try {
    project = readProject(projectDir);
  } catch (e) {
    return { problems: [(e as Error).message], hostings: [], functions: [] };
  }
  const problems: string[] = [];
  const dir = path.join(project.dir, TWISTLOCK_DIR);
  const names = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  const packages = twistlockPackages(names);
  let bundleVersion: string | undefined;
  if (packages.length === 0)
    problems.push(`${TWISTLOCK_DIR}/ holds no twistlock.<version>.nupkg (the Defender bundle)`);
  else if (packages.length > 1)
    problems.push(`${TWISTLOCK_DIR}/ holds several Defender packages: ${packages.join(", ")}`);
  else {
    try {
      bundleVersion = await nupkgVersion(
        fs.readFileSync(path.join(dir, packages[0])),
        `${TWISTLOCK_DIR}/${packages[0]}`,
      );
      if (!sameVersion(bundleVersion, consoleVersion))
        problems.push(
          `${TWISTLOCK_DIR}/ holds the Defender ${bundleVersion}, but the Console runs ${consoleVersion}`,
        );
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  try {
    problems.push(
      ...projectFileProblems(
        project.csprojPath,
        project.csproj,
        project.nugetConfig,
        bundleVersion ?? consoleVersion,
      ),
    );
  } catch (e) {
    problems.push(
      `${project.csprojPath} or ${project.nugetConfigPath}: not readable XML (${(e as Error).message})`,
    );
  }
  const functions: string[] = [];
  const hostings = new Set<AzureFunctionHosting>();
  for (const source of project.sources) {
    for (const f of findAzureFunctions(source.text)) {
      functions.push(`${source.path}:${f.line} ${f.name}`);
      hostings.add(f.hosting);
      if (!f.hasInit)
        problems.push(
          `${source.path}:${f.line} function ${f.name} does not call Twistlock.Serverless.Init`,
        );
    }
  }
  if (functions.length === 0)
    problems.push("no [FunctionName] or [Function] methods found in the project's .cs files");
  return { problems, bundleVersion, hostings: [...hostings].sort(), functions };
}

/**
 * Problems with a published package (the `dotnet publish` folder or a .zip of it) built from `projectDir`: it must
 * carry the project's twistlock/ files (the .nupkg excepted) byte for byte, or it was built before the project was
 * prepared (or before a Console upgrade) and would run without the Defender it was prepared for.
 */
export async function checkPublishedPackage(
  packagePath: string,
  projectDir: string,
): Promise<string[]> {
  const full = path.resolve(packagePath);
  if (!fs.existsSync(full)) return [`packagePath ${full} does not exist: run dotnet publish first`];
  const published = fs.statSync(full).isDirectory()
    ? readFolder(full)
    : await readZipFiles(fs.readFileSync(full), `packagePath ${full}`);
  const expected = readFolder(path.join(path.resolve(projectDir), TWISTLOCK_DIR));
  const problems: string[] = [];
  for (const [name, data] of expected) {
    if (/\.nupkg$/i.test(name)) continue;
    const copy = published.get(`${TWISTLOCK_DIR}/${name}`);
    if (!copy)
      problems.push(
        `the published package ${full} has no ${TWISTLOCK_DIR}/${name}: rebuild and publish the prepared project`,
      );
    else if (!copy.equals(data))
      problems.push(
        `the published package's ${TWISTLOCK_DIR}/${name} differs from the project's: rebuild and publish the prepared project`,
      );
  }
  return problems;
}

function readFolder(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  const walk = (rel: string) => {
    if (!fs.existsSync(path.join(dir, rel))) return;
    for (const e of fs.readdirSync(path.join(dir, rel), { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(relPath);
      else if (e.isFile()) out.set(relPath, fs.readFileSync(path.join(dir, relPath)));
    }
  };
  walk("");
  return out;
}
