// The zip `POST /defenders/app-embedded` returns: the rewritten `Dockerfile` and
// `twistlock_defender_app_embedded.tar.gz` (docs/console-api.md#app-embedded-zip). Entries are found by base name,
// at the top or in one folder; both must be there exactly once. Nothing is extracted under a name the zip chose: the
// Dockerfile is read into memory (bounded) and the tarball is streamed to the private cache under its sha256.
import { problem, ProblemsError } from "../core/problems";
import { createHash, randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import * as yauzl from "yauzl";
import { removePartial } from "../core/console/downloads";
import { DEFENDER_TARBALL } from "./defenderBlock";

const MAX_DOCKERFILE_BYTES = 1024 * 1024;

export interface ConsoleZipContent {
  /** The Console's rewritten Dockerfile (holds INSTALL_BUNDLE: keep it in memory only). */
  dockerfile: string;
  /** The Defender tarball, written to `<cacheDir>/<sha256>.tar.gz` (0600). */
  tarball: { path: string; sha256: string };
}

/** The zip is not what the Console documents. */
export class ConsoleZipError extends ProblemsError {
  constructor(found: string) {
    const text = `the Console's app-embedded zip ${found}; refusing to build from it`;
    super(problem("console", text));
    this.message = text;
    this.name = "ConsoleZipError";
  }
}

const openZip = (file: string) =>
  new Promise<yauzl.ZipFile>((resolve, reject) =>
    yauzl.open(file, { lazyEntries: true, autoClose: false }, (err, zip) =>
      err || !zip ? reject(err ?? new Error("unreadable zip")) : resolve(zip),
    ),
  );

const streamOf = (zip: yauzl.ZipFile, entry: yauzl.Entry) =>
  new Promise<Readable>((resolve, reject) =>
    zip.openReadStream(entry, (err, stream) =>
      err || !stream ? reject(err ?? new Error("unreadable entry")) : resolve(stream),
    ),
  );

async function entriesOf(zip: yauzl.ZipFile): Promise<yauzl.Entry[]> {
  const entries: yauzl.Entry[] = [];
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: yauzl.Entry) => {
      entries.push(entry);
      zip.readEntry();
    });
    zip.on("end", resolve);
    zip.on("error", reject);
    zip.readEntry();
  });
  return entries;
}

function pick(entries: yauzl.Entry[], name: string): yauzl.Entry {
  const found = entries.filter(
    (e) =>
      !e.fileName.endsWith("/") &&
      path.posix.basename(e.fileName) === name &&
      e.fileName.split("/").length <= 2,
  );
  if (found.length === 0) throw new ConsoleZipError(`has no ${name}`);
  if (found.length > 1) throw new ConsoleZipError(`has ${found.length} files named ${name}`);
  return found[0];
}

/** Read the Dockerfile and store the tarball of the Console's zip. */
export async function readConsoleZip(
  zipFile: string,
  cacheDir: string,
): Promise<ConsoleZipContent> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(zipFile);
  } catch (error) {
    throw new ConsoleZipError(`cannot be read (${(error as Error).message})`);
  }
  try {
    const entries = await entriesOf(zip).catch((error: Error) => {
      throw new ConsoleZipError(`cannot be read (${error.message})`);
    });
    const dockerfileEntry = pick(entries, "Dockerfile");
    const tarballEntry = pick(entries, DEFENDER_TARBALL);
    if (dockerfileEntry.uncompressedSize > MAX_DOCKERFILE_BYTES) {
      throw new ConsoleZipError(`has a Dockerfile of ${dockerfileEntry.uncompressedSize} bytes`);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of await streamOf(zip, dockerfileEntry)) chunks.push(chunk as Buffer);
    const dockerfile = Buffer.concat(chunks).toString("utf8");

    const temp = path.join(cacheDir, `.partial-${randomBytes(8).toString("hex")}`);
    const hash = createHash("sha256");
    const out = fs.createWriteStream(temp, { flags: "wx", mode: 0o600 });
    try {
      await pipeline(
        await streamOf(zip, tarballEntry),
        new Transform({
          transform(chunk: Buffer, _enc, done) {
            hash.update(chunk);
            done(null, chunk);
          },
        }),
        out,
      );
      const sha256 = hash.digest("hex");
      const final = path.join(cacheDir, `${sha256}.tar.gz`);
      fs.renameSync(temp, final);
      return { dockerfile, tarball: { path: final, sha256 } };
    } finally {
      await removePartial(out, temp);
    }
  } finally {
    zip.close();
  }
}
