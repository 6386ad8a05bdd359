// The package entry: what TypeScript and JavaScript programs import, and the classes the plugin serves.
//
// Types, enums and error classes are exported as usual: their modules are small. The components and the library
// calls load on first use (as @pulumi/aws loads its own modules), so `require("prisma-defender")` costs little and a
// program loads only the components it touches. Each lazy export is written as
// `Object.defineProperty(module.exports, "X", { enumerable: true, get: function () { return m.X; } })`: the getter
// form Node's ESM loader recognises in CommonJS, so ES module programs can `import { X } from "prisma-defender"`.
import type * as FargateModule from "./fargate/protectedFargateTask";
import type * as CloudFormationModule from "./fargate/protectedCloudFormationTemplate";
import type * as LayerModule from "./lambda/defenderLayer";
import type * as LambdaModule from "./lambda/protectedLambda";
import type * as ImageModule from "./image/embeddedDefenderImage";
import type * as AzureModule from "./azure/protectedAzureFunction";
import type * as AzurePrepareModule from "./azure/azureProjectPrepare";
import type * as AzureCheckModule from "./azure/azureProjectCheck";
import type * as SettingsModule from "./core/settings";
import type * as ClientModule from "./core/console/client";
import type * as StackModule from "./stack/protectStack";

export type { ConsoleArgs } from "./core/types";
export { LambdaRuntime, DefenderRuntimeFamily, NodeJSModuleType } from "./lambda/runtimes";
export {
  ProtectedFargateTaskArgs,
  FargateDefenderArgs,
  InstallBundleDelivery,
} from "./fargate/protectedFargateTaskArgs";
export {
  ProtectedCloudFormationTemplateArgs,
  CloudFormationTemplateFormat,
} from "./fargate/protectedCloudFormationTemplateArgs";
export type DefenderLayerArgs = LayerModule.DefenderLayerArgs;
export type {
  DefenderLayerReference,
  ProtectedLambdaArgs,
  ProtectedLambdaEnvironment,
} from "./lambda/protectedLambdaArgs";
export { LambdaProtectionMode, deriveFunctionName } from "./lambda/lambdaPreflight";
export * from "./image/embeddedDefenderImageArgs";
export * from "./azure/protectedAzureFunctionArgs";
export type {
  PrepareAzureFunctionProjectArgs,
  PrepareAzureFunctionProjectResult,
} from "./azure/azureProjectPrepare";
export { ConsoleError, ConsoleSettingsError } from "./core/errors";
export { ProtectStackMode } from "./stack/options";
export type {
  ProtectStackOptions,
  LambdaStackOptions,
  FargateStackOptions,
  StackResource,
  StackProtection,
  UnprotectedResource,
} from "./stack/protectStack";

/** A stand-in for a module that require()s it on the first property read. */
function lazyModule<T extends object>(load: () => T): T {
  let loaded: T | undefined;
  return new Proxy({} as T, { get: (_target, key) => (loaded ??= load())[key as keyof T] });
}

/* eslint-disable @typescript-eslint/no-require-imports */
const fargate = lazyModule<typeof FargateModule>(() => require("./fargate/protectedFargateTask"));
const cloudFormation = lazyModule<typeof CloudFormationModule>(() =>
  require("./fargate/protectedCloudFormationTemplate"),
);
const layer = lazyModule<typeof LayerModule>(() => require("./lambda/defenderLayer"));
const lambda = lazyModule<typeof LambdaModule>(() => require("./lambda/protectedLambda"));
const image = lazyModule<typeof ImageModule>(() => require("./image/embeddedDefenderImage"));
const azure = lazyModule<typeof AzureModule>(() => require("./azure/protectedAzureFunction"));
const azurePrepare = lazyModule<typeof AzurePrepareModule>(() =>
  require("./azure/azureProjectPrepare"),
);
const azureCheck = lazyModule<typeof AzureCheckModule>(() => require("./azure/azureProjectCheck"));
const settings = lazyModule<typeof SettingsModule>(() => require("./core/settings"));
const client = lazyModule<typeof ClientModule>(() => require("./core/console/client"));
const stack = lazyModule<typeof StackModule>(() => require("./stack/protectStack"));
/* eslint-enable @typescript-eslint/no-require-imports */

export type ProtectedFargateTask = FargateModule.ProtectedFargateTask;
export declare const ProtectedFargateTask: typeof FargateModule.ProtectedFargateTask;
Object.defineProperty(module.exports, "ProtectedFargateTask", { enumerable: true, get: function () { return fargate.ProtectedFargateTask; } }); // prettier-ignore

export type ProtectedCloudFormationTemplate = CloudFormationModule.ProtectedCloudFormationTemplate;
export declare const ProtectedCloudFormationTemplate: typeof CloudFormationModule.ProtectedCloudFormationTemplate;
Object.defineProperty(module.exports, "ProtectedCloudFormationTemplate", { enumerable: true, get: function () { return cloudFormation.ProtectedCloudFormationTemplate; } }); // prettier-ignore

export type DefenderLayer = LayerModule.DefenderLayer;
export declare const DefenderLayer: typeof LayerModule.DefenderLayer;
Object.defineProperty(module.exports, "DefenderLayer", { enumerable: true, get: function () { return layer.DefenderLayer; } }); // prettier-ignore

export type ProtectedLambda = LambdaModule.ProtectedLambda;
export declare const ProtectedLambda: typeof LambdaModule.ProtectedLambda;
Object.defineProperty(module.exports, "ProtectedLambda", { enumerable: true, get: function () { return lambda.ProtectedLambda; } }); // prettier-ignore

export type EmbeddedDefenderImage = ImageModule.EmbeddedDefenderImage;
export declare const EmbeddedDefenderImage: typeof ImageModule.EmbeddedDefenderImage;
Object.defineProperty(module.exports, "EmbeddedDefenderImage", { enumerable: true, get: function () { return image.EmbeddedDefenderImage; } }); // prettier-ignore

export type ProtectedAzureFunction = AzureModule.ProtectedAzureFunction;
export declare const ProtectedAzureFunction: typeof AzureModule.ProtectedAzureFunction;
Object.defineProperty(module.exports, "ProtectedAzureFunction", { enumerable: true, get: function () { return azure.ProtectedAzureFunction; } }); // prettier-ignore

// Library calls for build scripts and tests (not components: the plugin serves only the classes above).
export declare const prepareAzureFunctionProject: typeof AzurePrepareModule.prepareAzureFunctionProject;
Object.defineProperty(module.exports, "prepareAzureFunctionProject", { enumerable: true, get: function () { return azurePrepare.prepareAzureFunctionProject; } }); // prettier-ignore
export declare const checkAzureFunctionProject: typeof AzureCheckModule.checkAzureFunctionProject;
Object.defineProperty(module.exports, "checkAzureFunctionProject", { enumerable: true, get: function () { return azureCheck.checkAzureFunctionProject; } }); // prettier-ignore
export declare const checkPublishedPackage: typeof AzureCheckModule.checkPublishedPackage;
Object.defineProperty(module.exports, "checkPublishedPackage", { enumerable: true, get: function () { return azureCheck.checkPublishedPackage; } }); // prettier-ignore
export declare const resolveConsoleSettings: typeof SettingsModule.resolveConsoleSettings;
Object.defineProperty(module.exports, "resolveConsoleSettings", { enumerable: true, get: function () { return settings.resolveConsoleSettings; } }); // prettier-ignore
export declare const consoleFor: typeof ClientModule.consoleFor;
Object.defineProperty(module.exports, "consoleFor", { enumerable: true, get: function () { return client.consoleFor; } }); // prettier-ignore

// One call at the top of a TypeScript/JavaScript program protects the whole stack (a stack transform, not a
// component: the plugin does not serve it to other languages).
export declare const protectStack: typeof StackModule.protectStack;
Object.defineProperty(module.exports, "protectStack", { enumerable: true, get: function () { return stack.protectStack; } }); // prettier-ignore
export declare const OPT_OUT_TAG: typeof StackModule.OPT_OUT_TAG;
Object.defineProperty(module.exports, "OPT_OUT_TAG", { enumerable: true, get: function () { return stack.OPT_OUT_TAG; } }); // prettier-ignore
