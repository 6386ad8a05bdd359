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
// One call at the top of a TypeScript/JavaScript program protects the whole stack (a stack transform, not a
// component: the plugin does not serve it to other languages).
export {
  protectStack,
  ProtectStackOptions,
  ProtectStackMode,
  LambdaStackOptions,
  FargateStackOptions,
  StackResource,
  StackProtection,
  UnprotectedResource,
  OPT_OUT_TAG,
} from "./stack/protectStack";
export { ConsoleError, ConsoleSettingsError } from "./console/errors";
