// The build context docker.Image builds: the user's context (as .dockerignore leaves it) plus the protected
// Dockerfile and the Defender tarball, staged in the private cache, never in the user's source tree.
//
// It is content-addressed: the directory is named by a hash of every staged file's path, type, mode and content,
// the generated Dockerfile and the tarball's sha256. Unchanged inputs give the same path (so docker.Image's inputs
// do not change between runs) and reuse the directory. Files are copied, not hard-linked: a hard link would share
// the mode and any later edit of the source, and a content-addressed copy must not change under its name.
// Copies are streamed (any size) and hashed again while they are written, so a file edited during staging is
// caught rather than staged under a hash it no longer has.
import ignore from "@balena/dockerignore";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import pLimit from "p-limit";
import { cacheDirectory, ensurePrivateDirectory } from "../core/console/downloads";
import { DEFENDER_TARBALL } from "./defenderBlock";

/** Name of the generated Dockerfile inside the staged context. */
export const STAGED_DOCKERFILE = "Dockerfile.prisma-defender";
/** Staged contexts unused for this long are removed when another one is staged. */
export const STAGED_CONTEXT_MAX_AGE_MS = 14 * 24 * 3600 * 1000;
const FORMAT = "prisma-defender staged context v1";

export interface StageRequest {
  /** The user's build context directory; absent in mode `image`. */
  contextDir?: string;
  /** The user's Dockerfile path: `<Dockerfile>.dockerignore` next to it wins over `<context>/.dockerignore`. */
  dockerfilePath?: string;
  /** The protected Dockerfile's text (never holds INSTALL_BUNDLE). */
  dockerfile: string;
  tarball: { path: string; sha256: string };
  /** Default: the download cache directory. */
  cacheDir?: string;
}

export interface StagedContext {
  /** Absolute path of the staged context directory. */
  dir: string;
  /** Absolute path of the generated Dockerfile inside it. */
  dockerfile: string;
  /** The content hash that names the directory. */
  digest: string;
  /** True when an identical staged context already existed. */
  reused: boolean;
  /** User files replaced by ours (same name as the generated Dockerfile or the tarball). */
  replaced: string[];
}

interface Entry {
  rel: string;
  type: "file" | "dir" | "symlink";
  mode: number;
  target?: string;
  sha256?: string;
}

/** The ignore file Docker would use, if any: `<Dockerfile>.dockerignore`, else `<context>/.dockerignore`. */
export function ignoreFileFor(contextDir: string, dockerfilePath?: string): string | undefined {
  const candidates = [
    ...(dockerfilePath ? [`${dockerfilePath}.dockerignore`] : []),
    path.join(contextDir, ".dockerignore"),
  ];
  return candidates.find((f) => fs.existsSync(f));
}

function hashingCopy(hash: ReturnType<typeof createHash>): Transform {
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      hash.update(chunk);
      done(null, chunk);
    },
  });
}

async function sha256Of(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/** Every entry Docker would send, sorted, the .dockerignore file itself and our own names excluded. */
export async function listContext(contextDir: string, dockerfilePath?: string): Promise<Entry[]> {
  const ignoreFile = ignoreFileFor(contextDir, dockerfilePath);
  const patterns = ignoreFile ? fs.readFileSync(ignoreFile, "utf8").split(/\r?\n/) : [];
  const ig = ignore().add(patterns.filter((p) => p.trim() && !p.trim().startsWith("#")));
  // With an exception pattern (`!x`) an ignored directory may still hold included files: walk into it.
  const exceptions = patterns.some((p) => p.trim().startsWith("!"));
  const entries: Entry[] = [];
  const walk = (dir: string) => {
    for (const name of fs.readdirSync(path.join(contextDir, dir)).sort()) {
      const rel = dir ? `${dir}/${name}` : name;
      const stat = fs.lstatSync(path.join(contextDir, rel));
      const ignored = ig.ignores(rel);
      if (stat.isDirectory()) {
        if (!ignored) entries.push({ rel, type: "dir", mode: stat.mode & 0o7777 });
        if (!ignored || exceptions) walk(rel);
      } else if (!ignored && rel !== ".dockerignore") {
        if (stat.isSymbolicLink()) {
          const target = fs.readlinkSync(path.join(contextDir, rel));
          entries.push({ rel, type: "symlink", mode: 0o777, target });
        } else if (stat.isFile()) {
          entries.push({ rel, type: "file", mode: stat.mode & 0o7777 });
        }
        // Sockets, FIFOs and devices are not sent by Docker either.
      }
    }
  };
  walk("");
  const limit = pLimit(4);
  await Promise.all(
    entries
      .filter((e) => e.type === "file")
      .map((e) => limit(async () => (e.sha256 = await sha256Of(path.join(contextDir, e.rel))))),
  );
  return entries;
}

function digestOf(entries: Entry[], dockerfile: string, tarballSha: string): string {
  const hash = createHash("sha256").update(`${FORMAT}\n`);
  for (const e of entries) {
    hash.update(JSON.stringify([e.type, e.rel, e.mode, e.target ?? null, e.sha256 ?? null]) + "\n");
  }
  hash.update(`dockerfile ${createHash("sha256").update(dockerfile).digest("hex")}\n`);
  hash.update(`tarball ${tarballSha}\n`);
  return hash.digest("hex");
}

async function copyVerified(from: string, to: string, sha256: string, mode: number): Promise<void> {
  const hash = createHash("sha256");
  await pipeline(
    fs.createReadStream(from),
    hashingCopy(hash),
    fs.createWriteStream(to, { flags: "wx", mode: 0o600 }),
  );
  if (hash.digest("hex") !== sha256) {
    throw new Error(`${from} changed while it was being staged; run the deployment again`);
  }
  await fs.promises.chmod(to, mode);
}

/** Stage (or reuse) the protected build context. */
export async function stageBuildContext(request: StageRequest): Promise<StagedContext> {
  const root = path.join(request.cacheDir ?? cacheDirectory(), "contexts");
  ensurePrivateDirectory(path.dirname(root));
  ensurePrivateDirectory(root);
  const all = request.contextDir
    ? await listContext(request.contextDir, request.dockerfilePath)
    : [];
  const ours = new Set([STAGED_DOCKERFILE, DEFENDER_TARBALL]);
  const replaced = all.filter((e) => ours.has(e.rel)).map((e) => e.rel);
  const entries = all.filter((e) => !ours.has(e.rel));
  const digest = digestOf(entries, request.dockerfile, request.tarball.sha256);
  const dir = path.join(root, digest.slice(0, 32));
  const manifest = `${dir}.json`;
  const result = { dir, dockerfile: path.join(dir, STAGED_DOCKERFILE), digest, replaced };
  if (fs.existsSync(manifest) && fs.existsSync(result.dockerfile)) {
    const now = new Date();
    fs.utimesSync(manifest, now, now);
    return { ...result, reused: true };
  }
  const temp = path.join(root, `.staging-${randomBytes(8).toString("hex")}`);
  fs.mkdirSync(temp, { mode: 0o700 });
  try {
    const limit = pLimit(4);
    for (const e of entries.filter((x) => x.type === "dir")) {
      fs.mkdirSync(path.join(temp, e.rel), { recursive: true, mode: 0o700 });
    }
    await Promise.all(
      entries.map((e) =>
        limit(async () => {
          const to = path.join(temp, e.rel);
          await fs.promises.mkdir(path.dirname(to), { recursive: true, mode: 0o700 });
          if (e.type === "file") {
            await copyVerified(path.join(request.contextDir!, e.rel), to, e.sha256!, e.mode);
          } else if (e.type === "symlink") {
            await fs.promises.symlink(e.target!, to);
          }
        }),
      ),
    );
    fs.writeFileSync(path.join(temp, STAGED_DOCKERFILE), request.dockerfile, { mode: 0o600 });
    await copyVerified(
      request.tarball.path,
      path.join(temp, DEFENDER_TARBALL),
      request.tarball.sha256,
      0o600,
    );
    // Directory modes last, deepest first: a read-only directory would have refused the files above. A parent
    // that .dockerignore excluded but an exception (`!x`) reopened gets its source mode too, as Docker sends it.
    const dirs = new Set<string>();
    for (const e of entries) {
      for (let d = path.posix.dirname(e.rel); d !== "."; d = path.posix.dirname(d)) dirs.add(d);
      if (e.type === "dir") dirs.add(e.rel);
    }
    for (const rel of [...dirs].sort().reverse()) {
      fs.chmodSync(
        path.join(temp, rel),
        fs.statSync(path.join(request.contextDir!, rel)).mode & 0o7777,
      );
    }
    try {
      fs.renameSync(temp, dir);
    } catch (error) {
      // Another process staged the same content first: theirs is identical.
      if (!fs.existsSync(dir)) throw error;
      fs.rmSync(temp, { recursive: true, force: true });
    }
    fs.writeFileSync(manifest, JSON.stringify({ format: FORMAT, digest }) + "\n", { mode: 0o600 });
  } catch (error) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw error;
  }
  pruneStagedContexts(root, STAGED_CONTEXT_MAX_AGE_MS, dir);
  return { ...result, reused: false };
}

/** Remove staged contexts whose manifest was not touched for `maxAgeMs`, and abandoned partial stagings. */
export function pruneStagedContexts(root: string, maxAgeMs: number, keep?: string): void {
  const now = Date.now();
  for (const name of fs.readdirSync(root)) {
    const full = path.join(root, name);
    try {
      const age = now - fs.statSync(full).mtimeMs;
      if (name.endsWith(".json") && age > maxAgeMs && full !== `${keep}.json`) {
        fs.rmSync(full.slice(0, -".json".length), { recursive: true, force: true });
        fs.rmSync(full, { force: true });
      } else if (name.startsWith(".staging-") && age > 24 * 3600 * 1000) {
        fs.rmSync(full, { recursive: true, force: true });
      }
    } catch {
      // Pruning is housekeeping: a concurrent run may have removed the entry already.
    }
  }
}
