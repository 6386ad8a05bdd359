// The same Dockerfile built as is and built protected, both with buildah and both run as a container runtime runs
// them: the program must print the same output and exit with the same code, and in the protected run the
// (simulated) Defender must have run first: its marker in the data folder carries the program's PID (it exec'd the
// program), and the program sees TW_DEFENDER_SIMULATED. The simulated Defender does not start when it cannot write
// its data folder, as the real one, so an image whose USER cannot write there fails these checks.
import { simulatorConsole } from "./support";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { EmbeddedImageRequest, planEmbeddedImage } from "../../provider/image/embeddedImagePlan";
import { EmbedMode, InstallBundlePlacement } from "../../provider/image/embeddedImageRules";
import { startConsoleSimulator } from "../../provider/simulator";
import { embedDockerfile } from "../../provider/simulator/appEmbedded";
import { ConsoleSimulator } from "../../provider/simulator/types";
import { Buildah, buildahMissing, BUSYBOX } from "../helpers/buildah";

const missing = buildahMissing();
const suite = missing.length ? describe.skip : describe;
if (missing.length) {
  console.warn(`Skipping the buildah parity tests: ${missing.join("; ")}. Run scripts/setup.sh.`);
}

// What the program shows on stdout is what must not change; stderr tells who exec'd it.
const APP = `#!/bin/sh
echo "args=$*"
echo "uid=$(id -u) cwd=$(pwd)"
echo "pid=$$ defender=\${TW_DEFENDER_SIMULATED:-none}" >&2
exit 3
`;
const BUSYBOX_LINES =
  'FROM scratch\nCOPY busybox /bin/busybox\nRUN ["/bin/busybox", "--install", "-s", "/bin"]\n';

let sim: ConsoleSimulator;
let work: string;
let buildah: Buildah;
let contexts = 0;

function context(dockerfile: string): string {
  const dir = path.join(work, `app-${++contexts}`);
  fs.mkdirSync(dir);
  fs.copyFileSync(BUSYBOX, path.join(dir, "busybox"));
  fs.chmodSync(path.join(dir, "busybox"), 0o755);
  fs.writeFileSync(path.join(dir, "app.sh"), APP, { mode: 0o755 });
  fs.writeFileSync(path.join(dir, "Dockerfile"), dockerfile);
  return dir;
}

function plan(dir: string, over: Partial<EmbeddedImageRequest> = {}) {
  const compute = simulatorConsole(sim);
  return planEmbeddedImage(compute, {
    mode: EmbedMode.Tarball,
    context: dir,
    appId: "parity",
    filesystemMonitoring: false,
    installBundlePlacement: InstallBundlePlacement.InjectAtRuntime,
    cacheDir: path.join(work, "cache"),
    ...over,
  });
}

/** Build `dockerfile` as is and protected, run both; the protected run is checked to have gone through the Defender. */
async function parity(dockerfile: string, over: Partial<EmbeddedImageRequest> = {}) {
  const dir = context(dockerfile);
  const n = contexts;
  buildah.build(dir, `localhost/plain-${n}:1`);
  const p = await plan(dir, over);
  buildah.build(p.contextDir, `localhost/protected-${n}:1`, p.dockerfilePath);
  const folder = over.dataFolder ?? "/twistlock";
  const env = { INSTALL_BUNDLE: p.installBundle };
  const plain = buildah.run(`localhost/plain-${n}:1`, env);
  const guarded = buildah.run(`localhost/protected-${n}:1`, env, [
    "cat",
    `${folder}/defender-ran.log`,
  ]);
  return { plan: p, plain, guarded, dockerfile: fs.readFileSync(p.dockerfilePath, "utf8") };
}

function expectSameAndProtected(r: Awaited<ReturnType<typeof parity>>) {
  expect(r.plain.stdout).toMatch(/^args=/);
  expect(r.guarded.stdout).toBe(r.plain.stdout);
  expect(r.guarded.status).toBe(r.plain.status);
  expect(r.plain.stderr).toContain("defender=none");
  const pid = /pid=(\d+) defender=app-embedded/.exec(r.guarded.stderr);
  expect(pid).not.toBeNull();
  // Reading the marker is a second command in the same container: on failure its stderr is shown.
  expect(r.guarded.after).toMatchObject({ status: 0 });
  expect(r.guarded.after?.stdout).toContain(
    `app-embedded start version=${sim.version} app_id=parity pid=${pid![1]} `,
  );
}

suite("buildah: unprotected and protected runs agree", () => {
  beforeAll(async () => {
    // The Console's rewrite with the mistakes reported in issue 13 (the `FROM ${ARG}` one is the default).
    sim = await startConsoleSimulator({
      appEmbeddedQuirks: ["blankLineEndsInstruction", "keepsResetCmd"],
    });
    work = fs.mkdtempSync(path.join(os.tmpdir(), "edi-parity-"));
    buildah = new Buildah(work);
  });
  afterAll(async () => {
    await sim?.close();
    if (work) {
      buildah.cleanUp();
      fs.rmSync(work, { recursive: true, force: true });
    }
  });

  describe("a non-root USER owns the data folder", () => {
    const asUser = `${BUSYBOX_LINES}COPY app.sh /app.sh\nUSER 10001\nENTRYPOINT ["/app.sh", "--mode"]\nCMD ["greet"]\n`;

    test("USER 10001: the Defender can write its data folder and starts", async () => {
      const r = await parity(asUser);
      expect(r.dockerfile).toContain(
        'ADD --chown=10001 ["twistlock_defender_app_embedded.tar.gz", "/twistlock"]',
      );
      expect(r.plan.warnings).toEqual([]);
      expect(r.plain.stdout).toBe("args=--mode greet\nuid=10001 cwd=/\n");
      expect(r.plain.status).toBe(3);
      expectSameAndProtected(r);
    }, 300_000);

    test("control: the same block without --chown leaves the Defender unable to start", async () => {
      const r = await parity(asUser);
      const unfixed = r.dockerfile.replace("ADD --chown=10001 ", "ADD ");
      fs.writeFileSync(path.join(r.plan.contextDir, "Dockerfile.unfixed"), unfixed);
      buildah.build(
        r.plan.contextDir,
        "localhost/unfixed:1",
        path.join(r.plan.contextDir, "Dockerfile.unfixed"),
      );
      const run = buildah.run("localhost/unfixed:1", { INSTALL_BUNDLE: r.plan.installBundle });
      expect(run.stdout).toBe(r.plain.stdout);
      expect(run.stderr).toContain(
        "cannot write to its data folder /twistlock: the Defender did not start",
      );
      expect(run.stderr).toContain("defender=none");
    }, 300_000);

    test("a folder created root-owned before the ADD is warned about, and really is unwritable", async () => {
      const r = await parity(
        asUser.replace("USER 10001", "COPY app.sh /twistlock/notes.txt\nUSER 10001"),
      );
      expect(r.plan.warnings).toEqual([
        expect.stringContaining(
          "line 5 (COPY) may create dataFolder /twistlock before the Defender is added",
        ),
      ]);
      expect(r.guarded.stdout).toBe(r.plain.stdout);
      expect(r.guarded.stderr).toContain("the Defender did not start");
    }, 300_000);
  });

  describe("mode console: the Console's rewrite runs what the Dockerfile runs, or is not built", () => {
    const app = `${BUSYBOX_LINES}COPY app.sh /app.sh\n`;

    /** Build the Console's own answer for `dockerfile` (the control: what would have shipped). */
    function consoleAnswer(r: Awaited<ReturnType<typeof parity>>, dockerfile: string) {
      const answer = embedDockerfile(
        { appID: "parity", consoleAddr: "127.0.0.1", dataFolder: "/twistlock", dockerfile },
        {
          installBundle: r.plan.installBundle,
          wsAddress: r.plan.environment.WS_ADDRESS,
          quirks: ["blankLineEndsInstruction", "keepsResetCmd"],
        },
      );
      const file = path.join(r.plan.contextDir, "Dockerfile.console");
      fs.writeFileSync(file, answer);
      buildah.build(r.plan.contextDir, `localhost/console-answer-${contexts}:1`, file);
      return buildah.run(`localhost/console-answer-${contexts}:1`);
    }

    // A final stage named through ARG (`FROM ${VARIANT} AS final`) is in embeddedImagePlan.test.ts: buildah 1.28
    // does not resolve a stage name that comes from an ARG, so it cannot build that Dockerfile even unprotected.
    test.each([
      [
        "a blank line inside an ENTRYPOINT continuation",
        `${app}ENTRYPOINT ["/app.sh", \\\n\n  "--mode"]\nCMD ["greet"]\n`,
        `["/twistlock/defender","app-embedded","/bin/sh","-c","[\\"/app.sh\\", "]`,
      ],
      [
        "a CMD inherited from an earlier stage, reset by the final stage's ENTRYPOINT",
        `${app.replace("FROM scratch", "FROM scratch AS base")}CMD ["extra"]\nFROM base\nENTRYPOINT ["/app.sh", "--mode"]\n`,
        '["/twistlock/defender","app-embedded","/app.sh","--mode","extra"]',
      ],
    ])(
      "%s: the Console's answer is replaced by ours",
      async (_name, dockerfile, consoleArgv) => {
        const r = await parity(dockerfile, { mode: EmbedMode.Console });
        expect(r.plan.warnings[0]).toContain(
          `the Console's rewritten Dockerfile would run ${consoleArgv}, but the Dockerfile, protected, runs`,
        );
        expect(r.dockerfile).toContain("added by prisma-defender");
        expectSameAndProtected(r);
        // The control: the Console's answer, built, does something else.
        const shipped = consoleAnswer(r, dockerfile);
        expect([shipped.stdout, shipped.status]).not.toEqual([r.plain.stdout, r.plain.status]);
      },
      300_000,
    );

    test("a shell-form ENTRYPOINT: the Console's `sh -c exec` wrapper runs the same argv and is kept", async () => {
      const r = await parity(`${app}ENTRYPOINT /app.sh --mode shell\n`, {
        mode: EmbedMode.Console,
      });
      expect(r.plan.warnings).toEqual([]);
      expect(r.dockerfile).toContain(
        "ENTRYPOINT exec /twistlock/defender app-embedded /bin/sh -c '/app.sh --mode shell'",
      );
      expect(r.plain.stdout).toBe("args=--mode shell\nuid=0 cwd=/\n");
      expectSameAndProtected(r);
    }, 300_000);

    test("a non-root USER: the Console's ADD gets --chown and the Defender starts", async () => {
      const r = await parity(`${app}USER 10001\nENTRYPOINT ["/app.sh"]\nCMD ["greet"]\n`, {
        mode: EmbedMode.Console,
      });
      expect(r.plan.warnings).toEqual([]);
      expect(r.dockerfile).toContain(
        "ADD --chown=10001 twistlock_defender_app_embedded.tar.gz /twistlock",
      );
      expectSameAndProtected(r);
    }, 300_000);
  });
});
