// ProtectedAzureFunction under Pulumi mocks, against the real Console simulator over HTTPS: the WebApp it
// registers, its preflight, determinism, Console faults and the project check.
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { forgetConsoles } from "../../provider/core/console/client";
import {
  AzureFunctionWorkerRuntime,
  ProtectedAzureFunction,
  ProtectedAzureFunctionArgs,
} from "../../provider/azure/protectedAzureFunction";
import {
  captureDeployErrors,
  details,
  installMocks,
  isSecretInput,
  plaintextSecretsIn,
  unwrapInput,
} from "../helpers/pulumi";
import { planSourceEdits } from "../../provider/azure/azureProjectPrepare";
import { readProject } from "../../provider/azure/azureProjectFiles";
import { copyFixture, twistlockNupkg } from "./helpers";

const WEBAPP = "azure-native:web:WebApp";
let sim: ConsoleSimulator;
let mocks: ReturnType<typeof installMocks>;

const baseArgs = (): ProtectedAzureFunctionArgs => ({
  resourceGroupName: "rg-orders",
  location: "westeurope",
  serverFarmId:
    "/subscriptions/0000/resourceGroups/rg-orders/providers/Microsoft.Web/serverfarms/plan",
  storageConnectionString:
    "DefaultEndpointsProtocol=https;AccountName=ordersstore;AccountKey=c3RvcmFnZS1rZXk=",
  appSettings: [
    { name: "APPLICATIONINSIGHTS_CONNECTION_STRING", value: "InstrumentationKey=abc" },
    { name: "Orders__Queue", value: "orders" },
  ],
  tags: { team: "payments" },
});

beforeAll(async () => {
  sim = await startConsoleSimulator();
  mocks = installMocks({
    config: {
      "prisma-defender:consoleUrl": sim.url,
      "prisma-defender:username": sim.credentials.username,
      "prisma-defender:password": sim.credentials.password,
      "prisma-defender:caCertificate": sim.caCertificate,
    },
    secretKeys: ["prisma-defender:password"],
  });
});
afterAll(() => sim.close());
beforeEach(() => {
  mocks.reset();
  sim.reset();
  forgetConsoles();
});

const settingsOf = (app: { inputs: Record<string, any> }) =>
  unwrapInput(app.inputs.siteConfig).appSettings as { name: string; value: string }[];

test("creates a Windows, 64-bit .NET Function App with the user's settings and a secret TW_POLICY", async () => {
  const fn = new ProtectedAzureFunction("orders-api", baseArgs());
  const policy = await details(fn.twPolicy);
  expect(policy.secret).toBe(true);
  await details(fn.defaultHostName);
  const [app] = mocks.children(WEBAPP);
  expect(mocks.children().map((r) => r.type)).toEqual([WEBAPP]);
  expect(app.inputs).toMatchObject({
    name: "orders-api",
    kind: "functionapp",
    reserved: false,
    resourceGroupName: "rg-orders",
    httpsOnly: true,
    tags: { team: "payments" },
  });
  expect(isSecretInput(app.inputs.siteConfig)).toBe(true);
  const siteConfig = unwrapInput(app.inputs.siteConfig);
  expect(siteConfig).toMatchObject({
    use32BitWorkerProcess: false,
    netFrameworkVersion: "v8.0",
    minTlsVersion: "1.2",
    ftpsState: "Disabled",
  });
  expect(settingsOf(app)).toEqual([
    { name: "APPLICATIONINSIGHTS_CONNECTION_STRING", value: "InstrumentationKey=abc" },
    { name: "Orders__Queue", value: "orders" },
    { name: "AzureWebJobsStorage", value: baseArgs().storageConnectionString },
    { name: "FUNCTIONS_EXTENSION_VERSION", value: "~4" },
    { name: "FUNCTIONS_WORKER_RUNTIME", value: "dotnet-isolated" },
    { name: "TW_POLICY", value: policy.value },
  ]);
  // The policy is the Console's, for this app name and provider azure.
  const rule = JSON.parse(Buffer.from(policy.value!, "base64").toString("utf8"));
  expect(rule).toMatchObject({
    function: "orders-api",
    provider: "azure",
    consoleAddr: "127.0.0.1",
  });
  expect(sim.requestsTo("policies/runtime/serverless/encode")).toHaveLength(1);
  expect(await details(fn.appSettingNames)).toEqual({
    known: true,
    secret: false,
    value: [
      "APPLICATIONINSIGHTS_CONNECTION_STRING",
      "Orders__Queue",
      "AzureWebJobsStorage",
      "FUNCTIONS_EXTENSION_VERSION",
      "FUNCTIONS_WORKER_RUNTIME",
      "TW_POLICY",
    ],
  });
  expect(await details(fn.functionAppName)).toMatchObject({ value: "orders-api", secret: false });
  expect(await details(fn.defenderVersion)).toMatchObject({ value: "34.04.145", secret: false });
  expect((await details(fn.defaultHostName)).value).toBe("orders-api.azurewebsites.net");
  expect((await details(fn.projectCheckPassed)).value).toBe(false);
  expect(
    plaintextSecretsIn(mocks.resources, [
      policy.value!,
      sim.credentials.password,
      "c3RvcmFnZS1rZXk=",
    ]),
  ).toEqual([]);
});

test("an in-process app on .NET 8 gets FUNCTIONS_INPROC_NET8_ENABLED, which Azure needs to start it", async () => {
  const fn = new ProtectedAzureFunction("orders-api", {
    ...baseArgs(),
    workerRuntime: AzureFunctionWorkerRuntime.Dotnet,
  });
  await details(fn.defaultHostName);
  expect((await details(fn.appSettingNames)).value).toEqual([
    "APPLICATIONINSIGHTS_CONNECTION_STRING",
    "Orders__Queue",
    "AzureWebJobsStorage",
    "FUNCTIONS_EXTENSION_VERSION",
    "FUNCTIONS_WORKER_RUNTIME",
    "FUNCTIONS_INPROC_NET8_ENABLED",
    "TW_POLICY",
  ]);
});

test("keeps the user's worker runtime and extension version, and honours name and .NET version", async () => {
  const fn = new ProtectedAzureFunction("orders", {
    ...baseArgs(),
    name: "Contoso-Orders-Prod",
    appSettings: [{ name: "FUNCTIONS_WORKER_RUNTIME", value: "dotnet" }],
    functionsExtensionVersion: "~4",
    netFrameworkVersion: "v6.0",
    identity: { type: "SystemAssigned" as any },
  });
  await details(fn.defaultHostName);
  const [app] = mocks.children(WEBAPP);
  expect(app.inputs.name).toBe("Contoso-Orders-Prod");
  expect(app.inputs.identity).toEqual({ type: "SystemAssigned" });
  expect(unwrapInput(app.inputs.siteConfig).netFrameworkVersion).toBe("v6.0");
  expect(settingsOf(app).map((s) => `${s.name}=${s.name === "TW_POLICY" ? "…" : s.value}`)).toEqual(
    [
      "FUNCTIONS_WORKER_RUNTIME=dotnet",
      `AzureWebJobsStorage=${baseArgs().storageConnectionString}`,
      "FUNCTIONS_EXTENSION_VERSION=~4",
      "TW_POLICY=…",
    ],
  );
});

describe("preflight errors name the setting and the fix, before any request", () => {
  const cases: [string, Partial<ProtectedAzureFunctionArgs>, RegExp][] = [
    [
      "a Linux kind",
      { kind: "functionapp,linux" },
      /^ProtectedAzureFunction bad-app: kind: "functionapp,linux" is a Linux.*use kind "functionapp"/,
    ],
    [
      "reserved",
      { reserved: true },
      /^ProtectedAzureFunction bad-app: reserved: true means a Linux app/,
    ],
    [
      "linuxFxVersion",
      { linuxFxVersion: "DOTNET-ISOLATED|8.0" },
      /^ProtectedAzureFunction bad-app: linuxFxVersion: "DOTNET-ISOLATED\|8.0" is for Linux apps/,
    ],
    [
      "a 32-bit worker",
      { use32BitWorkerProcess: true },
      /^ProtectedAzureFunction bad-app: use32BitWorkerProcess: true runs a 32-bit worker.*64-bit/,
    ],
    [
      "a node worker runtime",
      { workerRuntime: "node" as AzureFunctionWorkerRuntime },
      /^ProtectedAzureFunction bad-app: workerRuntime: "node" is not .NET/,
    ],
    [
      "node in appSettings",
      { appSettings: [{ name: "FUNCTIONS_WORKER_RUNTIME", value: "node" }] },
      /^ProtectedAzureFunction bad-app: appSettings: sets FUNCTIONS_WORKER_RUNTIME "node", which is not .NET/,
    ],
    [
      "TW_POLICY in appSettings",
      { appSettings: [{ name: "tw_policy", value: "x" }] },
      /^ProtectedAzureFunction bad-app: appSettings: already contains tw_policy.*remove it/,
    ],
    [
      "an old .NET",
      { netFrameworkVersion: "v4.0" },
      /^ProtectedAzureFunction bad-app: netFrameworkVersion: "v4.0" is older than .NET 6/,
    ],
    [
      "a bad name",
      { name: "orders_api!" },
      /^ProtectedAzureFunction bad-app: name: "orders_api!" is not a valid Function App name: use 2 to 60/,
    ],
    [
      "no storage",
      { storageConnectionString: undefined },
      /^ProtectedAzureFunction bad-app: storageAccountName: no storage for the Functions host: set `storageAccountName`/,
    ],
    [
      "a package without an account",
      { packagePath: "/tmp/x" },
      /^ProtectedAzureFunction bad-app: storageAccountName: is required with `packagePath`/,
    ],
  ];
  test.each(cases)("%s", (_label, extra, message) => {
    expect(() => new ProtectedAzureFunction("bad-app", { ...baseArgs(), ...extra })).toThrow(
      message,
    );
    expect(sim.requests).toEqual([]);
    expect(mocks.children(WEBAPP)).toEqual([]);
  });

  test("settings known only at deployment are checked then, and still block the app", async () => {
    const errors = await captureDeployErrors(
      () =>
        new ProtectedAzureFunction("bad-app", {
          ...baseArgs(),
          appSettings: [{ name: "TW_POLICY", value: pulumi.output("from-elsewhere") }],
        }).defaultHostName,
    );
    expect(errors.join("\n")).toContain(
      "ProtectedAzureFunction bad-app: appSettings: already contains TW_POLICY",
    );
    expect(mocks.children(WEBAPP)).toEqual([]);
    expect(sim.requestsTo("policies/runtime/serverless/encode")).toEqual([]);
  });

  test("every problem is reported at once", () => {
    expect(
      () =>
        new ProtectedAzureFunction("bad-app", {
          ...baseArgs(),
          reserved: true,
          use32BitWorkerProcess: true,
        }),
    ).toThrow(
      /^ProtectedAzureFunction bad-app: reserved: true[^]*\nProtectedAzureFunction bad-app: use32BitWorkerProcess: true/,
    );
  });

  test("a component name that cannot be an app name asks for `name`", () => {
    expect(() => new ProtectedAzureFunction("x", baseArgs())).toThrow(
      /^ProtectedAzureFunction x: name: the component name "x" gives the Function App name "x" is not a valid Function App name/,
    );
  });
});

test("two runs with the same inputs register identical WebApp inputs", async () => {
  const run = async () => {
    mocks.reset();
    forgetConsoles();
    const fn = new ProtectedAzureFunction("orders-api", baseArgs());
    await details(fn.defaultHostName);
    return JSON.stringify(mocks.children(WEBAPP)[0].inputs);
  };
  const first = await run();
  expect(await run()).toBe(first);
});

test("a Console fault registers no app at all, so none runs without TW_POLICY", async () => {
  sim.injectFault({ endpoint: "policies/runtime/serverless/encode", kind: "status", status: 500 });
  const errors = await captureDeployErrors(
    () => new ProtectedAzureFunction("orders-api", baseArgs()).defaultHostName,
  );
  expect(errors.join("\n")).toMatch(/encode/);
  expect(mocks.children(WEBAPP)).toEqual([]);
});

describe("with projectDir", () => {
  test("an unprepared project blocks the deployment with the command to run", async () => {
    const dir = copyFixture("isolated-logger");
    const errors = await captureDeployErrors(
      () =>
        new ProtectedAzureFunction("orders-api", { ...baseArgs(), projectDir: dir })
          .defaultHostName,
    );
    const message = errors.join("\n");
    expect(message).toContain(`ProtectedAzureFunction orders-api: projectDir: the project ${dir}`);
    expect(message).toContain(`Run \`npx prisma-defender prepare-azure-function ${dir}\``);
    expect(message).toContain("twistlock/ holds no twistlock.<version>.nupkg");
    expect(message).toContain(
      "Orders.cs:17 function CreateOrder does not call Twistlock.Serverless.Init",
    );
    expect(mocks.children(WEBAPP)).toEqual([]);
  });

  const prepared = async (fixture: string, version: string) => {
    const dir = copyFixture(fixture);
    for (const c of planSourceEdits(readProject(dir), version).changes)
      fs.writeFileSync(path.join(dir, c.path), c.content!);
    fs.mkdirSync(path.join(dir, "twistlock"));
    fs.writeFileSync(
      path.join(dir, "twistlock", `twistlock.${version}.nupkg`),
      await twistlockNupkg(version),
    );
    return dir;
  };

  test("a prepared project passes and the app deploys", async () => {
    const dir = await prepared("isolated-logger", "34.04.145");
    const fn = new ProtectedAzureFunction("orders-api", { ...baseArgs(), projectDir: dir });
    expect(await details(fn.projectCheckPassed)).toMatchObject({ value: true });
    await details(fn.defaultHostName);
    expect(mocks.children(WEBAPP)).toHaveLength(1);
  });

  test("a project prepared for another Console version is refused", async () => {
    const dir = await prepared("isolated-logger", "34.03.100");
    const errors = await captureDeployErrors(
      () =>
        new ProtectedAzureFunction("orders-api", { ...baseArgs(), projectDir: dir })
          .defaultHostName,
    );
    expect(errors.join("\n")).toContain(
      "twistlock/ holds the Defender 34.03.100, but the Console runs 34.04.145",
    );
    expect(mocks.children(WEBAPP)).toEqual([]);
  });

  test("an in-process project with the isolated worker runtime is refused", async () => {
    const dir = await prepared("inprocess", "34.04.145");
    const errors = await captureDeployErrors(
      () =>
        new ProtectedAzureFunction("orders-api", { ...baseArgs(), projectDir: dir })
          .defaultHostName,
    );
    expect(errors.join("\n")).toContain(
      "the project's functions are in-process ([FunctionName]), but FUNCTIONS_WORKER_RUNTIME is dotnet-isolated",
    );
    expect(mocks.children(WEBAPP)).toEqual([]);
  });
});

test("deploys a published package as a content-addressed blob run from a SAS URL", async () => {
  const publish = copyFixture("isolated-context");
  const keyMocks = installMocks({
    config: {
      "prisma-defender:consoleUrl": sim.url,
      "prisma-defender:username": sim.credentials.username,
      "prisma-defender:password": sim.credentials.password,
      "prisma-defender:caCertificate": sim.caCertificate,
    },
    secretKeys: ["prisma-defender:password"],
    call: (a) =>
      a.token === "azure-native:storage:listStorageAccountKeys"
        ? { keys: [{ keyName: "key1", value: "a2V5LW9uZQ==", permissions: "FULL" }] }
        : a.token === "azure-native:storage:listStorageAccountServiceSAS"
          ? {
              serviceSasToken: `sv=2022-11-02&sr=b&sp=r&se=${a.inputs.sharedAccessExpiryTime}&sig=c2lnbmF0dXJl`,
            }
          : undefined,
  });
  const { storageConnectionString: _omit, ...args } = baseArgs();
  const fn = new ProtectedAzureFunction("orders-api", {
    ...args,
    storageAccountName: "ordersstore",
    packagePath: publish,
  });
  await details(fn.defaultHostName);
  const [container] = keyMocks.children("azure-native:storage:BlobContainer");
  const [blob] = keyMocks.children("azure-native:storage:Blob");
  expect(container.inputs).toMatchObject({
    containerName: "orders-api-packages",
    publicAccess: "None",
    accountName: "ordersstore",
  });
  expect(blob.inputs.blobName).toMatch(/^orders-api-[0-9a-f]{16}\.zip$/);
  const settings = settingsOf(keyMocks.children(WEBAPP)[0]);
  const byName = Object.fromEntries(settings.map((s) => [s.name, s.value]));
  expect(byName.AzureWebJobsStorage).toBe(
    "DefaultEndpointsProtocol=https;AccountName=ordersstore;AccountKey=a2V5LW9uZQ==;EndpointSuffix=core.windows.net",
  );
  expect(byName.WEBSITE_RUN_FROM_PACKAGE).toBe(
    `https://ordersstore.blob.core.windows.net/orders-api-packages/${blob.inputs.blobName}?sv=2022-11-02&sr=b&sp=r&se=2035-01-01T00:00:00Z&sig=c2lnbmF0dXJl`,
  );
  const sas = keyMocks.calls.find(
    (c) => c.token === "azure-native:storage:listStorageAccountServiceSAS",
  )!;
  expect(sas.inputs).toMatchObject({
    permissions: "r",
    resource: "b",
    protocols: "https",
    canonicalizedResource: `/blob/ordersstore/orders-api-packages/${blob.inputs.blobName}`,
  });
  expect(plaintextSecretsIn(keyMocks.resources, ["a2V5LW9uZQ==", "c2lnbmF0dXJl"])).toEqual([]);
  // New code, new blob name: the app setting changes, so Azure reloads the package.
  fs.appendFileSync(path.join(publish, "Program.cs"), "// changed\n");
  keyMocks.reset();
  const again = new ProtectedAzureFunction("orders-api-2", {
    ...args,
    name: "orders-api",
    storageAccountName: "ordersstore",
    packagePath: publish,
  });
  await details(again.defaultHostName);
  expect(keyMocks.children("azure-native:storage:Blob")[0].inputs.blobName).not.toBe(
    blob.inputs.blobName,
  );
});
