// protectStack for aws.ecs.TaskDefinition on FARGATE: ProtectedFargateTask's request, answer check and
// INSTALL_BUNDLE delivery, applied to the task definition's properties as the engine hands them over.
import { Checks } from "../core/check";
import type { ComputeConsole } from "../core/types";
import * as pulumi from "@pulumi/pulumi";
import { logProgress } from "../core/secrets";
import { installBundleAccess } from "../fargate/fargateInstallBundleAccess";
import {
  InstallBundleDelivery,
  ProtectedFargateTaskArgs,
} from "../fargate/protectedFargateTaskArgs";
import {
  DEFENDER_CONTAINER,
  FargateTaskError,
  parseContainerDefinitions,
} from "../fargate/taskDefinition";
import {
  checkProtectedTaskDefinition,
  serializeContainers,
  withInstallBundleEnvironment,
  withInstallBundleSecret,
} from "../fargate/taskDefinitionCheck";
import {
  buildConsoleRequest,
  DefenderOptionValues,
  SentTaskArgs,
} from "../fargate/taskDefinitionRequest";
import { StackContext } from "./context";
import { isKnown, knownString, reveal } from "./props";

export const TASK_DEFINITION = "aws:ecs/taskDefinition:TaskDefinition";

/** True when the task definition requires FARGATE (only those are protected). */
export function requiresFargate(props: Record<string, unknown>): boolean {
  const list = reveal(props.requiresCompatibilities).value;
  return Array.isArray(list) && list.includes("FARGATE");
}

/** The protected properties and options of one task definition, or undefined to leave it as it is. */
export async function protectTaskDefinition(
  ctx: StackContext,
  args: pulumi.ResourceTransformArgs,
): Promise<pulumi.ResourceTransformResult | undefined> {
  const { props, name } = args;
  const checks = new Checks("protectStack", `${TASK_DEFINITION} "${name}"`, undefined);
  const skip = (...reasons: string[]) => ctx.cannotProtect(TASK_DEFINITION, name, reasons);
  const text = reveal(props.containerDefinitions);
  if (typeof text.value !== "string") {
    return skip("its containerDefinitions must be known when the program runs.");
  }
  const doc = checks.guard(parseContainerDefinitions)(text.value);
  // Already protected, by ProtectedFargateTask (whose children are skipped anyway) or by hand.
  if (doc.containers.some((c) => c.name === DEFENDER_CONTAINER)) return undefined;
  const options: DefenderOptionValues = { ...ctx.options.fargate };
  delete (options as Record<string, unknown>).installBundleDelivery;
  const sent: SentTaskArgs = {};
  for (const key of [
    "family",
    "cpu",
    "memory",
    "networkMode",
    "requiresCompatibilities",
    "runtimePlatform",
  ] as const) {
    if (props[key] === undefined) continue;
    if (!isKnown(props[key])) return skip(`its ${key} must be known when the program runs.`);
    (sent as Record<string, unknown>)[key] = reveal(props[key]).value;
  }
  let request: Record<string, unknown>;
  try {
    request = buildConsoleRequest(doc, sent, options);
  } catch (e) {
    if (e instanceof FargateTaskError) return skip(...e.details);
    throw e;
  }
  const protection = ctx.withConsole(
    checks.guard(async (c: ComputeConsole) => {
      logProgress(
        `prisma-defender: asking the Console to protect task family ${String(request.family)}`,
      );
      const consoleAddress = await c.consoleAddress();
      const answer = await c.protectFargateTask(request, {
        ...options,
        consoleAddress,
        defenderType: "appEmbedded",
      });
      return checkProtectedTaskDefinition(answer, request, options);
    }),
  );
  const installBundle = pulumi.secret(protection.apply((p) => p.installBundle));
  const reviewed = pulumi.unsecret(protection.apply(({ installBundle: _, ...rest }) => rest));
  const delivery =
    ctx.options.fargate?.installBundleDelivery ?? InstallBundleDelivery.SecretsManager;
  // Known at deploy time; in a preview it may still be unknown (a role created in the same update), and the
  // role policy then shows as known after deploy, as it would for ProtectedFargateTask.
  const roleArn = reveal(props.executionRoleArn).value as string | undefined;
  // The same secret, role and policy ProtectedFargateTask makes, named after the task definition, under a component
  // of their own: the task's dependsOn names it, which is how the policy pack knows, in a preview where the
  // secret's ARN (and so containerDefinitions) is not known yet, that protectStack built this task definition.
  const holder =
    delivery === InstallBundleDelivery.SecretsManager
      ? new StackTaskProtection(`${name}-defender`)
      : undefined;
  const access = installBundleAccess(name, holder as pulumi.Resource, {
    delivery,
    createRole: roleArn === undefined,
    executionRoleArn: pulumi.output(roleArn) as pulumi.Output<string | undefined>,
    documentRoleArn: pulumi.output(undefined),
    installBundle,
    args: {
      containerDefinitions: text.value,
      tags: reveal(props.tags).value as Record<string, string> | undefined,
      region: knownString(props.region),
    } as ProtectedFargateTaskArgs,
    checks,
  });
  const containerDefinitions = access.secret
    ? pulumi
        .all([reviewed, access.secret.arn])
        .apply(([r, arn]) =>
          serializeContainers(
            withInstallBundleSecret(r.containers, r.installBundleContainers, arn),
          ),
        )
    : pulumi.secret(
        pulumi
          .all([reviewed, installBundle])
          .apply(([r, b]) =>
            serializeContainers(
              withInstallBundleEnvironment(r.containers, r.installBundleContainers, b),
            ),
          ),
      );
  holder?.done();
  return {
    props: {
      ...props,
      containerDefinitions: text.secret
        ? pulumi.secret(containerDefinitions)
        : containerDefinitions,
      executionRoleArn: access.executionRoleArn,
    },
    opts: {
      ...args.opts,
      dependsOn: [
        ...toArray(args.opts.dependsOn),
        ...(holder ? [holder] : []),
        ...access.dependencies,
      ],
    },
  };
}

function toArray(v: unknown): pulumi.Resource[] {
  if (v === undefined) return [];
  return (Array.isArray(v) ? v : [v]) as pulumi.Resource[];
}

/** What protectStack adds for one task definition (its INSTALL_BUNDLE secret and the role that may read it). */
class StackTaskProtection extends pulumi.ComponentResource {
  constructor(name: string) {
    super("prisma-defender:index:StackTaskProtection", name, {}, {});
  }

  done(): void {
    this.registerOutputs({});
  }
}
