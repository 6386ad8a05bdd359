// One example, run in its own process (so each program gets fresh Pulumi runtime state and its own mocks): the
// program runs under mocks against the Console simulator, and the parent receives, over IPC, only what is safe to
// print: resource types, names, parents, Defender wiring with secrets masked, and stack outputs.
import * as fs from "fs";
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { installRecordingMocks, RecordedResource, waitForRegistrations } from "./mocks";
import { describeOutput, describeWiring, reveal, UNKNOWN, WiringLine } from "./wiring";
import { wireFileArchive, wireFileAsset } from "./wire";
import { runYamlProgram } from "./yamlProgram";

/** What the parent asks a child to run (passed in PRISMA_DEFENDER_DEMO_JOB). */
export interface DemoJob {
  dir: string;
  kind: "typescript" | "yaml";
  /** The TypeScript program's entry file. */
  program?: string;
  project: string;
  stack: string;
  preview: boolean;
}

export interface DemoResource {
  urn: string;
  type: string;
  name: string;
  parent?: string;
  custom: boolean;
  wiring: WiringLine[];
}

/** What a child reports. `error` holds the messages of everything that failed. */
export interface DemoResult {
  resources: DemoResource[];
  outputs: { name: string; value: string }[];
  errors: string[];
}

async function describeOutputs(exported: Record<string, unknown>): Promise<DemoResult["outputs"]> {
  const rows: DemoResult["outputs"] = [];
  for (const [name, v] of Object.entries(exported)) {
    if (typeof v === "function" || pulumi.Resource.isInstance(v)) continue;
    const o = pulumi.output(v) as any;
    const [known, secret] = await Promise.all([o.isKnown, o.isSecret]);
    rows.push({
      name,
      value: describeOutput(known ? await o.promise() : undefined, secret, known),
    });
  }
  return rows;
}

/** A path as the reader knows it: relative to the program, or a short name for files the component generated. */
export function displayPath(p: string, dir: string): string {
  const rel = path.relative(dir, path.resolve(dir, p));
  if (!rel.startsWith("..") && !path.isAbsolute(rel)) return `./${rel || "."}`;
  const base = path.basename(p).replace(/^([0-9a-f]{12})[0-9a-f]{20,}/, "$1…");
  return `(generated) ${base}`;
}

/**
 * Assets and archives reach the mocks as SDK objects whose fields are promises; turn them back into the engine's
 * wire form so the (synchronous, pure) wiring description can show their paths.
 */
async function plainAssets(v: unknown, dir: string): Promise<unknown> {
  if (pulumi.isUnknown(v)) return UNKNOWN;
  if (pulumi.asset.Asset.isInstance(v) || pulumi.asset.Archive.isInstance(v)) {
    const o = v as any;
    const [p, uri, assets] = await Promise.all([o.path, o.uri, o.assets]);
    const sig = pulumi.asset.Asset.isInstance(v) ? wireFileAsset : wireFileArchive;
    if (typeof p === "string") return sig(displayPath(p, dir));
    if (typeof uri === "string") return { ...sig(""), path: undefined, uri };
    return { ...wireFileArchive(""), path: undefined, assets: assets ?? {} };
  }
  if (typeof v === "string" && path.isAbsolute(v) && fs.existsSync(v)) return displayPath(v, dir);
  if (Array.isArray(v)) return Promise.all((v as unknown[]).map((x) => plainAssets(x, dir)));
  if (v && typeof v === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v as object)) out[k] = await plainAssets(x, dir);
    return out;
  }
  return v;
}

/** A docker.Image's inputs plus the text of the Dockerfile it builds (read before paths are shortened). */
function withDockerfileText(r: RecordedResource): Record<string, unknown> {
  if (r.type !== "docker:index/image:Image") return r.inputs;
  const build = reveal(r.inputs.build).value as Record<string, unknown> | undefined;
  const file = typeof build?.dockerfile === "string" ? build.dockerfile : undefined;
  if (!file || !fs.existsSync(file)) return r.inputs;
  return { ...r.inputs, dockerfileText: fs.readFileSync(file, "utf8") };
}

export async function runJob(job: DemoJob): Promise<DemoResult> {
  const errors: unknown[] = [];
  process.on("unhandledRejection", (e) => errors.push(e));
  process.on("uncaughtException", (e) => errors.push(e));
  const resources = installRecordingMocks(job.project, job.stack, job.preview);
  let outputs: DemoResult["outputs"] = [];
  try {
    let exported: Record<string, unknown>;
    if (job.kind === "yaml") {
      // The plugin's provider from the installed package (scripts/package/tarball.ts installedPackage), as the engine would start it.
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const serve = require(
        path.join(process.env.PRISMA_DEFENDER_PACKAGE!, "dist", "plugin", "serve"),
      );
      exported = await runYamlProgram(job.dir, job.stack, serve.createProvider());
    } else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(job.program!);
      exported = typeof mod === "function" ? await mod() : mod;
    }
    outputs = await describeOutputs(exported ?? {});
  } catch (e) {
    errors.push(e);
  }
  // Components create their children in their constructors, so once the RPCs have drained nothing more comes.
  await waitForRegistrations().catch((e) => errors.push(e));
  const described: DemoResource[] = [];
  for (const r of resources) {
    const inputs = (await plainAssets(withDockerfileText(r), job.dir)) as Record<string, unknown>;
    const { urn, type, name, parent, custom } = r;
    described.push({ urn, type, name, parent, custom, wiring: describeWiring(type, inputs) });
  }
  return {
    resources: described,
    outputs,
    errors: [...new Set(errors.map((e) => (e instanceof Error ? e.message : String(e))))],
  };
}

if (require.main === module) {
  const job = JSON.parse(process.env.PRISMA_DEFENDER_DEMO_JOB ?? "{}") as DemoJob;
  runJob(job).then(
    (result) => process.send!(result, () => process.exit(0)),
    (e) => {
      process.send!({ resources: [], outputs: [], errors: [String(e?.message ?? e)] }, () =>
        process.exit(1),
      );
    },
  );
}
