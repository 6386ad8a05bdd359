// The app settings of ProtectedAzureFunction: the user's, then the ones the component manages (azureFunctionApp.ts
// decides which), as a secret list, and their names as a plain list that the preview can show.
import * as pulumi from "@pulumi/pulumi";
import { AppSetting, mergeAppSettings } from "./azureFunctionApp";
import { AzureFunctionAppSettingArgs } from "./protectedAzureFunctionArgs";
import { isPlain } from "../core/plain";

export interface ManagedSettingInputs {
  workerRuntime: pulumi.Input<string>;
  extensionVersion: pulumi.Input<string>;
  storageConnectionString?: pulumi.Output<string>;
  runFromPackageUrl?: pulumi.Output<string>;
  netFrameworkVersion: pulumi.Input<string>;
  twPolicy: pulumi.Output<string>;
  /** The settings wait for this (the project check): no app is configured from a project that fails it. */
  gate: pulumi.Output<unknown>;
}

/** The secret settings list for the WebApp, and the plain list of their names. */
export function functionAppSettings(
  user: pulumi.Input<pulumi.Input<AzureFunctionAppSettingArgs>[]> | undefined,
  m: ManagedSettingInputs,
): { appSettings: pulumi.Output<AppSetting[]>; appSettingNames: pulumi.Output<string[]> } {
  const appSettings = pulumi
    .all([
      user ?? [],
      m.workerRuntime,
      m.extensionVersion,
      m.storageConnectionString,
      m.runFromPackageUrl,
      m.netFrameworkVersion,
      m.twPolicy,
      m.gate,
    ])
    .apply(([u, workerRuntime, extensionVersion, storage, packageUrl, net, twPolicy]) =>
      mergeAppSettings(u as AppSetting[], {
        workerRuntime,
        extensionVersion,
        storageConnectionString: storage,
        runFromPackageUrl: packageUrl,
        netFrameworkVersion: net,
        twPolicy,
      }),
    );
  // From the names alone, so the preview lists them even while values (a new account's key) are unknown.
  const userNames = Array.isArray(user)
    ? pulumi.all(
        user.map((s) =>
          isPlain(s) ? (s as AzureFunctionAppSettingArgs).name : pulumi.output(s).name,
        ),
      )
    : pulumi.output(user ?? []).apply((l) => l.map((s) => s.name));
  const appSettingNames = pulumi
    .all([userNames, m.workerRuntime, m.netFrameworkVersion])
    .apply(([names, workerRuntime, netFrameworkVersion]) =>
      mergeAppSettings(
        names.map((name) => ({ name, value: "" })),
        {
          workerRuntime,
          extensionVersion: "",
          storageConnectionString: m.storageConnectionString && "",
          runFromPackageUrl: m.runFromPackageUrl && "",
          netFrameworkVersion,
          twPolicy: "",
        },
      ).map((s) => s.name),
    );
  return { appSettings: pulumi.secret(appSettings), appSettingNames };
}
