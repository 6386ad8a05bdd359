// ProtectedFargateTask: an ECS Fargate task definition protected by the Prisma Cloud Compute Console at deploy time.
// Wiring only: the transforms are in provider/fargate/taskDefinition*.ts, the HTTP in provider/core/console.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { consoleFor } from "../core/console/client";
import { logProgress } from "../core/secrets";
import { resolveConsoleSettings } from "../core/settings";
import {
  ContainerDefinition,
  documentTaskArgs,
  parseContainerDefinitions,
  PASSED_TASK_FIELDS,
} from "./taskDefinition";
import {
  checkProtectedTaskDefinition,
  serializeContainers,
  withInstallBundleEnvironment,
  withInstallBundleSecret,
} from "./taskDefinitionCheck";
import {
  DefenderOptionValues,
  SentTaskArgs,
  buildConsoleRequest,
  resolveSentFields,
} from "./taskDefinitionRequest";
import { Checks } from "../core/check";
import { protectionEnabled } from "../core/enabled";
import { isPlainDeep } from "../core/plain";
import { installBundleAccess } from "./fargateInstallBundleAccess";
import {
  InstallBundleDelivery,
  PassedField,
  ProtectedFargateTaskArgs,
  defenderOptionsOf,
  passedTaskField,
  preflightPlainArgs,
  sentArgsOf,
} from "./protectedFargateTaskArgs";

/**
 * An ECS Fargate task definition with the Prisma Cloud Defender in it. At deploy time (and in preview, once the
 * inputs are known: the call changes nothing on the Console) the Console protects `containerDefinitions`; the
 * answer is checked (every container wrapped, the TwistlockDefender sidecar present, else the deployment fails and
 * nothing is registered), normalised, and registered as an `aws.ecs.TaskDefinition`. The sidecar's INSTALL_BUNDLE
 * goes into a Secrets Manager secret the execution role may read, so the registered definition holds no secret.
 */
export class ProtectedFargateTask extends pulumi.ComponentResource {
  /** The registered, protected task definition. */
  public readonly taskDefinition: aws.ecs.TaskDefinition;
  /** ARN of the registered revision (give it to an `aws.ecs.Service`). */
  public readonly arn: pulumi.Output<string>;
  /** Family of the task definition. */
  public readonly family: pulumi.Output<string>;
  /** Revision registered. */
  public readonly revision: pulumi.Output<number>;
  /** Image of the TwistlockDefender sidecar. */
  public readonly defenderImage: pulumi.Output<string>;
  /** Defender version from the sidecar image's tag (`defender_34_04_145` is `34.04.145`); unset if the tag says none. */
  public readonly defenderVersion: pulumi.Output<string | undefined>;
  /** Host name the Defender connects to. */
  public readonly consoleAddress: pulumi.Output<string>;
  /** Names of the containers now started under the Defender, in order. */
  public readonly protectedContainers: pulumi.Output<string[]>;
  /** Each protected container's `entryPoint` as registered, the Defender's prefix first. */
  public readonly wrappedEntrypoints: pulumi.Output<Record<string, string[]>>;
  /** ARN of the Secrets Manager secret holding INSTALL_BUNDLE (unset with `installBundleDelivery` Environment). */
  public readonly installBundleSecretArn: pulumi.Output<string | undefined>;
  /** ARN of the task execution role, given or created. */
  public readonly executionRoleArn: pulumi.Output<string | undefined>;

  constructor(
    name: string,
    args: ProtectedFargateTaskArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("prisma-defender:index:ProtectedFargateTask", name, {}, opts);
    const checks = new Checks("ProtectedFargateTask", name, this);
    const guard = <A extends unknown[], R>(fn: (...a: A) => R) => checks.guard(fn);
    const delivery = args?.installBundleDelivery ?? InstallBundleDelivery.SecretsManager;
    const plainDoc = guard(() => preflightPlainArgs(args, delivery))();
    const enabled = protectionEnabled(args?.enabled, checks);
    // Off: no Console, so no Console settings needed either.
    const settings = enabled
      ? resolveConsoleSettings(args.console, name, checks)
      : pulumi.output(undefined as never);

    const doc = pulumi
      .output(args.containerDefinitions)
      .apply(guard((text: string) => parseContainerDefinitions(text)));
    const sent = pulumi
      .all([doc, pulumi.output(sentArgsOf(args))])
      .apply(guard(([d, a]) => resolveSentFields(d, a as SentTaskArgs)));
    // The task-level fields: those sent to the Console as resolved from the args or the pasted definition, the
    // passed ones likewise (both given: they must agree), the rest of the args as given.
    const passed = doc.apply(guard((d) => documentTaskArgs(d.task)));
    // A plain arg (usually none at all) is read as it is: joining it with `pulumi.all` would cost an Output of its
    // own per field and task, for a value known now.
    const field = (key: PassedField) => {
      const given = args[key] as pulumi.Input<unknown>;
      return isPlainDeep(given)
        ? passed.apply(guard((p) => passedTaskField(key, given, p) as any))
        : pulumi.all([given, passed]).apply(guard(([a, p]) => passedTaskField(key, a, p) as any));
    };
    const taskArgs = (
      containerDefinitions: pulumi.Input<string>,
      executionRoleArn: pulumi.Input<string | undefined>,
    ): aws.ecs.TaskDefinitionArgs => ({
      family: sent.apply((s) => s.family as string),
      cpu: sent.apply((s) => s.cpu),
      memory: sent.apply((s) => s.memory),
      networkMode: sent.apply((s) => s.networkMode),
      requiresCompatibilities: sent.apply((s) => s.requiresCompatibilities),
      runtimePlatform: sent.apply((s) => s.runtimePlatform),
      containerDefinitions,
      executionRoleArn,
      ...Object.fromEntries(
        PASSED_TASK_FIELDS.filter((k) => k !== "executionRoleArn").map((k) => [k, field(k)]),
      ),
      skipDestroy: args.skipDestroy,
      trackLatest: args.trackLatest,
      region: args.region,
    });
    if (!enabled) {
      // The same task definition child, unprotected: the user's containers as given (normalised as when
      // protected), the task-level fields resolved the same way, no sidecar, no secret, no Console call.
      this.taskDefinition = new aws.ecs.TaskDefinition(
        name,
        taskArgs(
          pulumi
            .all([doc, args.containerDefinitions])
            .apply(([d]) => serializeContainers(d.containers)),
          field("executionRoleArn"),
        ),
        { parent: this },
      );
      const none = <T>() => pulumi.output(undefined) as unknown as pulumi.Output<T>;
      this.arn = this.taskDefinition.arn;
      this.family = this.taskDefinition.family;
      this.revision = this.taskDefinition.revision;
      this.defenderImage = none<string>();
      this.defenderVersion = none<string | undefined>();
      this.consoleAddress = none<string>();
      this.protectedContainers = pulumi.output([]);
      this.wrappedEntrypoints = pulumi.output<Record<string, string[]>>({});
      this.installBundleSecretArn = none<string | undefined>();
      this.executionRoleArn = this.taskDefinition.executionRoleArn;
      this.registerOutputs({
        taskDefinition: this.taskDefinition,
        arn: this.arn,
        family: this.family,
        revision: this.revision,
        protectedContainers: this.protectedContainers,
        wrappedEntrypoints: this.wrappedEntrypoints,
        executionRoleArn: this.executionRoleArn,
      });
      return;
    }
    const protection = pulumi
      .all([settings, doc, sent, pulumi.output(defenderOptionsOf(args))])
      .apply(
        guard(async ([s, d, a, o]) => {
          const options = o as DefenderOptionValues;
          const request = buildConsoleRequest(d, a, options);
          const compute = consoleFor(s);
          logProgress(`prisma-defender: asking the Console to protect task family ${a.family}`);
          const consoleAddress = options.consoleAddress ?? (await compute.consoleAddress());
          const answer = await compute.protectFargateTask(request, {
            ...options,
            consoleAddress,
            defenderType: "appEmbedded",
          });
          return {
            ...checkProtectedTaskDefinition(answer, request, options),
            consoleAddress,
          };
        }),
      );
    const installBundle = pulumi.secret(protection.apply((p) => p.installBundle));
    // Everything but INSTALL_BUNDLE is reviewable: it is secret only because the Console settings are. It stays
    // secret if the user's containerDefinitions was.
    const reviewed = pulumi
      .all([
        pulumi.unsecret(protection.apply(({ installBundle: _, ...rest }) => rest)),
        args.containerDefinitions,
      ])
      .apply(([r]) => r);

    const access = installBundleAccess(name, this, {
      delivery,
      createRole: !args.executionRoleArn && !plainDoc?.task.executionRoleArn,
      executionRoleArn: field("executionRoleArn"),
      documentRoleArn: passed.apply((p) => p.executionRoleArn as string | undefined),
      installBundle,
      args,
      checks,
    });
    const { secret, executionRoleArn, dependencies } = access;
    const containers = (list: ContainerDefinition[]) => serializeContainers(list);
    const containerDefinitions = secret
      ? pulumi
          .all([reviewed, secret.arn])
          .apply(([r, arn]) =>
            containers(withInstallBundleSecret(r.containers, r.installBundleContainers, arn)),
          )
      : pulumi.secret(
          pulumi
            .all([reviewed, installBundle])
            .apply(([r, b]) =>
              containers(withInstallBundleEnvironment(r.containers, r.installBundleContainers, b)),
            ),
        );

    this.taskDefinition = new aws.ecs.TaskDefinition(
      name,
      taskArgs(containerDefinitions, executionRoleArn),
      { parent: this, dependsOn: dependencies },
    );
    this.arn = this.taskDefinition.arn;
    this.family = this.taskDefinition.family;
    this.revision = this.taskDefinition.revision;
    this.defenderImage = reviewed.apply((r) => r.defenderImage);
    this.defenderVersion = reviewed.apply((r) => r.defenderVersion);
    this.consoleAddress = reviewed.apply((r) => r.consoleAddress);
    this.protectedContainers = reviewed.apply((r) => r.protectedContainers);
    this.wrappedEntrypoints = reviewed.apply((r) => r.wrappedEntrypoints);
    this.installBundleSecretArn = secret ? secret.arn : pulumi.output(undefined);
    this.executionRoleArn = executionRoleArn;
    this.registerOutputs({
      taskDefinition: this.taskDefinition,
      arn: this.arn,
      family: this.family,
      revision: this.revision,
      defenderImage: this.defenderImage,
      defenderVersion: this.defenderVersion,
      consoleAddress: this.consoleAddress,
      protectedContainers: this.protectedContainers,
      wrappedEntrypoints: this.wrappedEntrypoints,
      installBundleSecretArn: this.installBundleSecretArn,
      executionRoleArn: this.executionRoleArn,
    });
  }
}
