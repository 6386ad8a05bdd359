// EmbeddedDefenderImage under Pulumi mocks, with the Console simulator behind the real client: the docker.Image
// child's inputs, secrets, determinism, errors before any request, and Console faults failing closed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import {
  captureDeployErrors,
  details,
  installMocks,
  isSecretInput,
  plaintextSecretsIn,
  RecordedResource,
  unwrapInput,
} from "../helpers/pulumi";
import {
  EmbeddedDefenderImage,
  EmbeddedDefenderImageArgs,
  EmbedMode,
  InstallBundlePlacement,
} from "../../provider/image/embeddedDefenderImage";
import { forgetConsoles } from "../../provider/core/console/client";
import { startConsoleSimulator } from "../../provider/simulator";
import { ConsoleSimulator } from "../../provider/simulator/types";

const mocks = installMocks();
const IMAGE = "docker:index/image:Image";
let sim: ConsoleSimulator;
let work: string;
let context: string;

beforeAll(async () => {
  sim = await startConsoleSimulator();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "edi-component-"));
  process.env.PRISMA_DEFENDER_CACHE_DIR = path.join(work, "cache");
  process.env.PRISMA_DEFENDER_RETRY_OPTIONS = JSON.stringify({ maxAttempts: 1, deadlineMs: 5000 });
  context = path.join(work, "app");
  fs.mkdirSync(context);
  fs.writeFileSync(
    path.join(context, "Dockerfile"),
    'FROM scratch\nCOPY app /app\nCMD ["/app", "--serve"]\n',
  );
  fs.writeFileSync(path.join(context, "app"), "#!/bin/sh\n", { mode: 0o755 });
});
afterAll(async () => {
  await sim.close();
  fs.rmSync(work, { recursive: true, force: true });
});
beforeEach(() => {
  mocks.reset();
  sim.reset();
  forgetConsoles();
});

const args = (over: Partial<EmbeddedDefenderImageArgs> = {}): EmbeddedDefenderImageArgs => ({
  console: {
    url: sim.url,
    username: sim.credentials.username,
    password: sim.credentials.password,
    caCertificate: sim.caCertificate,
  },
  context,
  imageName: "123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1",
  registry: {
    server: "123456789012.dkr.ecr.us-east-1.amazonaws.com",
    username: "AWS",
    password: "ecr-token-123456",
  },
  appId: "demo-app",
  ...over,
});

async function build(name: string, over: Partial<EmbeddedDefenderImageArgs> = {}) {
  const image = new EmbeddedDefenderImage(name, args(over));
  await details(image.repoDigest);
  const [child] = mocks.children(IMAGE);
  return { image, child };
}

const build_ = (child: RecordedResource) => unwrapInput(child.inputs.build);

test("the docker.Image child builds the staged context and pushes with the given credentials", async () => {
  const { image, child } = await build("app");
  expect(mocks.children().map((r) => r.type)).toEqual([IMAGE]);
  expect(child.name).toBe("app");
  expect(child.inputs.imageName).toBe("123456789012.dkr.ecr.us-east-1.amazonaws.com/app:v1");
  const b = build_(child);
  expect(b.context.startsWith(path.join(work, "cache", "contexts") + path.sep)).toBe(true);
  expect(b.dockerfile).toBe(path.join(b.context, "Dockerfile.prisma-defender"));
  expect(b.platform).toBe("linux/amd64");
  expect(b.args).toBeUndefined();
  expect(unwrapInput(child.inputs.registry).server).toBe(
    "123456789012.dkr.ecr.us-east-1.amazonaws.com",
  );
  expect(
    plaintextSecretsIn(mocks.resources, ["ecr-token-123456", sim.credentials.password]),
  ).toEqual([]);
  expect(await details(image.wrappedEntrypoint)).toEqual({
    value: ["/twistlock/defender", "app-embedded"],
    known: true,
    secret: false,
  });
  expect((await details(image.command)).value).toEqual(["/app", "--serve"]);
  const env = await details(image.defenderEnvironment);
  expect(env.secret).toBe(false);
  expect(env.value).toMatchObject({ DEFENDER_TYPE: "appEmbedded", DEFENDER_APP_ID: "demo-app" });
  expect(Object.keys(env.value!)).not.toContain("INSTALL_BUNDLE");
  expect(await details(image.defenderVersion)).toMatchObject({ value: sim.version, secret: false });
  expect((await details(image.repoDigest)).value).toMatch(/@sha256:/);
});

test("InjectAtRuntime (default): INSTALL_BUNDLE only in the secret output, nowhere in plaintext", async () => {
  const { image } = await build("app");
  expect(await details(image.installBundle)).toEqual({
    value: sim.secrets.installBundle,
    known: true,
    secret: true,
  });
  expect(plaintextSecretsIn(mocks.resources, [sim.secrets.installBundle])).toEqual([]);
  const staged = build_(mocks.children(IMAGE)[0]).context;
  for (const f of fs.readdirSync(staged)) {
    if (fs.statSync(path.join(staged, f)).isFile() && !f.endsWith(".tar.gz")) {
      expect(fs.readFileSync(path.join(staged, f), "utf8")).not.toContain(
        sim.secrets.installBundle,
      );
    }
  }
});

test("BakedIntoImage: INSTALL_BUNDLE reaches the build only as a secret build arg", async () => {
  const { image, child } = await build("app", {
    installBundlePlacement: InstallBundlePlacement.BakedIntoImage,
    buildArgs: { VERSION: "1.2" },
  });
  const b = child.inputs.build;
  const argsInput = isSecretInput(b) ? b.value.args : b.args;
  expect(isSecretInput(b) || isSecretInput(argsInput)).toBe(true);
  expect(unwrapInput(argsInput)).toEqual({
    VERSION: "1.2",
    PRISMA_DEFENDER_INSTALL_BUNDLE: sim.secrets.installBundle,
  });
  expect(plaintextSecretsIn(mocks.resources, [sim.secrets.installBundle])).toEqual([]);
  expect((await details(image.installBundle)).value).toBeUndefined();
});

test("two runs with unchanged inputs give the docker.Image identical inputs", async () => {
  const first = (await build("app")).child;
  mocks.reset();
  forgetConsoles();
  const second = (await build("app")).child;
  expect(JSON.stringify(second.inputs)).toBe(JSON.stringify(first.inputs));
});

test("mode `image` protects an image by reference", async () => {
  const { image, child } = await build("api", {
    mode: EmbedMode.Image,
    context: undefined,
    baseImage: "registry.example.com/team/api@sha256:" + "a".repeat(64),
    originalEntrypoint: ["/usr/local/bin/api"],
    originalCommand: ["--port", "8080"],
  });
  const dockerfile = fs.readFileSync(build_(child).dockerfile, "utf8");
  expect(dockerfile.split("\n")[0]).toBe(
    "FROM registry.example.com/team/api@sha256:" + "a".repeat(64),
  );
  expect((await details(image.wrappedEntrypoint)).value).toEqual([
    "/twistlock/defender",
    "app-embedded",
    "/usr/local/bin/api",
  ]);
});

test("bad plain arguments are refused in the constructor, every field named, before any request", () => {
  expect(
    () =>
      new EmbeddedDefenderImage(
        "bad",
        args({ context: path.join(work, "missing"), appId: "my app", dataFolder: "data" }),
      ),
  ).toThrow(
    /^EmbeddedDefenderImage bad: context: .*missing does not exist.*\nEmbeddedDefenderImage bad: appId: "my app" is not accepted by the Console.*\nEmbeddedDefenderImage bad: dataFolder: "data" must be an absolute/,
  );
  expect(
    () => new EmbeddedDefenderImage("i", args({ mode: EmbedMode.Image, context: undefined })),
  ).toThrow("EmbeddedDefenderImage i: baseImage: is required in mode `image`");
  expect(sim.requests).toEqual([]);
});

test("an Output argument that breaks a rule fails the deployment with the same message, before any request", async () => {
  const errors = await captureDeployErrors(
    () => new EmbeddedDefenderImage("late", args({ appId: pulumi.output("bad id!") })).repoDigest,
  );
  expect(
    errors.some((e) =>
      e.includes('EmbeddedDefenderImage late: appId: "bad id!" is not accepted by the Console'),
    ),
  ).toBe(true);
  expect(mocks.children(IMAGE)).toEqual([]);
  expect(sim.requests).toEqual([]);
});

describe("Console faults leave no image resource", () => {
  test.each([
    [
      "the tarball download fails",
      { endpoint: "images/twistlock_defender_app_embedded.tar.gz", kind: "status", status: 500 },
      EmbedMode.Tarball,
    ],
    [
      "the install bundle is refused",
      { endpoint: "defenders/install-bundle", kind: "status", status: 403 },
      EmbedMode.Tarball,
    ],
    [
      "the Console cannot rewrite the Dockerfile",
      { endpoint: "defenders/app-embedded", kind: "status", status: 500 },
      EmbedMode.Console,
    ],
    [
      "the Console's zip is corrupt",
      { endpoint: "defenders/app-embedded", kind: "corruptArchive" },
      EmbedMode.Console,
    ],
  ] as const)("%s", async (_name, fault, mode) => {
    sim.injectFault({ ...fault });
    const errors = await captureDeployErrors(
      () => new EmbeddedDefenderImage("app", args({ mode })).repoDigest,
    );
    expect(errors.join("\n")).toMatch(
      /Prisma Cloud Compute Console (GET|POST) \/api\/v[\d.]+\/(images|defenders)\//,
    );
    expect(mocks.children(IMAGE)).toEqual([]);
    for (const e of errors) expect(e).not.toContain(sim.secrets.installBundle);
  });
});
