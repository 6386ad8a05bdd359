// The archive cache: answers streamed to disk (never held in memory), integrity-checked, private and content
// addressed. A download is written to a temporary name in the cache directory (0700), as 0600, hashed while it
// streams; its length is compared with Content-Length and the archive is read in full (zip: every entry inflated
// and checked against its CRC-32; tar.gz: gunzip, whose trailer carries a CRC too, and list every entry) before it
// is renamed to `<sha256>.<zip|tar.gz>`. A damaged archive is retried like a body cut short: a proxy that cuts or
// garbles a download produces either.
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as tar from "tar";
import * as yauzl from "yauzl";
import { ConsoleError } from "../errors";
import { logProgress, registerSecret } from "../secrets";
import { entryStream } from "../archiveEntries";
import { BodyReader, consoleMessageOf, readSmall } from "./http";
import { markRetryable } from "./retry";
import { bodyError, declaredLength, truncatedError, unexpectedAnswer } from "./responses";
import { DownloadedArchive } from "../types";

/** Override of the cache directory (default `$XDG_CACHE_HOME/prisma-defender`, else `~/.cache/prisma-defender`). */
export const CACHE_DIR_ENV = "PRISMA_DEFENDER_CACHE_DIR";

export function cacheDirectory(): string {
  const override = process.env[CACHE_DIR_ENV];
  if (override && override.trim()) return path.resolve(override);
  const xdg = process.env.XDG_CACHE_HOME;
  const base = xdg && path.isAbsolute(xdg) ? xdg : path.join(os.homedir(), ".cache");
  return path.join(base, "prisma-defender");
}

/** Create the cache directory as 0700, or tighten it to 0700; refuse one owned by another user. */
export function ensurePrivateDirectory(dir: string): void {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const stat = fs.statSync(dir);
  if (typeof process.getuid === "function" && stat.uid !== process.getuid()) {
    throw new Error(
      `the cache directory ${dir} belongs to another user; set ${CACHE_DIR_ENV} to a private directory`,
    );
  }
  if ((stat.mode & 0o777) !== 0o700) fs.chmodSync(dir, 0o700);
}

const PROGRESS_EVERY_MS = 2000;
const PROGRESS_MIN_BYTES = 8 * 1024 * 1024;

/**
 * A BodyReader that stores the answer as an archive of `kind` in the cache. While the archive is verified, the
 * INSTALL_BUNDLE in any small entry named `Dockerfile` (app-embedded's) is registered for redaction.
 */
export function readArchive(kind: "zip" | "tar.gz"): BodyReader<DownloadedArchive> {
  return async (response, ctx) => {
    const contentType = String(response.headers["content-type"] ?? "");
    if (/json|html|text\//i.test(contentType)) {
      const text = await readSmall(response.data, ctx.idleTimeoutMs, 1024 * 1024).catch(() => "");
      const said = consoleMessageOf(text, contentType);
      throw unexpectedAnswer(
        ctx.endpoint,
        `${contentType} where a ${kind} archive was expected${said ? `: ${said}` : ""}`,
      );
    }
    const dir = cacheDirectory();
    try {
      ensurePrivateDirectory(dir);
    } catch (error) {
      throw new ConsoleError({
        endpoint: ctx.endpoint,
        kind: "cache",
        problem: `cannot use the download cache ${dir} (${(error as Error).message})`,
        hint: `Set ${CACHE_DIR_ENV} to a directory this user owns.`,
      });
    }
    const temp = path.join(dir, `.partial-${randomBytes(8).toString("hex")}`);
    const hash = createHash("sha256");
    const expected = declaredLength(response);
    let size = 0;
    let lastReport = Date.now();
    let idle: NodeJS.Timeout | undefined;
    const meter = new Transform({
      transform(chunk: Buffer, _enc, done) {
        hash.update(chunk);
        size += chunk.length;
        idle?.refresh();
        if (
          expected &&
          expected >= PROGRESS_MIN_BYTES &&
          Date.now() - lastReport >= PROGRESS_EVERY_MS
        ) {
          lastReport = Date.now();
          logProgress(`Downloading ${ctx.endpoint}: ${mib(size)} of ${mib(expected)} MiB`);
        }
        done(null, chunk);
      },
    });
    pruneStalePartials(dir);
    const out = fs.createWriteStream(temp, { flags: "wx", mode: 0o600 });
    try {
      idle = setTimeout(() => {
        response.data.destroy(Object.assign(new Error("stalled"), { code: "ETIMEDOUT" }));
      }, ctx.idleTimeoutMs);
      await pipeline(response.data, meter, out);
      clearTimeout(idle);
      if (expected !== undefined && expected !== size)
        throw truncatedError(ctx.endpoint, expected, size);
      await verifyArchive(temp, kind).catch((error: Error) => {
        throw markRetryable(
          unexpectedAnswer(
            ctx.endpoint,
            `the ${kind} archive is corrupt or of another kind (${error.message})`,
            "The Console sent a damaged archive; try again, and check any proxy that rewrites downloads.",
          ),
        );
      });
      const sha256 = hash.digest("hex");
      const final = path.join(dir, `${sha256}.${kind}`);
      fs.renameSync(temp, final);
      return { path: final, sha256, size, kind };
    } catch (error) {
      clearTimeout(idle);
      await removePartial(out, temp);
      throw bodyError(ctx.endpoint, error, ctx.idleTimeoutMs);
    }
  };
}

/**
 * Remove a partial download once its write stream has closed. The file is opened asynchronously: removed before
 * the open completes (a body that fails at once), it would be created afterwards and left behind, empty.
 */
export async function removePartial(out: fs.WriteStream, file: string): Promise<void> {
  if (!out.closed) {
    await new Promise<void>((resolve) => {
      out.once("close", resolve);
      out.destroy();
    });
  }
  fs.rmSync(file, { force: true });
}

/** A partial file older than this was left by a process that died mid-download (none runs this long). */
export const STALE_PARTIAL_MS = 60 * 60_000;
const pruned = new Set<string>();

/**
 * Once per process and cache directory: remove `.partial-*` files left by a process that was killed mid-download.
 * Only stale ones: a recent one may belong to a download another process is running now.
 */
export function pruneStalePartials(dir: string, now = Date.now()): void {
  if (pruned.has(dir)) return;
  pruned.add(dir);
  for (const name of fs.readdirSync(dir)) {
    if (!name.startsWith(".partial-")) continue;
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs > STALE_PARTIAL_MS) fs.rmSync(file, { force: true });
    } catch {
      /* gone already, or not ours to judge: leave it */
    }
  }
}

const mib = (n: number) => (n / 1024 / 1024).toFixed(1);

/** Read the archive fully: every zip entry inflated and CRC-checked, or every entry of a tar.gz. */
export async function verifyArchive(file: string, kind: "zip" | "tar.gz"): Promise<number> {
  const head = Buffer.alloc(4);
  const fd = fs.openSync(file, "r");
  try {
    fs.readSync(fd, head, 0, 4, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (kind === "zip") {
    if (head.readUInt32LE(0) !== 0x04034b50 && head.readUInt32LE(0) !== 0x06054b50) {
      throw new Error("no zip signature");
    }
    const entries = await zipEntries(file);
    if (entries === 0) throw new Error("the zip archive is empty");
    return entries;
  }
  if (head[0] !== 0x1f || head[1] !== 0x8b) throw new Error("no gzip signature");
  let entries = 0;
  await tar.list({ file, strict: true, onReadEntry: () => void entries++ });
  if (entries === 0) throw new Error("the tar archive is empty");
  return entries;
}

function zipEntries(file: string): Promise<number> {
  return new Promise((resolve, reject) => {
    yauzl.open(
      file,
      { lazyEntries: true, autoClose: false, strictFileNames: false },
      (err, zip) => {
        if (err || !zip) return reject(err ?? new Error("unreadable zip"));
        let entries = 0;
        const fail = (e: Error) => {
          zip.close();
          reject(e);
        };
        zip.on("error", fail);
        zip.on("end", () => {
          zip.close();
          resolve(entries);
        });
        zip.on("entry", (entry: yauzl.Entry) => {
          entries++;
          const next = () => zip.readEntry();
          if (entry.fileName.endsWith("/")) return next();
          if (
            path.posix.basename(entry.fileName) === "Dockerfile" &&
            entry.uncompressedSize < 1024 * 1024
          ) {
            registerDockerfileSecrets(zip, entry).then(next, fail);
          } else {
            drain(zip, entry).then(next, fail);
          }
        });
        zip.readEntry();
      },
    );
  });
}

/** The app-embedded zip's Dockerfile carries INSTALL_BUNDLE: register it so no message or log can show it. */
async function registerDockerfileSecrets(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const c of await entryStream(zip, entry)) chunks.push(c as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
  for (const m of text.matchAll(/INSTALL_BUNDLE[= ]"?([^"\s]+)"?/g)) registerSecret(m[1]);
}

/** Inflate one entry to nowhere: its stream fails on damaged data or a CRC-32 mismatch. */
async function drain(zip: yauzl.ZipFile, entry: yauzl.Entry): Promise<void> {
  for await (const _ of await entryStream(zip, entry));
}
