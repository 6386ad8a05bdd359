// IAM documents of ProtectedFargateTask: the execution role it creates, and the one permission INSTALL_BUNDLE needs.
import { problem, ProblemsError } from "../core/problems";

/** Lets ECS tasks assume the role (the execution role ECS uses to pull images and read secrets). */
export const ECS_TASKS_ASSUME_ROLE_POLICY = JSON.stringify({
  Version: "2012-10-17",
  Statement: [
    {
      Effect: "Allow",
      Principal: { Service: "ecs-tasks.amazonaws.com" },
      Action: "sts:AssumeRole",
    },
  ],
});

/**
 * The inline policy that lets the execution role read exactly the INSTALL_BUNDLE secret (and the Defender image's
 * pull secret, when one is given as a Secrets Manager ARN), plus decrypt with a customer key when one is used.
 */
export function installBundleReadPolicy(
  secretArn: string,
  pullSecretArn: string | undefined,
  kmsKeyArn: string | undefined,
): string {
  const secrets = [secretArn];
  if (
    pullSecretArn &&
    pullSecretArn.startsWith("arn:") &&
    pullSecretArn.includes(":secretsmanager:")
  ) {
    secrets.push(pullSecretArn);
  }
  const statements: Record<string, unknown>[] = [
    {
      Effect: "Allow",
      Action: "secretsmanager:GetSecretValue",
      Resource: secrets.length === 1 ? secrets[0] : secrets,
    },
  ];
  if (kmsKeyArn) statements.push({ Effect: "Allow", Action: "kms:Decrypt", Resource: kmsKeyArn });
  return JSON.stringify({ Version: "2012-10-17", Statement: statements });
}

/** The role name in an IAM role ARN (`arn:aws:iam::123:role/path/name` → `name`), or an error naming the field. */
export function roleNameFromArn(arn: string): string {
  const m = /^arn:[a-z-]+:iam::\d{12}:role\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
  if (!m) {
    throw new ProblemsError(
      problem(
        "executionRoleArn",
        `must be an IAM role ARN such as arn:aws:iam::123456789012:role/ecsTaskExecutionRole (got "${arn}"): the component adds the permission to read the INSTALL_BUNDLE secret to that role`,
      ),
    );
  }
  return m[1];
}
