// The options of protectStack, and their check: one error naming every bad field, before any Console request.
import { ConsoleArgs } from "../core/types";
import { InstallBundleDelivery } from "../fargate/protectedFargateTaskArgs";
import { LambdaProtectionMode } from "../lambda/lambdaPreflight";

/** What protectStack does with a resource it cannot protect (an unsupported runtime, a container-image function). */
export const ProtectStackMode = {
  /** Leave it as it is and list it, with every other such resource, in one warning. The default. */
  Warn: "warn",
  /** Fail the preview (and the update) on it. */
  Enforce: "enforce",
} as const;
export type ProtectStackMode = (typeof ProtectStackMode)[keyof typeof ProtectStackMode];

/** A resource the stack transform is about to register, as the predicate `include` sees it. */
export interface StackResource {
  /** Type token, such as `aws:lambda/function:Function`. */
  type: string;
  /** The resource's name in the program. */
  name: string;
  /** Its properties as the engine has them (secrets wrapped, unknown values of a preview as `pulumi.unknown`). */
  props: Record<string, unknown>;
}

export interface LambdaStackOptions {
  /** Default `layer`: the Console's layer, one DefenderLayer per runtime family, module system and region. */
  mode?: LambdaProtectionMode;
  /** Names (in the program) of functions protected in `embedded` mode instead of `mode`. */
  embedded?: string[];
}

export interface FargateStackOptions {
  /** Where the sidecar's INSTALL_BUNDLE is kept, as for ProtectedFargateTask. Default: SecretsManager. */
  installBundleDelivery?: InstallBundleDelivery;
  /** As for ProtectedFargateTask: let the Console find image entrypoints of containers without `entryPoint`. */
  extractEntrypoint?: boolean;
  /** As for ProtectedFargateTask: a private mirror of the Defender image. */
  defenderImage?: string;
  /** As for ProtectedFargateTask: the interpreter the Defender's entrypoint runs with. */
  interpreter?: string;
  /** As for ProtectedFargateTask: turn on filesystem monitoring. */
  filesystemMonitoring?: boolean;
}

export interface ProtectStackOptions {
  /** How to reach the Compute Console, as for every component (stack config and environment fill the rest). */
  console?: ConsoleArgs;
  /** `warn` (default): unprotectable resources are listed in one warning. `enforce`: they fail the preview. */
  mode?: ProtectStackMode;
  /** Protect every `aws.lambda.Function` (default true), with these options. */
  lambda?: boolean | LambdaStackOptions;
  /** Protect every `aws.ecs.TaskDefinition` that requires FARGATE (default true), with these options. */
  fargate?: boolean | FargateStackOptions;
  /** Also set TW_POLICY on every `azure-native:web:WebApp` of kind functionapp (default false). */
  azureFunctions?: boolean;
  /**
   * With `azureFunctions`: the project directory of each Function App (by resource name), checked as
   * ProtectedAzureFunction's `projectDir` is. An app without one is listed as not provably protected.
   */
  azureProjects?: Record<string, string>;
  /** Names (in the program) of resources to leave alone. The tag `prisma-defender:protect = "false"` does the same. */
  exclude?: string[];
  /** Return false to leave a resource alone. Called only for the types above. */
  include?: (resource: StackResource) => boolean;
}

/** The tag that opts a resource out. */
export const OPT_OUT_TAG = "prisma-defender:protect";

export interface CheckedStackOptions {
  console?: ConsoleArgs;
  mode: ProtectStackMode;
  lambda?: LambdaStackOptions;
  fargate?: FargateStackOptions;
  azureFunctions: boolean;
  azureProjects: Record<string, string>;
  exclude: Set<string>;
  include?: (resource: StackResource) => boolean;
}

/** The options with defaults, or an Error naming every bad field and the fix. */
export function checkStackOptions(options: ProtectStackOptions = {}): CheckedStackOptions {
  const problems: string[] = [];
  const o = options ?? {};
  const mode = o.mode ?? ProtectStackMode.Warn;
  if (!Object.values(ProtectStackMode).includes(mode)) {
    problems.push(`mode: "${String(mode)}" is not one of: warn, enforce.`);
  }
  const lambda = o.lambda === false ? undefined : o.lambda === true || !o.lambda ? {} : o.lambda;
  if (lambda?.mode !== undefined && !Object.values(LambdaProtectionMode).includes(lambda.mode)) {
    problems.push(`lambda.mode: "${String(lambda.mode)}" is not one of: layer, embedded.`);
  }
  const names = (field: string, v: unknown) => {
    if (v === undefined) return [];
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      problems.push(`${field}: must be a list of resource names (strings).`);
      return [];
    }
    return v as string[];
  };
  names("lambda.embedded", lambda?.embedded);
  const fargate =
    o.fargate === false ? undefined : o.fargate === true || !o.fargate ? {} : o.fargate;
  const delivery = fargate?.installBundleDelivery;
  if (delivery !== undefined && !Object.values(InstallBundleDelivery).includes(delivery)) {
    problems.push(
      `fargate.installBundleDelivery: "${String(delivery)}" is not one of: secretsManager, environment.`,
    );
  }
  if (o.include !== undefined && typeof o.include !== "function") {
    problems.push("include: must be a function (resource) => boolean.");
  }
  const exclude = new Set(names("exclude", o.exclude));
  if (problems.length) {
    throw new Error(
      `protectStack: ${problems.length === 1 ? problems[0] : `\n  - ${problems.join("\n  - ")}`}`,
    );
  }
  return {
    console: o.console,
    mode,
    lambda,
    fargate,
    azureFunctions: o.azureFunctions === true,
    azureProjects: { ...(o.azureProjects ?? {}) },
    exclude,
    include: o.include,
  };
}
