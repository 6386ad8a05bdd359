// ProtectedAzureFunction in `pulumi preview` (isDryRun): the encode call changes nothing on the Console, so it runs
// and the preview shows the settings the update will set; inputs still unknown in preview mean no call at all.
import * as pulumi from "@pulumi/pulumi";
import { startConsoleSimulator, ConsoleSimulator } from "../../provider/simulator";
import { ProtectedAzureFunction } from "../../provider/azure/protectedAzureFunction";
import { details, installMocks, registrationsDone } from "../helpers/pulumi";

let sim: ConsoleSimulator;
let mocks: ReturnType<typeof installMocks>;

beforeAll(async () => {
  sim = await startConsoleSimulator();
  mocks = installMocks({
    preview: true,
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
});

const args = {
  resourceGroupName: "rg",
  serverFarmId: "/subscriptions/0/resourceGroups/rg/providers/Microsoft.Web/serverfarms/plan",
  storageConnectionString: "DefaultEndpointsProtocol=https;AccountName=a;AccountKey=aw==",
};

test("a preview with known inputs shows the real app settings (TW_POLICY known and secret)", async () => {
  const fn = new ProtectedAzureFunction("orders-api", args);
  expect(await details(fn.twPolicy)).toMatchObject({ known: true, secret: true });
  expect((await details(fn.appSettingNames)).value).toContain("TW_POLICY");
  expect(sim.requestsTo("policies/runtime/serverless/encode")).toHaveLength(1);
  await details(fn.defaultHostName);
});

test("a preview with an unknown app name sends nothing to the Console", async () => {
  const unknownName = pulumi.output((pulumi as any).unknown as string) as pulumi.Output<string>;
  const fn = new ProtectedAzureFunction("orders-api", { ...args, name: unknownName });
  expect(await details(fn.twPolicy)).toMatchObject({ known: false });
  await registrationsDone();
  expect(sim.requestsTo("policies/runtime/serverless/encode")).toEqual([]);
  const [app] = mocks.children("azure-native:web:WebApp");
  expect(app.inputs.siteConfig.value).toEqual({ __pulumiUnknown: true });
});

test("app setting names are listed even while a new storage account's key is unknown", async () => {
  const newAccount = pulumi.output(pulumi.unknown as unknown as string);
  const fn = new ProtectedAzureFunction("orders-api", {
    resourceGroupName: "rg",
    serverFarmId: args.serverFarmId,
    storageAccountName: newAccount,
    appSettings: [{ name: "ORDERS_QUEUE", value: "orders" }],
  });
  expect(await details(fn.appSettingNames)).toEqual({
    known: true,
    secret: false,
    value: [
      "ORDERS_QUEUE",
      "AzureWebJobsStorage",
      "FUNCTIONS_EXTENSION_VERSION",
      "FUNCTIONS_WORKER_RUNTIME",
      "TW_POLICY",
    ],
  });
  await details(fn.defaultHostName);
  const [app] = mocks.children("azure-native:web:WebApp");
  expect(app.inputs.siteConfig.value).toEqual({ __pulumiUnknown: true });
});
