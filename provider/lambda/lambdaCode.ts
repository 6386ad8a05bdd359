// Embedded mode's code: the user's archive (as Pulumi hands it over), the Console's serverless bundle and the
// generated wrapper merged into one deterministic zip. No Pulumi resources here: plain async functions.
import { problem, ProblemsError } from "../core/problems";
import * as fs from "fs";
import * as pulumi from "@pulumi/pulumi";
import {
  ArchiveEntry,
  bufferEntry,
  listPath,
  listZip,
  mergeEntries,
  readEntry,
  safeEntryName,
  workDir,
  writeZip,
} from "../core/archive";
import { checkCodeSize } from "./lambdaPreflight";
import { NodeJSModuleType, runtimeInfo } from "./runtimes";
import { generateWrapper, nodeHandlerFile } from "./wrappers";

/** Every file of a Pulumi archive: FileArchive (directory, .zip, .jar) or AssetArchive (recursively). */
export async function listPulumiArchive(
  archive: pulumi.asset.Archive | pulumi.asset.Asset,
  origin: string,
  prefix = "",
): Promise<ArchiveEntry[]> {
  const a = archive as unknown as Record<string, Promise<unknown> | undefined>;
  if ("assets" in a) {
    const assets = (await a.assets) as Record<string, pulumi.asset.Archive | pulumi.asset.Asset>;
    const groups = await Promise.all(
      Object.keys(assets)
        .sort()
        .map((key) => listPulumiArchive(assets[key], origin, prefix ? `${prefix}/${key}` : key)),
    );
    return groups.flat();
  }
  if ("text" in a) return [bufferEntry(prefix, (await a.text) as string, origin)];
  if ("path" in a) {
    const p = (await a.path) as string;
    if (pulumi.asset.Asset.isInstance(archive)) {
      const st = await fs.promises.stat(p).catch(() => undefined);
      if (!st?.isFile())
        throw new ProblemsError(
          problem(origin, `the FileAsset ${p} for "${prefix}" is not a readable file.`),
        );
      const kind = st.mode & 0o111 ? "executable" : "file";
      return [
        {
          name: safeEntryName(prefix, origin),
          size: st.size,
          kind,
          source: { kind: "file", path: p },
          origin,
        },
      ];
    }
    return listPath(p, origin, prefix ? `${prefix}/` : "");
  }
  throw new ProblemsError(
    problem(
      origin,
      "embedded mode reads FileArchive, AssetArchive, FileAsset and StringAsset only; " +
        "a RemoteArchive or RemoteAsset cannot be merged with the Defender bundle.",
    ),
  );
}

export interface EmbeddedCodeRequest {
  code: pulumi.asset.Archive;
  runtime: string;
  handler: string;
  /** The Console's serverless bundle (a zip in the private cache). */
  bundlePath: string;
  /** The code already calls the Defender: add the bundle only, keep the handler. */
  codeAlreadyWrapped: boolean;
}

export interface EmbeddedCode {
  /** The merged zip, named by its SHA-256 in the private cache. */
  path: string;
  /** Base64 SHA-256 of the zip: Lambda's `sourceCodeHash` form. */
  sourceCodeHash: string;
  sha256: string;
  /** The handler the function gets (the wrapper's, or the original when the code is already wrapped). */
  handler: string;
  size: number;
  unzippedSize: number;
}

/** A bundle that holds no `twistlock` module is not a Defender: refuse it rather than deploy unprotected code. */
export function checkDefenderArchive(entries: ArchiveEntry[], origin: string): void {
  if (!entries.some((e) => e.name.split("/").some((part) => /^twistlock/i.test(part)))) {
    throw new ProblemsError(
      problem(
        "console",
        `${origin} from the Console holds no twistlock module (${entries.length} entries): it does not look like a ` +
          "Serverless Defender, so the function is not deployed. Check the Console's version and the runtime sent.",
      ),
    );
  }
}

/** The wrapper and the files the component adds to the user's code, the Console's bundle aside. */
function generatedEntries(
  req: Omit<EmbeddedCodeRequest, "bundlePath">,
  code: ArchiveEntry[],
  bundle: ArchiveEntry[],
): { handler: string; entries: ArchiveEntry[] } {
  if (code.length === 0) throw new ProblemsError(problem("code", "the archive is empty."));
  const wrapper = req.codeAlreadyWrapped
    ? { handler: req.handler, files: [] }
    : generateWrapper({
        runtime: req.runtime,
        originalHandler: req.handler,
        files: code.map((e) => e.name),
      });
  const entries = wrapper.files.map((f) => bufferEntry(f.path, f.content, "the generated wrapper"));
  // The docs load the Node.js bundle with require(): under a user's `"type": "module"` package.json its .js files
  // would be read as ES modules and fail, so the bundle's folder gets a package.json of its own when it has none.
  if (
    runtimeInfo(req.runtime).family === "nodejs" &&
    !bundle.some((e) => e.name === "twistlock/package.json")
  ) {
    entries.push(
      bufferEntry("twistlock/package.json", '{ "type": "commonjs" }\n', "the generated wrapper"),
    );
  }
  return { handler: wrapper.handler, entries };
}

/**
 * What embedded mode can check without the Console: the handler's file is in the code, and nothing the component
 * adds clashes with it. Run before any Console request; buildEmbeddedCode checks the bundle's files as well.
 */
export async function checkEmbeddedCode(
  req: Omit<EmbeddedCodeRequest, "bundlePath">,
): Promise<void> {
  const code = await listPulumiArchive(req.code, "code");
  const { entries } = generatedEntries(req, code, []);
  await mergeEntries([code, entries]);
}

/** Merge the user's code, the bundle and the wrapper into one zip; every limit is checked before it is written. */
export async function buildEmbeddedCode(req: EmbeddedCodeRequest): Promise<EmbeddedCode> {
  const code = await listPulumiArchive(req.code, "code");
  if (code.length === 0) throw new ProblemsError(problem("code", "the archive is empty."));
  const bundle = await listZip(req.bundlePath, "the Defender bundle");
  checkDefenderArchive(bundle, "the Defender bundle");
  const wrapper = generatedEntries(req, code, bundle);
  const entries = await mergeEntries([code, bundle, wrapper.entries]);
  const unzipped = entries.reduce((n, e) => n + e.size, 0);
  const early = checkCodeSize(0, unzipped);
  if (early) throw new ProblemsError(early);
  const written = await writeZip(entries, workDir("lambda"));
  const late = checkCodeSize(written.size, written.unzippedSize);
  if (late) throw new ProblemsError(late);
  return {
    path: written.path,
    sha256: written.sha256,
    sourceCodeHash: Buffer.from(written.sha256, "hex").toString("base64"),
    handler: wrapper.handler,
    size: written.size,
    unzippedSize: written.unzippedSize,
  };
}

/** Whether a Pulumi archive is one embedded mode (and module detection) can read. */
export function isLocalArchive(code: unknown): code is pulumi.asset.Archive {
  return !!code && typeof code === "object" && ("assets" in code || "path" in code);
}

/**
 * The module system of a Node.js handler, decided as Node decides it: `.mjs` is an ES module, `.cjs` CommonJS,
 * and `.js` follows the `type` of the nearest package.json inside the code (CommonJS without one). Undefined when
 * the code has no such file (in layer mode the module may come from one of the user's layers).
 */
export async function nodeHandlerModuleType(
  code: pulumi.asset.Archive,
  handler: string,
): Promise<NodeJSModuleType | undefined> {
  const entries = await listPulumiArchive(code, "code");
  let file: string;
  try {
    file = nodeHandlerFile(
      handler,
      entries.map((e) => e.name),
    );
  } catch {
    return undefined;
  }
  if (file.endsWith(".mjs")) return "ecmascript";
  if (!file.endsWith(".js")) return "commonjs";
  const parts = file.split("/").slice(0, -1);
  for (let n = parts.length; n >= 0; n--) {
    const name = [...parts.slice(0, n), "package.json"].join("/");
    const entry = entries.find((e) => e.name === name);
    if (!entry) continue;
    try {
      return JSON.parse((await readEntry(entry)).toString("utf8")).type === "module"
        ? "ecmascript"
        : "commonjs";
    } catch {
      throw new ProblemsError(
        problem(
          "code",
          `${name} is not valid JSON, so the handler's module system cannot be told.`,
        ),
      );
    }
  }
  return "commonjs";
}
