// Benchmark 1 (child): peak RSS while a padded serverless bundle streams from the simulator into the cache, and
// then while it goes through the archive merge, against this process's baseline.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { consoleFor } from "../../provider/core/console/client";
import {
  listDirectory,
  listZip,
  mergeEntries,
  workDir,
  writeZip,
} from "../../provider/core/archive";
import { childInput, consoleEnv, runMain } from "../lib/child";
import { peakRss, resetPeakRss, sampleRss, settle } from "../lib/memory";

interface Input {
  /** `download`: the bundle only. `merge`: download, then merge it with a small function archive. */
  mode: "download" | "merge";
  cacheDir: string;
}

async function main() {
  const { mode, cacheDir } = childInput<Input>();
  const conn = consoleEnv();
  // The client reads its cache directory from the environment; a fresh one per run, so the bundle is downloaded.
  process.env.PRISMA_DEFENDER_CACHE_DIR = cacheDir;
  const merge = mode === "merge" ? await loadMerge() : undefined;
  const console = consoleFor({
    url: conn.url,
    username: conn.username,
    password: conn.password,
    caCertificate: conn.caCertificate,
    insecureSkipVerify: false,
    requestTimeoutSeconds: 300,
  });
  // Authenticate and detect the version first: the baseline is a warmed-up client, ready to download.
  await console.apiVersion();
  settle();
  const baseline = process.memoryUsage.rss();
  const peakReset = resetPeakRss();
  const sampler = sampleRss(5);
  const started = Date.now();
  const bundle = await console.serverlessBundle({ provider: "aws", runtime: "nodejs" });
  const downloadMs = Date.now() - started;
  let mergeMs: number | undefined;
  let mergedSize: number | undefined;
  if (merge) {
    const mergeStarted = Date.now();
    mergedSize = await merge(bundle.path);
    mergeMs = Date.now() - mergeStarted;
  }
  const sampledPeak = sampler.stop();
  return {
    mode,
    bundleBytes: bundle.size,
    bundleKind: bundle.kind,
    mergedSize,
    baseline,
    sampledPeak,
    hwmPeak: peakReset ? peakRss() : undefined,
    downloadMs,
    mergeMs,
  };
}

/**
 * The archive merge of embedded mode (provider/core/archive.ts, as buildEmbeddedCode uses it): the user's code
 * and the bundle listed, merged and written as one deterministic zip in the private cache. buildEmbeddedCode itself
 * is not called because it refuses, rightly, a merged zip over Lambda's 50 MB, and the padded bundle is 200 MB.
 */
async function loadMerge(): Promise<(bundlePath: string) => Promise<number>> {
  const code = fs.mkdtempSync(path.join(os.tmpdir(), "bench-merge-code-"));
  fs.writeFileSync(
    path.join(code, "index.js"),
    "exports.handler = async () => ({ statusCode: 200 });\n",
  );
  return async (bundlePath) => {
    const entries = await mergeEntries([
      await listDirectory(code, "code"),
      await listZip(bundlePath, "the Defender bundle"),
    ]);
    const written = await writeZip(entries, workDir("lambda"));
    fs.rmSync(code, { recursive: true, force: true });
    return written.size;
  };
}

runMain(main);
