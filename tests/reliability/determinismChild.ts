// One run of one example program for the determinism check, in its own process (fresh Pulumi runtime and client
// memo), under the demo's recording mocks against the simulator the parent started. Reports every registered
// resource with its full inputs, canonical except for what is machine-specific: assets and archives become the
// SHA-256 of their content, and the private cache directory's path becomes "<cache>".
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { createProvider } from "../../provider/plugin/serve";
import type { DemoJob } from "../../scripts/demo/child";
import { installRecordingMocks, waitForRegistrations } from "../../scripts/demo/mocks";
import { runYamlProgram } from "../../scripts/demo/yamlProgram";

export interface DeterminismResult {
  resources: { urn: string; type: string; parent?: string; inputs: string }[];
  errors: string[];
}

function hashPath(p: string): string {
  const hash = createHash("sha256");
  const add = (file: string, rel: string) => {
    const st = fs.statSync(file);
    if (st.isDirectory()) {
      for (const name of fs.readdirSync(file).sort()) add(path.join(file, name), `${rel}/${name}`);
    } else {
      hash.update(`${rel}\0${st.mode & 0o111 ? "x" : "-"}\0`).update(fs.readFileSync(file));
    }
  };
  add(p, "");
  return hash.digest("hex");
}

/** Inputs as comparable JSON: assets/archives by content, the cache path replaced, everything else as given. */
async function canonical(value: unknown, cacheDir: string): Promise<unknown> {
  // isInstance narrows `value` to never in the false branch (the classes are structurally empty): test a copy.
  const candidate: any = value;
  if (pulumi.asset.Asset.isInstance(candidate) || pulumi.asset.Archive.isInstance(candidate)) {
    const o: any = candidate;
    const [p, text, assets] = await Promise.all([o.path, o.text, o.assets]);
    if (typeof p === "string") return { archiveOrAsset: `sha256:${hashPath(p)}` };
    if (typeof text === "string") return { text };
    return { assets: await canonical(assets ?? {}, cacheDir) };
  }
  if (typeof value === "string") return value.split(cacheDir).join("<cache>");
  if (Array.isArray(value)) return Promise.all(value.map((v) => canonical(v, cacheDir)));
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = await canonical(v, cacheDir);
    return out;
  }
  return value;
}

async function run(job: DemoJob, cacheDir: string): Promise<DeterminismResult> {
  const errors: unknown[] = [];
  process.on("unhandledRejection", (e) => errors.push(e));
  const resources = installRecordingMocks(job.project, job.stack, job.preview);
  try {
    if (job.kind === "yaml") await runYamlProgram(job.dir, job.stack, createProvider());
    else {
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const mod = require(job.program!);
      if (typeof mod === "function") await mod();
    }
  } catch (e) {
    errors.push(e);
  }
  // Components create their children in their constructors, so once the RPCs have drained nothing more comes.
  await waitForRegistrations();
  const out: DeterminismResult["resources"] = [];
  for (const r of resources) {
    const inputs = JSON.stringify(await canonical(r.inputs, cacheDir));
    out.push({ urn: r.urn, type: r.type, parent: r.parent, inputs });
  }
  return {
    resources: out,
    errors: [...new Set(errors.map((e) => String((e as Error)?.message ?? e)))],
  };
}

if (require.main === module) {
  const job = JSON.parse(process.env.PRISMA_DEFENDER_DEMO_JOB ?? "{}") as DemoJob;
  run(job, process.env.PRISMA_DEFENDER_CACHE_DIR ?? "").then(
    (result) => process.send!(result, () => process.exit(0)),
    (e) =>
      process.send!({ resources: [], errors: [String(e?.message ?? e)] }, () => process.exit(1)),
  );
}
