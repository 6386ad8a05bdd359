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
export {
  ProtectedLambda,
  ProtectedLambdaArgs,
  ProtectedLambdaEnvironment,
} from "./components/protectedLambda";
export * from "./components/embeddedDefenderImage";
export * from "./components/protectedAzureFunction";
