// The args of ProtectedAzureFunction: what users pass to `web.WebApp` for a function app, flattened (the schema
// cannot carry azure-native's union-typed siteConfig), plus the Console and the project to check.
import * as pulumi from "@pulumi/pulumi";
import { ConsoleArgs } from "../core/types";

/** The Azure Functions worker runtime (FUNCTIONS_WORKER_RUNTIME); the Serverless Defender supports .NET only. */
export const AzureFunctionWorkerRuntime = {
  /** In-process model (`[FunctionName]`, Microsoft.NET.Sdk.Functions). Microsoft ends its support on 10 November 2026. */
  Dotnet: "dotnet",
  /** Isolated worker model (`[Function]`, Microsoft.Azure.Functions.Worker). */
  DotnetIsolated: "dotnet-isolated",
} as const;
/** The Azure Functions worker runtime (FUNCTIONS_WORKER_RUNTIME); the Serverless Defender supports .NET only. */
export type AzureFunctionWorkerRuntime =
  (typeof AzureFunctionWorkerRuntime)[keyof typeof AzureFunctionWorkerRuntime];

/** Managed identity type of the Function App. */
export const AzureFunctionIdentityType = {
  SystemAssigned: "SystemAssigned",
  UserAssigned: "UserAssigned",
  SystemAssignedUserAssigned: "SystemAssigned, UserAssigned",
  None: "None",
} as const;
/** Managed identity type of the Function App. */
export type AzureFunctionIdentityType =
  (typeof AzureFunctionIdentityType)[keyof typeof AzureFunctionIdentityType];

/** One app setting (an environment variable of the functions). */
export interface AzureFunctionAppSettingArgs {
  /** Setting name. Azure treats names case-insensitively. */
  name: pulumi.Input<string>;
  /** Setting value. */
  value: pulumi.Input<string>;
}

/** The Function App's managed identity. */
export interface AzureFunctionIdentityArgs {
  /** Which identities the app has. */
  type: pulumi.Input<AzureFunctionIdentityType>;
  /** Resource IDs of user-assigned identities (with `UserAssigned`). */
  userAssignedIdentities?: pulumi.Input<pulumi.Input<string>[]>;
}

export interface ProtectedAzureFunctionArgs {
  /**
   * Default true. `false`: the same Function App, under the same URN and name, without the TW_POLICY setting, no
   * Console call and no project check; switching is an in-place update of its app settings.
   */
  enabled?: boolean;
  /** How to reach the Prisma Cloud Compute Console. Unset fields come from stack config or PRISMACLOUDCOMPUTE_* variables. */
  console?: ConsoleArgs;
  /** Resource group of the Function App. */
  resourceGroupName: pulumi.Input<string>;
  /** Azure region. Default: the resource group's. */
  location?: pulumi.Input<string>;
  /**
   * Function App name, which is also its host name `<name>.azurewebsites.net`, so it must be globally unique:
   * 2-60 letters, digits and hyphens. Default: the component name, lowercased, without a random suffix, because
   * TW_POLICY is encoded for this exact name before the app exists. Include the stack name when several stacks
   * deploy the same program.
   */
  name?: pulumi.Input<string>;
  /** Resource ID of the Windows App Service plan (consumption `Y1`, premium or dedicated). */
  serverFarmId: pulumi.Input<string>;
  /** Storage account the Functions host uses (AzureWebJobsStorage) and where `packagePath` is uploaded. */
  storageAccountName?: pulumi.Input<string>;
  /** Resource group of the storage account. Default: `resourceGroupName`. */
  storageAccountResourceGroupName?: pulumi.Input<string>;
  /** Key of the storage account. Default: read with listKeys (the deploying identity needs that permission). Secret. */
  storageAccountKey?: pulumi.Input<string>;
  /** A full storage connection string for AzureWebJobsStorage, instead of `storageAccountName` and a key. Secret. */
  storageConnectionString?: pulumi.Input<string>;
  /** App settings, kept in order; the component adds the runtime settings it manages and TW_POLICY after them. */
  appSettings?: pulumi.Input<pulumi.Input<AzureFunctionAppSettingArgs>[]>;
  /** FUNCTIONS_WORKER_RUNTIME. Default: `dotnet-isolated`, or what appSettings say. */
  workerRuntime?: pulumi.Input<AzureFunctionWorkerRuntime>;
  /** FUNCTIONS_EXTENSION_VERSION. Default: `~4`. */
  functionsExtensionVersion?: pulumi.Input<string>;
  /** .NET version of the Windows worker (siteConfig.netFrameworkVersion), `v6.0` or later. Default: `v8.0`. */
  netFrameworkVersion?: pulumi.Input<string>;
  /** Must be false or unset: the Defender needs a 64-bit worker, which the component always sets. */
  use32BitWorkerProcess?: pulumi.Input<boolean>;
  /** Must be unset or `functionapp`: Linux and container apps cannot run the Defender. Default: `functionapp`. */
  kind?: pulumi.Input<string>;
  /** Must be unset or false (true means Linux). */
  reserved?: pulumi.Input<boolean>;
  /** Must be unset: only Linux apps have it. */
  linuxFxVersion?: pulumi.Input<string>;
  /** Keep the app loaded (dedicated and premium plans). */
  alwaysOn?: pulumi.Input<boolean>;
  /** Redirect HTTP to HTTPS. Default: true. */
  httpsOnly?: pulumi.Input<boolean>;
  /** Minimum TLS version of the app's endpoint. Default: `1.2`. */
  minTlsVersion?: pulumi.Input<string>;
  /** FTP deployment: `AllAllowed`, `FtpsOnly` or `Disabled`. Default: `Disabled`. */
  ftpsState?: pulumi.Input<string>;
  /** Managed identity of the app. */
  identity?: pulumi.Input<AzureFunctionIdentityArgs>;
  /** Subnet for regional VNet integration. */
  virtualNetworkSubnetId?: pulumi.Input<string>;
  /** Tags of the Function App. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /**
   * The function project folder (with the .csproj). When given, the deployment fails unless the project is
   * prepared for this Console's Defender (`npx prisma-defender prepare-azure-function <dir>`).
   */
  projectDir?: pulumi.Input<string>;
  /**
   * The published app (`dotnet publish` output folder, or a .zip of it) to deploy: uploaded as a blob named after
   * its content hash and run with WEBSITE_RUN_FROM_PACKAGE (a read-only SAS URL). Needs `storageAccountName`.
   */
  packagePath?: pulumi.Input<string>;
  /** Expiry of the package URL's SAS, an ISO 8601 time. Default: 2035-01-01T00:00:00Z (fixed, so previews are stable). */
  packageSasExpiry?: pulumi.Input<string>;
}
