// Reading an Azure Functions .NET project and a Serverless Defender bundle from disk, for the preparation
// (azureProjectPrepare.ts) and the check (azureProjectCheck.ts). The edits themselves are pure (azureProject.ts).
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable } from "node:stream";
import * as yauzl from "yauzl";
import { entryStream, safeEntryName } from "../core/archiveEntries";
import { TWISTLOCK_DIR } from "./azureProject";
import { parseXml, descendants } from "./xmlText";

/** The files of one function project that the preparation reads and may edit (paths relative to `dir`). */
export interface ProjectSnapshot {
  dir: string;
  csprojPath: string;
  csproj: string;
  /** The project directory's NuGet config, whatever its case (nuget.config, NuGet.Config, ...). */
  nugetConfigPath?: string;
  nugetConfig?: string;
  /** Every .cs file, outside bin/, obj/, twistlock/ and hidden folders, sorted by path. */
  sources: { path: string; text: string }[];
}

const SKIPPED_DIRS = new Set(["bin", "obj", TWISTLOCK_DIR, "node_modules"]);

/** Reads the project at `dir`; throws naming the fix when it is not a single-project .NET folder. */
export function readProject(dir: string): ProjectSnapshot {
  const full = path.resolve(dir);
  if (!fs.existsSync(full) || !fs.statSync(full).isDirectory())
    throw new Error(
      `${full} is not a directory: give the folder that holds the function app's .csproj`,
    );
  const names = fs.readdirSync(full).sort();
  const csprojs = names.filter((n) => n.toLowerCase().endsWith(".csproj"));
  if (csprojs.length !== 1)
    throw new Error(
      csprojs.length === 0
        ? `${full} has no .csproj: the Serverless Defender for Azure Functions supports .NET (C#) function apps only`
        : `${full} has ${csprojs.length} .csproj files (${csprojs.join(", ")}): give the folder of the function app's project`,
    );
  const nuget = names.find((n) => n.toLowerCase() === "nuget.config");
  const sources: ProjectSnapshot["sources"] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(full, rel), { withFileTypes: true })) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        if (!entry.name.startsWith(".") && !SKIPPED_DIRS.has(entry.name.toLowerCase()))
          walk(relPath);
      } else if (entry.isFile() && entry.name.endsWith(".cs")) {
        sources.push({ path: relPath, text: fs.readFileSync(path.join(full, relPath), "utf8") });
      }
    }
  };
  walk("");
  sources.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return {
    dir: full,
    csprojPath: csprojs[0],
    csproj: fs.readFileSync(path.join(full, csprojs[0]), "utf8"),
    nugetConfigPath: nuget,
    nugetConfig: nuget === undefined ? undefined : fs.readFileSync(path.join(full, nuget), "utf8"),
    sources,
  };
}

async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The files of a zip (given as bytes) by name, names checked against zip-slip (absolute, drive letters, `..`). */
export async function readZipFiles(zip: Buffer, origin: string): Promise<Map<string, Buffer>> {
  let file: yauzl.ZipFile;
  try {
    file = await new Promise<yauzl.ZipFile>((resolve, reject) =>
      yauzl.fromBuffer(zip, { lazyEntries: true, validateEntrySizes: true }, (err, z) =>
        err ? reject(err) : resolve(z),
      ),
    );
  } catch (e) {
    throw new Error(`${origin} is not a readable zip archive (${(e as Error).message})`);
  }
  const entries: yauzl.Entry[] = [];
  try {
    await new Promise<void>((resolve, reject) => {
      file.on("entry", (e: yauzl.Entry) => {
        entries.push(e);
        file.readEntry();
      });
      file.on("end", () => resolve());
      file.on("error", reject);
      file.readEntry();
    });
  } catch (e) {
    // yauzl itself refuses absolute and `..` names ("invalid relative path"): say which archive.
    file.close();
    throw new Error(`${origin}: refusing the archive: ${(e as Error).message}`);
  }
  const files = new Map<string, Buffer>();
  try {
    for (const e of entries) {
      if (e.fileName.endsWith("/")) continue;
      files.set(safeEntryName(e.fileName, origin), await readAll(await entryStream(file, e)));
    }
  } finally {
    file.close();
  }
  return files;
}

/** The files the bundle puts under `<project>/twistlock`, keyed by their path inside that folder. */
export function bundleLayout(bundle: Map<string, Buffer>): Map<string, Buffer> {
  const prefix = `${TWISTLOCK_DIR}/`;
  const all = [...bundle.keys()];
  // The Console's .NET bundle holds `twistlock/...`; a bundle without that folder is placed inside it as is.
  const nested = all.length > 0 && all.every((n) => n.toLowerCase().startsWith(prefix));
  const out = new Map<string, Buffer>();
  for (const name of all.sort())
    out.set(nested ? name.slice(prefix.length) : name, bundle.get(name)!);
  return out;
}

/** The package version in a .nupkg (a zip whose root .nuspec has `<metadata><version>`). */
export async function nupkgVersion(nupkg: Buffer, origin: string): Promise<string> {
  const files = await readZipFiles(nupkg, origin);
  const nuspec = [...files.keys()].find(
    (n) => !n.includes("/") && n.toLowerCase().endsWith(".nuspec"),
  );
  if (!nuspec) throw new Error(`${origin} has no .nuspec at its root: it is not a NuGet package`);
  const text = files
    .get(nuspec)!
    .toString("utf8")
    .replace(/^\uFEFF/, "");
  let value: string | undefined;
  try {
    const version = descendants(parseXml(text), "version")[0];
    value = version && text.slice(version.openEnd, version.closeStart).trim();
  } catch (e) {
    throw new Error(`${origin}: ${nuspec} is not readable XML (${(e as Error).message})`);
  }
  if (!value) throw new Error(`${origin}: ${nuspec} has no <version>`);
  return value;
}

/** The Twistlock package(s) in a twistlock folder's file list: `twistlock.<version>.nupkg`. */
export function twistlockPackages(names: Iterable<string>): string[] {
  return [...names].filter((n) => /^twistlock\.[^/]*\.nupkg$/i.test(n)).sort();
}

/** Equal NuGet versions, as NuGet compares them (`34.04.145` equals `34.4.145`). */
export function sameVersion(a: string, b: string): boolean {
  const norm = (v: string) =>
    v
      .trim()
      .split("+")[0]
      .split(/[.-]/)
      .map((p) => (/^\d+$/.test(p) ? String(Number(p)) : p.toLowerCase()))
      .join(".")
      .replace(/(\.0)+$/, "");
  return norm(a) === norm(b);
}

/**
 * Hex SHA-256 of a published package: of the bytes for a .zip, of every file's path and bytes (sorted) for a
 * folder. It names the uploaded blob, so new code means a new URL and the app reloads it.
 */
export function packageHash(p: string): string {
  const full = path.resolve(p);
  if (!fs.existsSync(full))
    throw new Error(`packagePath ${full} does not exist: run dotnet publish first`);
  const hash = createHash("sha256");
  if (fs.statSync(full).isFile()) return hash.update(fs.readFileSync(full)).digest("hex");
  const walk = (rel: string) => {
    const entries = fs.readdirSync(path.join(full, rel), { withFileTypes: true });
    for (const e of entries.sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const relPath = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(relPath);
      else
        hash.update(`${relPath}\0`).update(
          createHash("sha256")
            .update(fs.readFileSync(path.join(full, relPath)))
            .digest(),
        );
    }
  };
  walk("");
  return hash.digest("hex");
}
