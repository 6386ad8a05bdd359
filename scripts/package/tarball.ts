// The package as users get it, for the consumer tests, the demo and the benchmarks: the repository as git would give
// it, packed by `npm pack` (whose `prepare` script compiles dist/), and unpacked into a project's node_modules as
// `npm install` leaves it. Everything here is offline: the dependencies come from this repository's node_modules,
// hard-linked (real paths, so Node resolves from the project as it would after an install, not through a symlink).
import { execFileSync } from "child_process";
import { createHash } from "crypto";
import * as fs from "fs";
import * as path from "path";

export const REPO_ROOT = path.resolve(__dirname, "..", "..");
const WORK = path.join(REPO_ROOT, ".tmp", "package");

/** Files git would give a clone of the working tree: tracked and untracked-but-not-ignored, minus deleted ones. */
export function repositoryFiles(root: string = REPO_ROOT): string[] {
  const out = execFileSync(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard"],
    {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    },
  );
  return [...new Set(out.toString("utf8").split("\0").filter(Boolean))]
    .filter((f) => fs.existsSync(path.join(root, f)) && fs.statSync(path.join(root, f)).isFile())
    .sort();
}

/** A short hash of the repository's files (names and contents): the cache key of everything built from them. */
export function repositoryHash(root: string = REPO_ROOT): string {
  const hash = createHash("sha256");
  for (const f of repositoryFiles(root)) {
    hash
      .update(f)
      .update("\0")
      .update(fs.readFileSync(path.join(root, f)))
      .update("\0");
  }
  return hash.digest("hex").slice(0, 16);
}

/** Copies the repository as a git clone would hold it into `dest` (which must not exist). */
export function stageRepository(dest: string, root: string = REPO_ROOT): void {
  for (const f of repositoryFiles(root)) {
    const target = path.join(dest, f);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(root, f), target);
  }
}

/** Removes what earlier contents left in `dir` (entries named `<prefix>…`, untouched for a day): caches stay small. */
function pruneStale(dir: string, prefix: string, keep: string): void {
  const dayAgo = Date.now() - 24 * 3600 * 1000;
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir) : []) {
    const full = path.join(dir, name);
    if (!name.startsWith(prefix) || full === keep) continue;
    if (fs.statSync(full).mtimeMs < dayAgo) fs.rmSync(full, { recursive: true, force: true });
  }
}

/** Moves a finished directory or file into place; a concurrent process that got there first wins. */
function publish(tmp: string, final: string): void {
  try {
    fs.renameSync(tmp, final);
  } catch (e) {
    if (!fs.existsSync(final)) throw e;
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * `npm pack` of the repository, built from a staged git copy (so the working tree's dist/ is never rebuilt under a
 * running test), cached by content: the second call with unchanged files returns at once.
 */
export function packedTarball(): string {
  const key = repositoryHash();
  const final = path.join(WORK, `prisma-defender-${key}.tgz`);
  if (fs.existsSync(final)) return final;
  fs.mkdirSync(WORK, { recursive: true });
  const stage = fs.mkdtempSync(path.join(WORK, "stage-"));
  try {
    stageRepository(stage);
    fs.symlinkSync(path.join(REPO_ROOT, "node_modules"), path.join(stage, "node_modules"));
    const out = execFileSync(
      "npm",
      ["pack", "--json", "--pack-destination", stage, "--loglevel=error"],
      { cwd: stage, maxBuffer: 64 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] },
    );
    const [{ filename }] = JSON.parse(out.toString("utf8")) as { filename: string }[];
    publish(path.join(stage, filename), final);
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
  pruneStale(WORK, "prisma-defender-", final);
  return final;
}

/** Unpacks a tarball into `<projectDir>/node_modules/<name>` as a real directory, as `npm install <tgz>` does. */
export function installTarball(
  tarball: string,
  projectDir: string,
  name = "prisma-defender",
): string {
  const dest = path.join(projectDir, "node_modules", name);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  execFileSync("tar", ["-xzf", tarball, "-C", dest, "--strip-components=1"]);
  return dest;
}

interface Manifest {
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
  optionalDependencies?: Record<string, string>;
}

/** The directory Node would load `name` from when required from `fromDir` (walking up node_modules folders). */
function findPackageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, "node_modules", name);
    if (fs.existsSync(path.join(candidate, "package.json"))) return candidate;
    if (path.dirname(dir) === dir) return undefined;
  }
}

/**
 * Hard-links into `<projectDir>/node_modules` the packages `names` and everything they depend on (dependencies,
 * required peers, optional dependencies that are installed), taken from the repository's node_modules at the same
 * relative places. `replace` maps a package name to another installed directory to use instead (a consumer with a
 * different `@pulumi/pulumi`, say). The result is what npm would have laid out: one tree, no symlinks.
 */
export function linkDependencies(
  projectDir: string,
  names: string[],
  replace: Record<string, string> = {},
): void {
  const sourceRoot = path.join(REPO_ROOT, "node_modules");
  const targetRoot = path.join(projectDir, "node_modules");
  const done = new Set<string>();
  const visit = (name: string, fromDir: string, optional: boolean) => {
    const dir = replace[name] ?? findPackageDir(name, fromDir);
    if (!dir) {
      if (optional) return;
      throw new Error(`linkDependencies: ${name} is not installed (needed from ${fromDir})`);
    }
    if (done.has(dir)) return;
    done.add(dir);
    const rel = replace[name]
      ? path.join(name)
      : path.relative(sourceRoot, dir).replace(/^\.\.[\\/].*$/, name);
    const target = path.join(targetRoot, rel);
    if (!fs.existsSync(target)) {
      fs.mkdirSync(path.dirname(target), { recursive: true });
      // -l: hard links (fast, no copy); nested node_modules come along and resolve as they did in the source.
      execFileSync("cp", ["-al", dir, target]);
    }
    const manifest = JSON.parse(
      fs.readFileSync(path.join(dir, "package.json"), "utf8"),
    ) as Manifest;
    for (const dep of Object.keys(manifest.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(manifest.optionalDependencies ?? {})) visit(dep, dir, true);
    for (const dep of Object.keys(manifest.peerDependencies ?? {})) {
      visit(dep, dir, manifest.peerDependenciesMeta?.[dep]?.optional === true);
    }
  };
  for (const name of names) visit(name, sourceRoot, false);
}

/**
 * The packed package unpacked under `.tmp/<purpose>/<tarball>/node_modules` (made once per content; concurrent callers
 * are safe). Returns that node_modules folder: put it on NODE_PATH, and a program resolves "prisma-defender" to the
 * compiled package while its dependencies come from the repository's node_modules, one copy each.
 */
export function installedPackage(purpose: string): string {
  const tarball = packedTarball();
  const root = path.join(REPO_ROOT, ".tmp", purpose, path.basename(tarball, ".tgz"));
  if (!fs.existsSync(path.join(root, "node_modules", "prisma-defender", "package.json"))) {
    fs.mkdirSync(path.dirname(root), { recursive: true });
    const tmp = fs.mkdtempSync(`${root}-`);
    installTarball(tarball, tmp);
    publish(tmp, root);
    pruneStale(path.dirname(root), "prisma-defender-", root);
  }
  return path.join(root, "node_modules");
}
