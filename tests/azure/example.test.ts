// examples/azure-function runs given only stack config (the Console's), under mocks, against the simulator: first as
// committed (no projectDir: a warning, no check), then the way its README says, after the preparation command.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { prepareAzureFunctionProject } from "../../provider/azure/azureProjectPrepare";
import {
  captureDeployErrors,
  details,
  installMocks,
  plaintextSecretsIn,
  unwrapInput,
} from "../helpers/pulumi";

const EXAMPLE = path.join(__dirname, "..", "..", "examples", "azure-function");
let sim: ConsoleSimulator;

beforeAll(async () => {
  sim = await startConsoleSimulator();
});
afterAll(() => sim.close());

function runExample(extraConfig: Record<string, string>) {
  const mocks = installMocks({
    config: {
      "prisma-defender:consoleUrl": sim.url,
      "prisma-defender:username": sim.credentials.username,
      "prisma-defender:password": sim.credentials.password,
      "prisma-defender:caCertificate": sim.caCertificate,
      ...extraConfig,
    },
    secretKeys: ["prisma-defender:password"],
    // What Azure computes: the storage account's generated name, its keys and a SAS.
    state: (a) =>
      a.type === "azure-native:storage:StorageAccount" ? { name: "functions1a2b3c" } : undefined,
    call: (a) =>
      a.token === "azure-native:storage:listStorageAccountKeys"
        ? { keys: [{ keyName: "key1", value: "ZXhhbXBsZS1rZXk=", permissions: "FULL" }] }
        : a.token === "azure-native:storage:listStorageAccountServiceSAS"
          ? { serviceSasToken: "sv=2022-11-02&sr=b&sp=r&sig=ZXhhbXBsZS1zaWc%3D" }
          : undefined,
  });
  let exported: Record<string, pulumi.Output<unknown>> = {};
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    exported = require(path.join(EXAMPLE, "index.ts"));
  });
  return { mocks, exported };
}

test("runs as committed: a Windows .NET Function App with TW_POLICY, no project check", async () => {
  const { mocks, exported } = runExample({});
  expect(await details(exported.functionAppName)).toMatchObject({
    value: "project-stack",
    secret: false,
  });
  expect((await details(exported.projectCheckPassed)).value).toBe(false);
  expect((await details(exported.endpoint)).value).toBe(
    "https://project-stack.azurewebsites.net/api/orders",
  );
  expect(
    mocks
      .children()
      .map((r) => r.type)
      .sort(),
  ).toEqual(
    [
      "azure-native:resources:ResourceGroup",
      "azure-native:storage:StorageAccount",
      "azure-native:web:AppServicePlan",
      "azure-native:web:WebApp",
    ].sort(),
  );
  const [app] = mocks.children("azure-native:web:WebApp");
  expect(unwrapInput(app.inputs.siteConfig).appSettings.map((s: any) => s.name)).toEqual([
    "ORDERS_QUEUE",
    "AzureWebJobsStorage",
    "FUNCTIONS_EXTENSION_VERSION",
    "FUNCTIONS_WORKER_RUNTIME",
    "TW_POLICY",
  ]);
  expect(
    plaintextSecretsIn(mocks.resources, ["ZXhhbXBsZS1rZXk=", sim.credentials.password]),
  ).toEqual([]);
});

test("runs the README's way: prepared project, published package", async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "azfn-example-"));
  const app = path.join(work, "app");
  fs.cpSync(path.join(EXAMPLE, "app"), app, { recursive: true });
  const prepared = await prepareAzureFunctionProject({
    projectDir: app,
    console: {
      url: sim.url,
      username: sim.credentials.username,
      password: sim.credentials.password,
      caCertificate: sim.caCertificate,
    },
  });
  expect(prepared.problems).toEqual([]);
  // Stands in for `dotnet publish` (no .NET SDK here): the app, and twistlock/ as the copy rule puts it there.
  const publish = path.join(app, "publish");
  fs.cpSync(path.join(app, "twistlock"), path.join(publish, "twistlock"), {
    recursive: true,
    filter: (src) => !src.endsWith(".nupkg"),
  });
  fs.writeFileSync(path.join(publish, "Orders.dll"), "compiled app");
  fs.copyFileSync(path.join(app, "host.json"), path.join(publish, "host.json"));
  const { mocks, exported } = runExample({
    "project:projectDir": app,
    "project:packagePath": publish,
  });
  expect(await details(exported.projectCheckPassed)).toMatchObject({ value: true });
  await details(exported.endpoint);
  expect(
    mocks
      .children()
      .map((r) => r.type)
      .sort(),
  ).toEqual(
    [
      "azure-native:resources:ResourceGroup",
      "azure-native:storage:StorageAccount",
      "azure-native:web:AppServicePlan",
      "azure-native:storage:BlobContainer",
      "azure-native:storage:Blob",
      "azure-native:web:WebApp",
    ].sort(),
  );
  expect(await details(exported.appSettingNames)).toMatchObject({
    value: [
      "ORDERS_QUEUE",
      "AzureWebJobsStorage",
      "FUNCTIONS_EXTENSION_VERSION",
      "FUNCTIONS_WORKER_RUNTIME",
      "WEBSITE_RUN_FROM_PACKAGE",
      "TW_POLICY",
    ],
  });
});

test("a package published before the preparation is refused, so no app runs without its Defender", async () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "azfn-example-"));
  const app = path.join(work, "app");
  fs.cpSync(path.join(EXAMPLE, "app"), app, { recursive: true });
  const stale = path.join(work, "publish-before");
  fs.mkdirSync(stale);
  fs.writeFileSync(path.join(stale, "Orders.dll"), "compiled before the preparation");
  await prepareAzureFunctionProject({
    projectDir: app,
    console: {
      url: sim.url,
      username: sim.credentials.username,
      password: sim.credentials.password,
      caCertificate: sim.caCertificate,
    },
  });
  let mocks: ReturnType<typeof installMocks> | undefined;
  const errors = await captureDeployErrors(() => {
    const run = runExample({ "project:projectDir": app, "project:packagePath": stale });
    mocks = run.mocks;
    return run.exported.endpoint;
  });
  expect(errors.join("\n")).toContain(
    `the published package ${stale} has no twistlock/manifest.json: rebuild and publish the prepared project`,
  );
  expect(
    mocks!
      .children()
      .map((r) => r.type)
      .sort(),
  ).toEqual([
    "azure-native:resources:ResourceGroup",
    "azure-native:storage:StorageAccount",
    "azure-native:web:AppServicePlan",
  ]);
});
