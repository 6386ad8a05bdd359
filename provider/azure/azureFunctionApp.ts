// Pure rules of the Function App that ProtectedAzureFunction creates: its name, the preflight checks that the
// Serverless Defender can run in it (Windows, 64-bit, .NET), and the app settings merge that adds TW_POLICY.

import { InputProblem, problem } from "../core/problems";
/** Azure's rule for a Function App name (it is also the `<name>.azurewebsites.net` host name). */
export const FUNCTION_APP_NAME_RULE =
  "2 to 60 characters, letters, digits and hyphens, not starting or ending with a hyphen";

/**
 * The Function App name derived from the component name: lowercased, every other character turned into a hyphen.
 * No random suffix, unlike Pulumi's auto-naming: TW_POLICY is encoded for this exact name before the app exists,
 * and a suffix drawn at each preview would change the policy (and the app) on every run.
 */
export function deriveFunctionAppName(componentName: string): string {
  return componentName
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-{2,}/g, "-")
    .slice(0, 60)
    .replace(/^-+|-+$/g, "");
}

export function functionAppNameProblem(name: string, where: string): InputProblem | undefined {
  if (/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,58}[A-Za-z0-9])$/.test(name)) return undefined;
  return problem(
    "name",
    `${where ? `${where} ` : ""}"${name}" is not a valid Function App name: use ${FUNCTION_APP_NAME_RULE}`,
  );
}

/** App settings this component sets itself; the user's list may not set TW_POLICY. */
export const TW_POLICY = "TW_POLICY";
const DOTNET_RUNTIMES = ["dotnet", "dotnet-isolated"];

export interface AppSetting {
  name: string;
  value: string;
}

/** The resolved values the preflight reads (undefined: not given). */
export interface AzureFunctionPreflightInput {
  kind?: string;
  reserved?: boolean;
  linuxFxVersion?: string;
  use32BitWorkerProcess?: boolean;
  workerRuntime?: string;
  /** FUNCTIONS_WORKER_RUNTIME as the user's appSettings give it, if they do. */
  appSettingsWorkerRuntime?: string;
  netFrameworkVersion?: string;
  appSettingNames?: string[];
  /** The component is given storage args (so it sets AzureWebJobsStorage itself). */
  managesStorage?: boolean;
  /** The component deploys a package (so it sets WEBSITE_RUN_FROM_PACKAGE itself). */
  deploysPackage?: boolean;
}

/**
 * Everything that would make the Defender not run (or the settings clash), each naming the setting and the fix.
 * Pure, so it runs before any request, in the constructor when values are plain.
 */
export function azureFunctionPreflight(input: AzureFunctionPreflightInput): InputProblem[] {
  const problems: InputProblem[] = [];
  const linux = "the Serverless Defender for Azure Functions runs on Windows only";
  if (input.kind !== undefined && /linux|container/i.test(input.kind))
    problems.push(
      problem(
        "kind",
        `"${input.kind}" is a Linux or container app: ${linux}; use kind "functionapp" (the default)`,
      ),
    );
  if (input.reserved === true)
    problems.push(
      problem("reserved", `true means a Linux app: ${linux}; leave \`reserved\` unset or false`),
    );
  if (input.linuxFxVersion)
    problems.push(
      problem(
        "linuxFxVersion",
        `"${input.linuxFxVersion}" is for Linux apps: ${linux}; remove it and set netFrameworkVersion instead`,
      ),
    );
  if (input.use32BitWorkerProcess === true)
    problems.push(
      problem(
        "use32BitWorkerProcess",
        "true runs a 32-bit worker: the Serverless Defender needs a 64-bit process; leave it unset (the component sets false)",
      ),
    );
  if (input.workerRuntime !== undefined && !DOTNET_RUNTIMES.includes(input.workerRuntime))
    problems.push(
      problem(
        "workerRuntime",
        `"${input.workerRuntime}" is not .NET: the Serverless Defender for Azure Functions supports C# apps only (dotnet or dotnet-isolated)`,
      ),
    );
  const fromSettings = input.appSettingsWorkerRuntime;
  if (fromSettings !== undefined && !DOTNET_RUNTIMES.includes(fromSettings))
    problems.push(
      problem(
        "appSettings",
        `sets FUNCTIONS_WORKER_RUNTIME "${fromSettings}", which is not .NET: the Serverless Defender for Azure Functions supports C# apps only (dotnet or dotnet-isolated)`,
      ),
    );
  else if (
    fromSettings !== undefined &&
    input.workerRuntime !== undefined &&
    fromSettings !== input.workerRuntime
  )
    problems.push(
      problem(
        "appSettings",
        `sets FUNCTIONS_WORKER_RUNTIME "${fromSettings}" but workerRuntime is "${input.workerRuntime}": keep one`,
      ),
    );
  const net = input.netFrameworkVersion;
  if (net !== undefined) {
    const m = /^v(\d+)\.(\d+)$/.exec(net);
    if (!m)
      problems.push(
        problem(
          "netFrameworkVersion",
          `"${net}" is not of the form v<major>.<minor>, such as v8.0`,
        ),
      );
    else if (Number(m[1]) < 6)
      problems.push(
        problem(
          "netFrameworkVersion",
          `"${net}" is older than .NET 6: Functions v4 and the Serverless Defender need .NET 6 or later, such as v8.0`,
        ),
      );
  }
  const seen = new Map<string, string>();
  for (const name of input.appSettingNames ?? []) {
    const key = name.toUpperCase();
    if (seen.has(key))
      problems.push(
        problem("appSettings", `sets "${name}" twice (names are case-insensitive in Azure)`),
      );
    seen.set(key, name);
  }
  if (seen.has(TW_POLICY))
    problems.push(
      problem(
        "appSettings",
        `already contains ${seen.get(TW_POLICY)}: the component sets TW_POLICY from the Console; remove it from appSettings`,
      ),
    );
  if (input.managesStorage && seen.has("AZUREWEBJOBSSTORAGE"))
    problems.push(
      problem(
        "appSettings",
        "sets AzureWebJobsStorage and storage args are given too: keep one (the storage args make the component set it)",
      ),
    );
  if (input.deploysPackage && seen.has("WEBSITE_RUN_FROM_PACKAGE"))
    problems.push(
      problem(
        "appSettings",
        "sets WEBSITE_RUN_FROM_PACKAGE and `packagePath` is given too: keep one",
      ),
    );
  if (
    !input.managesStorage &&
    !seen.has("AZUREWEBJOBSSTORAGE") &&
    !seen.has("AZUREWEBJOBSSTORAGE__ACCOUNTNAME")
  )
    problems.push(
      problem(
        "storageAccountName",
        "no storage for the Functions host: set `storageAccountName` (with `storageAccountKey`, or let the component read the key), `storageConnectionString`, or AzureWebJobsStorage in appSettings",
      ),
    );
  return problems;
}

/** The runtime settings the Functions host needs, as the component defaults them. */
export interface ManagedSettings {
  workerRuntime: string;
  extensionVersion: string;
  storageConnectionString?: string;
  runFromPackageUrl?: string;
  /** .NET version of the worker (`v8.0`): in-process apps on .NET 8 need FUNCTIONS_INPROC_NET8_ENABLED=1. */
  netFrameworkVersion?: string;
  twPolicy: string;
}

/**
 * The user's app settings, in their order and untouched, followed by the settings the component manages, in a
 * fixed order. A FUNCTIONS_WORKER_RUNTIME or FUNCTIONS_EXTENSION_VERSION the user gives wins over the default.
 */
export function mergeAppSettings(user: AppSetting[], managed: ManagedSettings): AppSetting[] {
  const has = (n: string) => user.some((s) => s.name.toUpperCase() === n.toUpperCase());
  const added: AppSetting[] = [];
  const add = (name: string, value: string | undefined) => {
    if (value !== undefined && !has(name)) added.push({ name, value });
  };
  add("AzureWebJobsStorage", managed.storageConnectionString);
  add("FUNCTIONS_EXTENSION_VERSION", managed.extensionVersion);
  const runtime = settingValue(user, "FUNCTIONS_WORKER_RUNTIME") || managed.workerRuntime;
  add("FUNCTIONS_WORKER_RUNTIME", managed.workerRuntime);
  const major = Number(/^v(\d+)\./.exec(managed.netFrameworkVersion ?? "")?.[1] ?? 0);
  if (runtime === "dotnet" && major >= 8) add("FUNCTIONS_INPROC_NET8_ENABLED", "1");
  add("WEBSITE_RUN_FROM_PACKAGE", managed.runFromPackageUrl);
  added.push({ name: TW_POLICY, value: managed.twPolicy });
  return [...user.map((s) => ({ name: s.name, value: s.value })), ...added];
}

/** The storage connection string the Functions host reads (public Azure cloud endpoints). */
export function storageConnectionString(
  accountName: string,
  accountKey: string,
  endpointSuffix = "core.windows.net",
): string {
  return `DefaultEndpointsProtocol=https;AccountName=${accountName};AccountKey=${accountKey};EndpointSuffix=${endpointSuffix}`;
}

/** A blob container name for the packages of one Function App (3-63 chars, lowercase, single hyphens). */
export function packageContainerName(functionAppName: string): string {
  return `${functionAppName.toLowerCase().slice(0, 54).replace(/-+$/, "")}-packages`.replace(
    /-{2,}/g,
    "-",
  );
}

/** The value of an app setting by case-insensitive name, as Azure reads it. */
export function settingValue(settings: AppSetting[], name: string): string | undefined {
  return settings.find((s) => s.name.toUpperCase() === name.toUpperCase())?.value;
}

/** The component's resolved args as the preflight reads them. */
export interface AzureFunctionArgsPreflight extends Omit<
  AzureFunctionPreflightInput,
  "appSettingNames" | "appSettingsWorkerRuntime"
> {
  componentName: string;
  /** The Function App name: given, or derived from the component name. */
  name: string;
  nameGiven: boolean;
  appSettings?: AppSetting[];
}

/** Every preflight problem of the component's args, the name's included. */
export function preflightProblems(a: AzureFunctionArgsPreflight): InputProblem[] {
  const where = a.nameGiven
    ? ""
    : `the component name "${a.componentName}" gives the Function App name`;
  const nameProblem = functionAppNameProblem(a.name, where);
  const settings = a.appSettings ?? [];
  return [
    ...(nameProblem ? [nameProblem] : []),
    ...azureFunctionPreflight({
      ...a,
      appSettingNames: settings.map((s) => s.name),
      appSettingsWorkerRuntime: settingValue(settings, "FUNCTIONS_WORKER_RUNTIME"),
    }),
  ];
}
