// The package entry: what TypeScript programs import and what the plugin serves to other languages.
export { ConsoleArgs } from "./console/types";
export { LambdaRuntime, DefenderRuntimeFamily, NodeJSModuleType } from "./defender/runtimes";
export { ProtectedFargateTask } from "./components/protectedFargateTask";
export {
  ProtectedFargateTaskArgs,
  FargateDefenderArgs,
  InstallBundleDelivery,
} from "./components/protectedFargateTaskArgs";
export {
  ProtectedCloudFormationTemplate,
  ProtectedCloudFormationTemplateArgs,
  CloudFormationTemplateFormat,
} from "./components/protectedCloudFormationTemplate";
export { DefenderLayer, DefenderLayerArgs } from "./components/defenderLayer";
export * from "./components/protectedLambda";
export { LambdaProtectionMode, deriveFunctionName } from "./defender/lambdaPreflight";
export * from "./components/embeddedDefenderImage";
export * from "./components/protectedAzureFunction";

// Library calls for build scripts and tests (not components: the plugin serves only the classes above).
export {
  prepareAzureFunctionProject,
  PrepareAzureFunctionProjectArgs,
  PrepareAzureFunctionProjectResult,
} from "./defender/azureProjectPrepare";
export { checkAzureFunctionProject, checkPublishedPackage } from "./defender/azureProjectCheck";
export { resolveConsoleSettings } from "./console/settings";
export { consoleFor } from "./console/client";
export { ConsoleError, ConsoleSettingsError } from "./console/errors";
