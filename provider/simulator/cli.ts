// `npm run console-simulator`: a Console simulator to point a Pulumi program (or curl) at, until Ctrl-C.
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { parseArgs } from "util";
import { startConsoleSimulator } from "./index";

const usage = `Usage: npm run console-simulator -- [options]
  --http                 plain HTTP instead of HTTPS with a fresh self-signed CA
  --port <n>             port on 127.0.0.1 (default: a free one)
  --tenant-path <path>   serve a SaaS tenant prefix, such as /us-3-123456789
  --console-version <v>  Console version to emulate (default 34.04.145; 32.07.123 for an older one)
  --username <u> --password <p>   credentials to accept (default admin / a random password)
  --token-ttl <seconds>  token lifetime (default 1800)
  --project <name>       a project that exists (repeatable)
  --seed <text>          make every generated secret and archive reproducible
  --padding <bytes>      pad serverless zips to this size (download benchmarks)
  --latency <ms>         add latency to every answer
  --quiet                do not log requests`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      http: { type: "boolean" },
      port: { type: "string" },
      "tenant-path": { type: "string" },
      "console-version": { type: "string" },
      username: { type: "string" },
      password: { type: "string" },
      "token-ttl": { type: "string" },
      project: { type: "string", multiple: true },
      seed: { type: "string" },
      padding: { type: "string" },
      latency: { type: "string" },
      quiet: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help) return void console.log(usage);
  if ((values.username === undefined) !== (values.password === undefined)) {
    throw new Error("--username and --password go together");
  }
  const num = (value: string | undefined, flag: string) => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`${flag} must be a non-negative number, got ${value}`);
    return n;
  };
  const sim = await startConsoleSimulator({
    https: !values.http,
    port: num(values.port, "--port"),
    tenantPath: values["tenant-path"],
    version: values["console-version"],
    users: values.username
      ? [{ username: values.username, password: values.password! }]
      : undefined,
    tokenTtlSeconds: num(values["token-ttl"], "--token-ttl"),
    projects: values.project,
    seed: values.seed,
    bundlePaddingBytes: num(values.padding, "--padding"),
    latencyMs: num(values.latency, "--latency"),
    onRequest: values.quiet
      ? undefined
      : (r) => console.log(`${r.method} ${r.path} -> ${r.status || "dropped"} (${r.auth})`),
  });
  const lines = [
    `Prisma Cloud Compute Console simulator ${sim.version}`,
    `  URL:       ${sim.url}`,
  ];
  let caDir: string | undefined;
  if (sim.caCertificate) {
    caDir = fs.mkdtempSync(path.join(os.tmpdir(), "console-simulator-"));
    const caFile = path.join(caDir, "ca.pem");
    fs.writeFileSync(caFile, sim.caCertificate, { mode: 0o644 });
    lines.push(`  CA file:   ${caFile}`);
  }
  lines.push(
    `  Username:  ${sim.credentials.username}`,
    `  Password:  ${sim.credentials.password}`,
    "",
    "Point prisma-defender at it:",
    `  export PRISMACLOUDCOMPUTE_CONSOLE_URL=${sim.url}`,
    `  export PRISMACLOUDCOMPUTE_USERNAME=${sim.credentials.username}`,
    `  export PRISMACLOUDCOMPUTE_PASSWORD='${sim.credentials.password}'`,
    "",
    "Press Ctrl-C to stop.",
  );
  console.log(lines.join("\n"));
  const stop = () => {
    console.log("\nstopping");
    if (caDir) fs.rmSync(caDir, { recursive: true, force: true });
    void sim.close().then(() => process.exit(0));
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
}

main().catch((error: Error) => {
  console.error(`console-simulator: ${error.message}`);
  console.error(usage);
  process.exit(2);
});
