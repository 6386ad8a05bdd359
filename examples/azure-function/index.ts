// A .NET (isolated worker) Azure Function App on Windows, protected by the Prisma Cloud Serverless Defender.
// The Defender runs inside the app's code: prepare the project first (see README.md), then deploy.
import * as pulumi from "@pulumi/pulumi";
import * as resources from "@pulumi/azure-native/resources";
import * as storage from "@pulumi/azure-native/storage";
import * as web from "@pulumi/azure-native/web";
import { AzureFunctionWorkerRuntime, ProtectedAzureFunction } from "prisma-defender";

const config = new pulumi.Config();
const group = new resources.ResourceGroup("functions");

const account = new storage.StorageAccount("functions", {
  resourceGroupName: group.name,
  kind: storage.Kind.StorageV2,
  sku: { name: storage.SkuName.Standard_LRS },
  minimumTlsVersion: storage.MinimumTlsVersion.TLS1_2,
  allowBlobPublicAccess: false,
});

// A Windows consumption plan: `reserved` stays false (true would be Linux, where the Defender cannot run).
const plan = new web.AppServicePlan("functions", {
  resourceGroupName: group.name,
  kind: "functionapp",
  reserved: false,
  sku: { name: "Y1", tier: "Dynamic" },
});

const orders = new ProtectedAzureFunction("orders", {
  // Global name: include the stack so dev and prod do not collide.
  name: config.get("appName") ?? `${pulumi.getProject()}-${pulumi.getStack()}`.slice(0, 60),
  resourceGroupName: group.name,
  serverFarmId: plan.id,
  storageAccountName: account.name,
  workerRuntime: AzureFunctionWorkerRuntime.DotnetIsolated,
  appSettings: [{ name: "ORDERS_QUEUE", value: "orders" }],
  projectDir: config.get("projectDir"),
  packagePath: config.get("packagePath"),
  tags: { app: "orders" },
});

export const endpoint = pulumi.interpolate`https://${orders.defaultHostName}/api/orders`;
export const functionAppName = orders.functionAppName;
export const defenderVersion = orders.defenderVersion;
export const projectCheckPassed = orders.projectCheckPassed;
export const appSettingNames = orders.appSettingNames;
