// protectStack for Azure Function Apps (`azure-native:web:WebApp` of kind functionapp): TW_POLICY for the app's
// name in its app settings and, where the options name the app's project, ProtectedAzureFunction's project check.
// Like the component, it cannot add the Defender to the code: `npx prisma-defender prepare-azure-function` does.
import * as pulumi from "@pulumi/pulumi";
import { checkAzureFunctionProject, prepareCommand } from "../azure/azureProjectCheck";
import { AppSetting, deriveFunctionAppName, TW_POLICY } from "../azure/azureFunctionApp";
import { StackContext } from "./context";
import { isKnown, knownString, reveal } from "./props";

export const WEB_APP = "azure-native:web:WebApp";

/** True for a Function App (`kind` such as `functionapp` or `functionapp,linux`). */
export function isFunctionApp(props: Record<string, unknown>): boolean {
  return (knownString(props.kind) ?? "").split(",").includes("functionapp");
}

/** The app with TW_POLICY added, or undefined to leave it as it is. */
export async function protectFunctionApp(
  ctx: StackContext,
  args: pulumi.ResourceTransformArgs,
): Promise<pulumi.ResourceTransformResult | undefined> {
  const { props, name } = args;
  const skip = (...reasons: string[]) => ctx.cannotProtect(WEB_APP, name, reasons);
  const site = (reveal(props.siteConfig).value ?? {}) as { appSettings?: unknown };
  if (!isKnown(site.appSettings))
    return skip("its siteConfig.appSettings must be known when the program runs.");
  const settings = (site.appSettings ?? []) as AppSetting[];
  if (settings.some((s) => s.name === TW_POLICY)) return undefined;
  // TW_POLICY is made for the app's name, so an app without one gets ProtectedAzureFunction's derived name.
  const appName = props.name === undefined ? deriveFunctionAppName(name) : knownString(props.name);
  if (!appName)
    return skip("its `name` must be known when the program runs: TW_POLICY is made for it.");
  const projectDir = ctx.options.azureProjects[name];
  if (projectDir === undefined) {
    ctx.cannotProtect(WEB_APP, name, [
      `TW_POLICY is set, but no project is named for it in azureProjects, so nothing checks that its code calls ` +
        `Twistlock.Serverless.Init (without that call the app runs unprotected).`,
    ]);
  }
  const twPolicy = pulumi.secret(
    ctx.withConsole(async (c) => {
      const version = await c.consoleVersion();
      if (projectDir !== undefined) {
        const check = await checkAzureFunctionProject(projectDir, version);
        if (check.problems.length) {
          throw new Error(
            `protectStack: ${WEB_APP} "${name}": the project ${projectDir} is not prepared for the Console's ` +
              `Defender ${version}; run \`${prepareCommand(projectDir)}\`, rebuild and publish:\n  - ${check.problems.join("\n  - ")}`,
          );
        }
      }
      return c.encodeServerlessPolicy({
        consoleAddr: await c.consoleAddress(),
        function: appName,
        provider: "azure",
      });
    }),
  );
  const rawSite = reveal(props.siteConfig).value as Record<string, unknown> | undefined;
  return {
    props: {
      ...props,
      name: appName,
      siteConfig: {
        ...(rawSite ?? {}),
        appSettings: pulumi.secret(
          twPolicy.apply((value) => [...settings, { name: TW_POLICY, value }]),
        ),
      },
    },
    opts: args.opts,
  };
}
