// The AWS side of ProtectedFargateTask's INSTALL_BUNDLE: the Secrets Manager secret that holds it, and an execution
// role allowed to read exactly that secret (the given role, or one created for the task).
import { Checks } from "../core/check";
import { problem } from "../core/problems";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import {
  ECS_TASKS_ASSUME_ROLE_POLICY,
  installBundleReadPolicy,
  roleNameFromArn,
} from "./taskDefinitionIam";
import { InstallBundleDelivery, ProtectedFargateTaskArgs } from "./protectedFargateTaskArgs";

export interface InstallBundleAccessInputs {
  delivery: InstallBundleDelivery;
  /** No execution role was given (as an arg, or in a plain `containerDefinitions`). */
  createRole: boolean;
  /** The execution role ARN given (arg, else the pasted task definition's). */
  executionRoleArn: pulumi.Output<string | undefined>;
  /** The pasted task definition's execution role, to catch one that could not be seen in time. */
  documentRoleArn: pulumi.Output<string | undefined>;
  /** The INSTALL_BUNDLE value (secret). */
  installBundle: pulumi.Output<string>;
  args: ProtectedFargateTaskArgs;
  /** The component's checks: failures here are the component's error. */
  checks: Checks;
}

export interface InstallBundleAccess {
  /** The secret holding INSTALL_BUNDLE (SecretsManager delivery only). */
  secret?: aws.secretsmanager.Secret;
  /** ARN of the execution role to register (given, created, or none). */
  executionRoleArn: pulumi.Output<string | undefined>;
  /** What must exist before the task definition is registered (and so before a service starts it). */
  dependencies: pulumi.Resource[];
}

export function installBundleAccess(
  name: string,
  parent: pulumi.Resource,
  inputs: InstallBundleAccessInputs,
): InstallBundleAccess {
  const { args, checks } = inputs;
  if (inputs.delivery !== InstallBundleDelivery.SecretsManager) {
    return { executionRoleArn: inputs.executionRoleArn, dependencies: [] };
  }
  const dependencies: pulumi.Resource[] = [];
  let roleName: pulumi.Input<string>;
  let executionRoleArn = inputs.executionRoleArn;
  if (inputs.createRole) {
    const role = new aws.iam.Role(
      `${name}-execution`,
      {
        assumeRolePolicy: ECS_TASKS_ASSUME_ROLE_POLICY,
        description: `Task execution role of ProtectedFargateTask ${name}`,
        tags: args.tags,
      },
      { parent },
    );
    dependencies.push(
      new aws.iam.RolePolicyAttachment(
        `${name}-execution`,
        { role: role.name, policyArn: aws.iam.ManagedPolicy.AmazonECSTaskExecutionRolePolicy },
        { parent },
      ),
    );
    roleName = role.name;
    executionRoleArn = pulumi
      .all([role.arn, inputs.documentRoleArn])
      .apply(([arn, fromDocument]) => {
        if (fromDocument === undefined) return arn;
        throw checks.error([
          problem(
            "executionRoleArn",
            "`containerDefinitions` sets it, but it was not known when the component decided to create a role. Pass `executionRoleArn` as an arg instead.",
          ),
        ]);
      });
  } else {
    roleName = inputs.executionRoleArn.apply(checks.guard((arn) => roleNameFromArn(String(arn))));
  }
  const secret = new aws.secretsmanager.Secret(
    `${name}-install-bundle`,
    {
      description: `INSTALL_BUNDLE of the Prisma Cloud Defender sidecar of ProtectedFargateTask ${name}`,
      kmsKeyId: args.installBundleKmsKeyArn,
      tags: args.tags,
      region: args.region,
    },
    { parent },
  );
  dependencies.push(
    new aws.secretsmanager.SecretVersion(
      `${name}-install-bundle`,
      {
        secretId: secret.id,
        secretString: pulumi.secret(inputs.installBundle),
        region: args.region,
      },
      { parent },
    ),
    new aws.iam.RolePolicy(
      `${name}-install-bundle-read`,
      {
        role: roleName,
        policy: pulumi
          .all([secret.arn, args.defenderImagePullSecret, args.installBundleKmsKeyArn])
          .apply(([arn, pull, kms]) => installBundleReadPolicy(arn, pull, kms)),
      },
      { parent },
    ),
  );
  return { secret, executionRoleArn, dependencies };
}
