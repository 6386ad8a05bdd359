// EmbeddedDefenderImage in `pulumi preview`: the docker.Image is always in the plan (it is created at the top level,
// not inside an apply); with known inputs the read-only Console calls run so the preview shows real values, and
// with unknown inputs nothing is requested and the build shows as computed.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { details, installMocks, unwrapInput } from "../helpers/pulumi";
import { EmbeddedDefenderImage } from "../../provider/image/embeddedDefenderImage";
import { forgetConsoles } from "../../provider/core/console/client";
import { startConsoleSimulator } from "../../provider/simulator";
import { ConsoleSimulator } from "../../provider/simulator/types";

const mocks = installMocks({ preview: true });
const IMAGE = "docker:index/image:Image";
let sim: ConsoleSimulator;
let work: string;

beforeAll(async () => {
  sim = await startConsoleSimulator();
  work = fs.mkdtempSync(path.join(os.tmpdir(), "edi-preview-"));
  process.env.PRISMA_DEFENDER_CACHE_DIR = path.join(work, "cache");
  fs.writeFileSync(path.join(work, "Dockerfile"), 'FROM scratch\nENTRYPOINT ["/app"]\n');
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

const console = () => ({
  url: sim.url,
  username: sim.credentials.username,
  password: sim.credentials.password,
  caCertificate: sim.caCertificate,
});

test("with known inputs the preview shows the staged build and the wrapped entrypoint", async () => {
  const image = new EmbeddedDefenderImage("app", {
    console: console(),
    context: work,
    imageName: "registry.example.com/app:v1",
  });
  expect(await details(image.wrappedEntrypoint)).toMatchObject({
    value: ["/twistlock/defender", "app-embedded", "/app"],
    known: true,
  });
  await details(image.imageName);
  const [child] = mocks.children(IMAGE);
  expect(unwrapInput(child.inputs.build).context).toContain(path.join(work, "cache", "contexts"));
  expect(sim.requestsTo("images/twistlock_defender_app_embedded.tar.gz")).toHaveLength(1);
});

test("with an unknown context the image is still planned, nothing is requested, the build is computed", async () => {
  const unknownContext = pulumi.output("later").apply(() => pulumi.unknown as unknown as string);
  const image = new EmbeddedDefenderImage("app", {
    console: console(),
    context: unknownContext,
    imageName: "registry.example.com/app:v1",
  });
  expect((await details(image.wrappedEntrypoint)).known).toBe(false);
  await details(image.imageName);
  const children = mocks.children(IMAGE);
  expect(children.map((c) => c.name)).toEqual(["app"]);
  expect(children[0].inputs.imageName).toBe("registry.example.com/app:v1");
  // How the mock engine records a computed (unknown) input.
  expect(unwrapInput(children[0].inputs.build)?.context).toEqual({ __pulumiUnknown: true });
  expect(sim.requests).toEqual([]);
});
