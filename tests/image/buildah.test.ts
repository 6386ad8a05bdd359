// End to end, for real: each mode's staged build context is built with buildah (no Docker daemon, no registry),
// then the image's configured ENTRYPOINT + CMD are run the way a container runtime runs them. The simulator's
// `defender` must run first, log its marker, and exec the original program with its arguments (same PID).
// Needs buildah and busybox-static (scripts/setup.sh installs both) and root (vfs storage, chroot isolation).
import { simulatorConsole } from "./support";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { INSTALL_BUNDLE_BUILD_ARG } from "../../provider/image/defenderBlock";
import { EmbeddedImagePlan, planEmbeddedImage } from "../../provider/image/embeddedImagePlan";
import { EmbedMode, InstallBundlePlacement } from "../../provider/image/embeddedImageRules";
import { startConsoleSimulator } from "../../provider/simulator";
import { ConsoleSimulator } from "../../provider/simulator/types";

const BUSYBOX = "/bin/busybox";
const missing = [
  spawnSync("buildah", ["--version"]).status === 0 ? "" : "buildah is not installed",
  fs.existsSync(BUSYBOX) ? "" : `${BUSYBOX} (busybox-static) is missing`,
  process.getuid?.() === 0 ? "" : "buildah with vfs storage and chroot isolation needs root here",
].filter(Boolean);
const suite = missing.length ? describe.skip : describe;
if (missing.length) {
  console.warn(
    `Skipping the buildah end-to-end tests: ${missing.join("; ")}. Run scripts/setup.sh.`,
  );
}

const APP = `#!/bin/sh
echo "app pid=$$ args=$*"
echo "exec'd by=\${TW_DEFENDER_SIMULATED:-nobody}"
echo "bundle=\${INSTALL_BUNDLE:+set}"
`;
const DOCKERFILE = `FROM scratch
COPY busybox /bin/busybox
RUN ["/bin/busybox", "--install", "-s", "/bin"]
COPY app.sh /app.sh
ENTRYPOINT ["/app.sh", "--mode"]
CMD ["greet", "hello world"]
`;

let sim: ConsoleSimulator;
let work: string;
let storage: string[];

function buildah(args: string[]): { stdout: string; stderr: string } {
  const r = spawnSync("buildah", [...storage, ...args], { encoding: "utf8", timeout: 240_000 });
  if (r.status !== 0) {
    throw new Error(`buildah ${args.join(" ")} failed (${r.status}): ${r.stderr}${r.stdout}`);
  }
  return { stdout: r.stdout, stderr: r.stderr };
}

const imageConfig = (tag: string) =>
  JSON.parse(buildah(["inspect", "--type", "image", tag]).stdout).OCIv1.config as {
    Entrypoint?: string[];
    Cmd?: string[];
    Env?: string[];
  };

/** Run the image as a runtime would (Entrypoint + Cmd), with extra environment; return output and defender log. */
function runImage(tag: string, env: Record<string, string> = {}) {
  const config = imageConfig(tag);
  const container = buildah([
    "from",
    "--name",
    `run-${tag.replace(/\W/g, "-")}`,
    tag,
  ]).stdout.trim();
  for (const [k, v] of Object.entries(env)) buildah(["config", "--env", `${k}=${v}`, container]);
  const argv = [...(config.Entrypoint ?? []), ...(config.Cmd ?? [])];
  const run = buildah(["run", "--isolation", "chroot", container, "--", ...argv]);
  const log = buildah([
    "run",
    "--isolation",
    "chroot",
    container,
    "--",
    "cat",
    "/twistlock/defender-ran.log",
  ]);
  return { config, argv, ...run, log: log.stdout };
}

function planFor(mode: EmbedMode, placement: InstallBundlePlacement, extra: object = {}) {
  const compute = simulatorConsole(sim);
  return planEmbeddedImage(compute, {
    mode,
    context: path.join(work, "app"),
    appId: `e2e-${mode.toLowerCase()}`,
    filesystemMonitoring: false,
    installBundlePlacement: placement,
    cacheDir: path.join(work, "cache"),
    ...extra,
  });
}

function build(plan: EmbeddedImagePlan, tag: string, buildArgs: Record<string, string> = {}) {
  const args = Object.entries(buildArgs).flatMap(([k, v]) => ["--build-arg", `${k}=${v}`]);
  buildah([
    "bud",
    "--isolation",
    "chroot",
    "-q",
    ...args,
    "-f",
    plan.dockerfilePath,
    "-t",
    tag,
    plan.contextDir,
  ]);
}

/** What every protected image must show when run. */
function expectProtectedRun(result: ReturnType<typeof runImage>, appId: string, args: string) {
  const pid = /app pid=(\d+) args=(.*)/.exec(result.stdout);
  expect(pid?.[2]).toBe(args);
  expect(result.stdout).toContain("exec'd by=app-embedded");
  expect(result.stderr).toContain("twistlock-defender(simulated): app-embedded start: /app.sh");
  // The Defender logged first, with the same PID the app then had: it exec'd the app.
  expect(result.log).toContain(
    `app-embedded start version=${sim.version} app_id=${appId} pid=${pid![1]} program=/app.sh`,
  );
}

suite("buildah end to end", () => {
  beforeAll(async () => {
    sim = await startConsoleSimulator();
    work = fs.mkdtempSync(path.join(os.tmpdir(), "edi-buildah-"));
    storage = [
      "--root",
      path.join(work, "root"),
      "--runroot",
      path.join(work, "runroot"),
      "--storage-driver",
      "vfs",
    ];
    const app = path.join(work, "app");
    fs.mkdirSync(app);
    fs.copyFileSync(BUSYBOX, path.join(app, "busybox"));
    fs.chmodSync(path.join(app, "busybox"), 0o755);
    fs.writeFileSync(path.join(app, "app.sh"), APP, { mode: 0o755 });
    fs.writeFileSync(path.join(app, "Dockerfile"), DOCKERFILE);
  });
  afterAll(async () => {
    await sim?.close();
    if (work) {
      spawnSync("buildah", [...storage, "rm", "--all"]);
      spawnSync("buildah", [...storage, "rmi", "--all", "--force"]);
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  test("Tarball: our block wraps ENTRYPOINT, keeps CMD; INSTALL_BUNDLE comes from the runtime", async () => {
    const plan = await planFor(EmbedMode.Tarball, InstallBundlePlacement.InjectAtRuntime);
    build(plan, "localhost/e2e-tarball:1");
    const result = runImage("localhost/e2e-tarball:1", { INSTALL_BUNDLE: plan.installBundle });
    expect(result.config.Entrypoint).toEqual([
      "/twistlock/defender",
      "app-embedded",
      "/app.sh",
      "--mode",
    ]);
    expect(result.config.Entrypoint).toEqual(plan.wrappedEntrypoint);
    expect(result.config.Cmd).toEqual(["greet", "hello world"]);
    expect(result.config.Env?.some((e) => e.startsWith("INSTALL_BUNDLE="))).toBe(false);
    expect(result.config.Env).toContain("DEFENDER_APP_ID=e2e-tarball");
    expectProtectedRun(result, "e2e-tarball", "--mode greet hello world");
    expect(result.stdout).toContain("bundle=set");
  }, 300_000);

  test("Console: the Console's rewrite, INSTALL_BUNDLE baked in from the secret build arg", async () => {
    const plan = await planFor(EmbedMode.Console, InstallBundlePlacement.BakedIntoImage);
    expect(fs.readFileSync(plan.dockerfilePath, "utf8")).not.toContain(plan.installBundle);
    build(plan, "localhost/e2e-console:1", { [INSTALL_BUNDLE_BUILD_ARG]: plan.installBundle });
    const result = runImage("localhost/e2e-console:1");
    expect(result.config.Entrypoint).toEqual(plan.wrappedEntrypoint);
    expect(result.config.Env).toContain(`INSTALL_BUNDLE=${sim.secrets.installBundle}`);
    expectProtectedRun(result, "e2e-console", "--mode greet hello world");
    expect(result.stdout).toContain("bundle=set");
  }, 300_000);

  test("Image: an existing image protected by reference, with the original entrypoint and command", async () => {
    buildah([
      "bud",
      "--isolation",
      "chroot",
      "-q",
      "-t",
      "localhost/e2e-plain:1",
      path.join(work, "app"),
    ]);
    const plan = await planFor(EmbedMode.Image, InstallBundlePlacement.InjectAtRuntime, {
      context: undefined,
      baseImage: "localhost/e2e-plain:1",
      originalEntrypoint: ["/app.sh", "--mode"],
      originalCommand: ["from", "image mode"],
    });
    build(plan, "localhost/e2e-image:1");
    const result = runImage("localhost/e2e-image:1");
    expect(result.config.Cmd).toEqual(["from", "image mode"]);
    expectProtectedRun(result, "e2e-image", "--mode from image mode");
    // Without INSTALL_BUNDLE injected the (simulated) Defender warns that it cannot connect.
    expect(result.stdout).toContain("bundle=\n");
    expect(result.stderr).toContain("INSTALL_BUNDLE is not set");
  }, 300_000);
});
