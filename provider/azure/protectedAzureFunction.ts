// ProtectedAzureFunction: a Windows, 64-bit .NET Function App with the TW_POLICY app setting of the Serverless
// Defender. The Defender itself lives in the app's code (a NuGet package and one Init call per function), which no
// infrastructure can add: `npx prisma-defender prepare-azure-function` does that, and `projectDir` makes the
// deployment check it was done (docs/console-api.md#azure-functions).
import * as pulumi from "@pulumi/pulumi";
import type * as web from "@pulumi/azure-native/web";
import { azureWeb } from "../core/peers";
import { consoleFor } from "../core/console/client";
import { resolveConsoleSettings } from "../core/settings";
import {
  AppSetting,
  deriveFunctionAppName,
  preflightProblems,
  settingValue,
  TW_POLICY,
} from "./azureFunctionApp";
import {
  checkAzureFunctionProject,
  checkPublishedPackage,
  prepareCommand,
} from "./azureProjectCheck";
import { functionAppSettings } from "./azureFunctionSettings";
import { protectionEnabled } from "../core/enabled";
import { deployFunctionPackage, functionStorageConnection } from "./azureFunctionStorage";
import {
  AzureFunctionWorkerRuntime,
  ProtectedAzureFunctionArgs,
} from "./protectedAzureFunctionArgs";
import { Checks } from "../core/check";
import { problem } from "../core/problems";

export * from "./protectedAzureFunctionArgs";

/**
 * A .NET Azure Function App on Windows (64-bit worker) protected by the Prisma Cloud Serverless Defender: adds
 * TW_POLICY (encoded by the Console for this app's name) to the app settings, optionally checks that the project
 * is prepared for the Console's Defender and deploys its published package from a blob.
 */
export class ProtectedAzureFunction extends pulumi.ComponentResource {
  /** The Function App. */
  public readonly app: web.WebApp;
  /** The app's default host name, `<name>.azurewebsites.net`. */
  public readonly defaultHostName: pulumi.Output<string>;
  /** The Function App name TW_POLICY was encoded for. */
  public readonly functionAppName: pulumi.Output<string>;
  /** The Console's (and so the Defender's) version, such as `34.04.145`. */
  public readonly defenderVersion: pulumi.Output<string>;
  /** True when `projectDir` was given and is prepared for this Console (the deployment fails otherwise). */
  public readonly projectCheckPassed: pulumi.Output<boolean>;
  /** Names of every app setting, in order (the values are secret). */
  public readonly appSettingNames: pulumi.Output<string[]>;
  /** The TW_POLICY value (secret). */
  public readonly twPolicy: pulumi.Output<string>;

  constructor(
    name: string,
    args: ProtectedAzureFunctionArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("prisma-defender:index:ProtectedAzureFunction", name, {}, opts);
    const checks = new Checks("ProtectedAzureFunction", name, this);
    if (args.storageConnectionString !== undefined && args.storageAccountKey !== undefined)
      checks.fail([
        problem(
          "storageConnectionString",
          "and `storageAccountKey` are both set. Set one of the two.",
        ),
      ]);
    if (args.packagePath !== undefined && args.storageAccountName === undefined)
      checks.fail([
        problem(
          "storageAccountName",
          "is required with `packagePath`: the package is uploaded to that account. Set it.",
        ),
      ]);
    // Everything the preflight reads, checked now when plain and again once resolved when some are Outputs.
    const checked = {
      kind: args.kind,
      reserved: args.reserved,
      linuxFxVersion: args.linuxFxVersion,
      use32BitWorkerProcess: args.use32BitWorkerProcess,
      workerRuntime: args.workerRuntime,
      netFrameworkVersion: args.netFrameworkVersion,
      appSettings: args.appSettings,
      name: args.name ?? deriveFunctionAppName(name),
    };
    const resolvedArgs = checks.check([checked], ([c]) => {
      checks.fail(
        preflightProblems({
          ...c,
          appSettings: c.appSettings as AppSetting[] | undefined,
          componentName: name,
          nameGiven: args.name !== undefined,
          managesStorage:
            args.storageConnectionString !== undefined || args.storageAccountName !== undefined,
          deploysPackage: args.packagePath !== undefined,
        }),
      );
      return c;
    });
    const appName = resolvedArgs.apply((c) => c.name);

    // The Console: its version, and TW_POLICY for this app name. Encoding changes nothing on the Console, so it
    // runs in preview too and the preview shows the settings the update will set.
    // Off: the same app under the same URN and name, without TW_POLICY, no Console call and no project check.
    const enabled = protectionEnabled(args.enabled, checks);
    const settings = enabled
      ? resolveConsoleSettings(args.console, name, checks)
      : pulumi.output(never());
    const fromConsole = pulumi.all([settings, appName]).apply(
      checks.guard(async ([s, functionName]) => {
        if (!enabled) return { version: undefined as unknown as string, twPolicy: "" };
        const console = consoleFor(s);
        const [consoleAddr, version] = await Promise.all([
          console.consoleAddress(),
          console.consoleVersion(),
        ]);
        const twPolicy = await console.encodeServerlessPolicy({
          consoleAddr,
          function: functionName,
          provider: "azure",
        });
        return { version, twPolicy };
      }),
    );
    const twPolicy = pulumi.secret(fromConsole.twPolicy);
    const defenderVersion = pulumi.unsecret(fromConsole.version);
    const workerRuntime = resolvedArgs.apply(
      (c) =>
        c.workerRuntime ??
        settingValue((c.appSettings ?? []) as AppSetting[], "FUNCTIONS_WORKER_RUNTIME") ??
        AzureFunctionWorkerRuntime.DotnetIsolated,
    );

    // Without the Init call in the code, TW_POLICY protects nothing; the check is the only place that can tell.
    let projectCheckPassed: pulumi.Output<boolean>;
    if (!enabled) {
      projectCheckPassed = pulumi.output(false);
    } else if (args.projectDir === undefined) {
      pulumi.log.warn(
        `no projectDir: the deployment cannot check that the code calls Twistlock.Serverless.Init; without it the app runs unprotected`,
        this,
      );
      projectCheckPassed = pulumi.output(false);
    } else {
      projectCheckPassed = pulumi
        .all([args.projectDir, defenderVersion, workerRuntime, args.packagePath])
        .apply(
          checks.guard(async ([dir, version, runtime, packagePath]) => {
            const check = await checkAzureFunctionProject(dir, version);
            // A package built before the preparation (or an upgrade) would deploy without the Defender.
            if (packagePath !== undefined && check.problems.length === 0)
              check.problems.push(...(await checkPublishedPackage(packagePath, dir)));
            const wrongModel = check.hostings.find(
              (h) => (h === "isolated") !== (runtime === AzureFunctionWorkerRuntime.DotnetIsolated),
            );
            if (wrongModel)
              check.problems.push(
                `the project's functions are ${wrongModel === "isolated" ? "isolated-worker ([Function])" : "in-process ([FunctionName])"}, but FUNCTIONS_WORKER_RUNTIME is ${runtime}: set workerRuntime accordingly`,
              );
            if (check.problems.length)
              checks.fail([
                problem(
                  "projectDir",
                  `the project ${dir} is not prepared for the Console's Defender ${version}: ` +
                    `${check.problems.join("; ")}. Run \`${prepareCommand(dir)}\`, rebuild and publish.`,
                ),
              ]);
            return true;
          }),
        );
    }

    const netFrameworkVersion = args.netFrameworkVersion ?? "v8.0";
    const connection = functionStorageConnection(args, checks);
    // The package waits for the project check: nothing is uploaded from a project that would be refused.
    const checkedName = pulumi.all([appName, projectCheckPassed]).apply(([n]) => n);
    const runFromPackageUrl =
      args.packagePath === undefined
        ? undefined
        : deployFunctionPackage(name, args, checkedName, checks);

    const managed = functionAppSettings(args.appSettings, {
      workerRuntime,
      extensionVersion: args.functionsExtensionVersion ?? "~4",
      storageConnectionString: connection,
      runFromPackageUrl,
      netFrameworkVersion,
      twPolicy,
      gate: projectCheckPassed,
    });
    const withoutPolicy = <T extends { name: string } | string>(list: T[]) =>
      enabled ? list : list.filter((x) => (typeof x === "string" ? x : x.name) !== TW_POLICY);
    const appSettings = managed.appSettings.apply(withoutPolicy);
    const appSettingNames = managed.appSettingNames.apply(withoutPolicy);
    this.app = new (azureWeb(checks).WebApp)(
      name,
      {
        name: appName,
        resourceGroupName: args.resourceGroupName,
        location: args.location,
        kind: "functionapp",
        reserved: false,
        serverFarmId: args.serverFarmId,
        httpsOnly: args.httpsOnly ?? true,
        identity:
          args.identity === undefined
            ? undefined
            : pulumi
                .output(args.identity)
                .apply((i) => ({ type: i.type, userAssignedIdentities: i.userAssignedIdentities })),
        virtualNetworkSubnetId: args.virtualNetworkSubnetId,
        tags: args.tags,
        siteConfig: {
          appSettings: pulumi.secret(appSettings),
          use32BitWorkerProcess: false,
          netFrameworkVersion,
          alwaysOn: args.alwaysOn,
          minTlsVersion: args.minTlsVersion ?? "1.2",
          ftpsState: args.ftpsState ?? "Disabled",
        },
      },
      { parent: this },
    );

    this.defaultHostName = this.app.defaultHostName;
    this.functionAppName = appName;
    this.defenderVersion = defenderVersion;
    this.projectCheckPassed = projectCheckPassed;
    this.appSettingNames = appSettingNames;
    this.twPolicy = enabled
      ? twPolicy
      : (pulumi.output(undefined) as unknown as pulumi.Output<string>);
    this.registerOutputs({
      app: this.app,
      defaultHostName: this.defaultHostName,
      functionAppName: this.functionAppName,
      defenderVersion,
      projectCheckPassed,
      appSettingNames: this.appSettingNames,
      twPolicy,
    });
  }
}

/** A placeholder for settings that are never read (protection off). */
function never(): never {
  return undefined as never;
}
