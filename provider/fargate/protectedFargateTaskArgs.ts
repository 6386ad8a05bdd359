// Args of ProtectedFargateTask and ProtectedCloudFormationTemplate. The task args mirror aws.ecs.TaskDefinitionArgs,
// so moving from aws.ecs.TaskDefinition is a rename; the Defender options are the endpoint's query parameters.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { problem, ProblemsError } from "../core/problems";
import { ConsoleArgs } from "../core/types";
import { FargateTaskError, documentTaskArgs, parseContainerDefinitions } from "./taskDefinition";
import {
  DEFENDER_OPTION_KEYS,
  DefenderOptionValues,
  SentTaskArgs,
  buildConsoleRequest,
  pickTaskField,
} from "./taskDefinitionRequest";
import { isPlainDeep } from "../core/plain";

/** Where the sidecar's INSTALL_BUNDLE (a credential that lets a Defender join the Console) is kept. */
export const InstallBundleDelivery = {
  /**
   * In an AWS Secrets Manager secret created by the component, read by ECS into the sidecar through `secrets`
   * (`valueFrom`). `containerDefinitions` then carries no secret and the preview shows it in full. The default.
   */
  SecretsManager: "secretsManager",
  /**
   * As a plain `INSTALL_BUNDLE` environment variable, as the Console returns it. Anyone who can describe the task
   * definition can read it; `containerDefinitions` is then a Pulumi secret and the preview cannot show it.
   */
  Environment: "environment",
} as const;
/** Where the sidecar's INSTALL_BUNDLE (a credential that lets a Defender join the Console) is kept. */
export type InstallBundleDelivery =
  (typeof InstallBundleDelivery)[keyof typeof InstallBundleDelivery];

/** The Defender options of the Console's Fargate endpoints (`POST /defenders/fargate.json` and `fargate.yaml`). */
export interface FargateDefenderArgs {
  /** How to reach the Compute Console. Fields not set here come from stack config or the environment. */
  console?: ConsoleArgs;
  /**
   * Host name the Defender connects to (one of the names in the Console's certificate, never a URL). Default: the
   * `console.consoleAddress` setting, else the Console's first certificate name, else the URL's host.
   */
  consoleAddress?: pulumi.Input<string>;
  /** Turn on the Defender's filesystem monitoring in the protected containers. Default: false. */
  filesystemMonitoring?: pulumi.Input<boolean>;
  /**
   * Let the Console find each image's entrypoint (from its registry scan results, or from the registry with
   * `registryType` and `registryCredentialId`) for containers without `entryPoint`. Default: false, and then every
   * container must have an `entryPoint`.
   */
  extractEntrypoint?: pulumi.Input<boolean>;
  /** Registry type the Console queries for entrypoints when the image was not scanned, such as `aws` (ECR). */
  registryType?: pulumi.Input<string>;
  /** ID of the credential in the Console's credentials store to query the registry with. */
  registryCredentialId?: pulumi.Input<string>;
  /**
   * Full Defender image to run as the sidecar, for a private mirror. Default: the Console's own image from Prisma's
   * registry, matching the Console's version.
   */
  defenderImage?: pulumi.Input<string>;
  /** ARN of the Secrets Manager secret holding the credentials ECS pulls `defenderImage` with. */
  defenderImagePullSecret?: pulumi.Input<string>;
  /**
   * Interpreter the app containers run the Defender's entrypoint with (the endpoint's `interpreter` parameter), such
   * as `/bin/bash`, for images whose shell is not the default. Default: the Console's choice.
   */
  interpreter?: pulumi.Input<string>;
}

export interface ProtectedFargateTaskArgs extends FargateDefenderArgs {
  /**
   * Default true. `false`: the same task definition, under the same URN, with your containers and entrypoints as
   * given, no sidecar, no INSTALL_BUNDLE secret and no Console call. (ECS registers any change to a task definition
   * as a new revision; services move to it as for any other change.)
   */
  enabled?: boolean;
  /**
   * The containers, as the JSON text `aws.ecs.TaskDefinition` takes (for example `JSON.stringify([...])`). A whole
   * task definition (`register-task-definition` input or `describe-task-definition` output) is accepted too: its
   * read-only fields are dropped and its task-level fields used where the args do not set them. Every container needs
   * an `entryPoint` unless `extractEntrypoint` is set.
   */
  containerDefinitions: pulumi.Input<string>;
  /** Task definition family. Required here or in `containerDefinitions`. */
  family?: pulumi.Input<string>;
  /** Task CPU units, such as `256`. Required for Fargate, here or in `containerDefinitions`. */
  cpu?: pulumi.Input<string>;
  /** Task memory in MiB, such as `512`. Required for Fargate, here or in `containerDefinitions`. */
  memory?: pulumi.Input<string>;
  /** Docker network mode. Default: `awsvpc`, the only mode Fargate accepts. */
  networkMode?: pulumi.Input<string>;
  /** Launch types the task must be compatible with. Default: `["FARGATE"]`; must include `FARGATE`. */
  requiresCompatibilities?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * ARN of the task execution role. Default: a role the component creates (with AmazonECSTaskExecutionRolePolicy).
   * With `installBundleDelivery` SecretsManager, the component adds an inline policy to this role allowing
   * `secretsmanager:GetSecretValue` on exactly the INSTALL_BUNDLE secret.
   */
  executionRoleArn?: pulumi.Input<string>;
  /** ARN of the IAM role the task's containers assume. */
  taskRoleArn?: pulumi.Input<string>;
  /** CPU architecture and operating system family, as for aws.ecs.TaskDefinition. */
  runtimePlatform?: pulumi.Input<aws.types.input.ecs.TaskDefinitionRuntimePlatform>;
  /** Volumes the containers may mount, as for aws.ecs.TaskDefinition. */
  volumes?: pulumi.Input<pulumi.Input<aws.types.input.ecs.TaskDefinitionVolume>[]>;
  /** Ephemeral storage of the task, as for aws.ecs.TaskDefinition. */
  ephemeralStorage?: pulumi.Input<aws.types.input.ecs.TaskDefinitionEphemeralStorage>;
  /** Placement constraints, as for aws.ecs.TaskDefinition. */
  placementConstraints?: pulumi.Input<
    pulumi.Input<aws.types.input.ecs.TaskDefinitionPlacementConstraint>[]
  >;
  /** App Mesh proxy configuration, as for aws.ecs.TaskDefinition. */
  proxyConfiguration?: pulumi.Input<aws.types.input.ecs.TaskDefinitionProxyConfiguration>;
  /** Process namespace of the containers (`host` or `task`). */
  pidMode?: pulumi.Input<string>;
  /** IPC namespace of the containers (`host`, `task` or `none`). */
  ipcMode?: pulumi.Input<string>;
  /** Accept fault injection requests from the task's containers. */
  enableFaultInjection?: pulumi.Input<boolean>;
  /** Tags of the task definition, and of the secret and role the component creates. */
  tags?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Keep old revisions registered when the task definition is replaced (services may still run them). */
  skipDestroy?: pulumi.Input<boolean>;
  /** Track the latest ACTIVE revision in AWS rather than the one in state. */
  trackLatest?: pulumi.Input<boolean>;
  /** AWS region of the task definition and the secret. Default: the provider's. */
  region?: pulumi.Input<string>;
  /** Where the sidecar's INSTALL_BUNDLE is kept. Default: SecretsManager. */
  installBundleDelivery?: InstallBundleDelivery;
  /** ARN of the KMS key that encrypts the INSTALL_BUNDLE secret. Default: the account's `aws/secretsmanager` key. */
  installBundleKmsKeyArn?: pulumi.Input<string>;
}

export function sentArgsOf(args: ProtectedFargateTaskArgs) {
  const { family, cpu, memory, networkMode, requiresCompatibilities, runtimePlatform } = args;
  return { family, cpu, memory, networkMode, requiresCompatibilities, runtimePlatform };
}

/** The Defender options, shared with ProtectedCloudFormationTemplate: the args named as the endpoint's parameters. */
export function defenderOptionsOf(args: FargateDefenderArgs): {
  [K in keyof DefenderOptionValues]: FargateDefenderArgs[K];
} {
  return Object.fromEntries(DEFENDER_OPTION_KEYS.map((k) => [k, args[k]]));
}

// Every Defender option is an arg of the same name (a missing or extra one fails to compile here).
type SameKeys<A, B> = [Exclude<keyof A, keyof B>, Exclude<keyof B, keyof A>] extends [never, never]
  ? true
  : never;
const _optionsAreArgs: SameKeys<
  DefenderOptionValues,
  Omit<FargateDefenderArgs, "console" | "enabled">
> = true;

/**
 * Checks what can be checked before any Output resolves, so that bad input fails at once with every problem named.
 * Returns the parsed `containerDefinitions` when it is a plain string.
 */
export function preflightPlainArgs(
  args: ProtectedFargateTaskArgs,
  delivery: InstallBundleDelivery,
): ReturnType<typeof parseContainerDefinitions> | undefined {
  if (!args || args.containerDefinitions === undefined || args.containerDefinitions === null) {
    throw new ProblemsError(
      problem(
        "containerDefinitions",
        "is required. Give the JSON text of the containers, as for aws.ecs.TaskDefinition.",
      ),
    );
  }
  if (!Object.values(InstallBundleDelivery).includes(delivery)) {
    throw new ProblemsError(
      problem(
        "installBundleDelivery",
        `must be "${InstallBundleDelivery.SecretsManager}" or "${InstallBundleDelivery.Environment}" (got ${JSON.stringify(delivery)}).`,
      ),
    );
  }
  if (
    args.installBundleKmsKeyArn !== undefined &&
    delivery !== InstallBundleDelivery.SecretsManager
  ) {
    throw new ProblemsError(
      problem(
        "installBundleKmsKeyArn",
        "encrypts the INSTALL_BUNDLE secret, which only exists with `installBundleDelivery` SecretsManager. Remove one of the two.",
      ),
    );
  }
  if (!isPlainDeep(args.containerDefinitions)) return undefined;
  const doc = parseContainerDefinitions(args.containerDefinitions as string);
  documentTaskArgs(doc.task);
  const sentArgs = sentArgsOf(args);
  const options = defenderOptionsOf(args);
  if (Object.values(sentArgs).every(isPlainDeep) && Object.values(options).every(isPlainDeep)) {
    buildConsoleRequest(doc, sentArgs as SentTaskArgs, options as DefenderOptionValues);
  }
  return doc;
}

/** A task-level arg that goes straight to the registered child (never to the Console). */
export type PassedField = keyof ReturnType<typeof documentTaskArgs> &
  keyof ProtectedFargateTaskArgs;

/** The value of a passed field: the arg, else the pasted task definition's (both, and different: an error). */
export function passedTaskField(
  key: PassedField,
  argValue: unknown,
  fromDocument: Record<string, unknown>,
): unknown {
  const problems: string[] = [];
  const value = pickTaskField(key, argValue, fromDocument[key], problems);
  if (problems.length) {
    throw new FargateTaskError(key, "the task definition cannot be registered", problems);
  }
  return value;
}
