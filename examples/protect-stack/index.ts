// An existing stack that knows nothing of Prisma Cloud: plain aws.lambda.Function and aws.ecs.TaskDefinition
// resources. The one line below protects all of them as the prisma-defender components would: the Lambda functions
// in layer mode (one DefenderLayer per runtime family, shared), the Fargate task definition with the Defender
// sidecar. The function tagged `prisma-defender:protect = "false"` is left as it is.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { protectStack } from "prisma-defender";

protectStack();

// ---- Everything below is the stack as it was, unchanged. ----
const config = new pulumi.Config();
const subnetIds = config.requireObject<string[]>("subnetIds");
const securityGroupIds = config.requireObject<string[]>("securityGroupIds");

const role = new aws.iam.Role("lambda", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "lambda.amazonaws.com" }),
});
new aws.iam.RolePolicyAttachment("lambda-logs", {
  role: role.name,
  policyArn: aws.iam.ManagedPolicy.AWSLambdaBasicExecutionRole,
});

// Named functions keep their names. An auto-named function (no `name`) gets a fixed name derived from its
// resource name, because TW_POLICY is generated for the function's name before the function exists.
const orders = new aws.lambda.Function("orders", {
  name: "orders",
  runtime: "nodejs20.x",
  handler: "index.handler",
  role: role.arn,
  code: new pulumi.asset.FileArchive("./functions/orders"),
  environment: { variables: { TABLE_NAME: "orders" } },
});
const invoices = new aws.lambda.Function("invoices", {
  name: "invoices",
  runtime: "nodejs22.x",
  handler: "index.handler",
  role: role.arn,
  code: new pulumi.asset.FileArchive("./functions/invoices"),
});
const reports = new aws.lambda.Function("reports", {
  name: "reports",
  runtime: "python3.12",
  handler: "app.handler",
  role: role.arn,
  code: new pulumi.asset.FileArchive("./functions/reports"),
  timeout: 30,
});
// Opted out: the security team agreed to leave this one alone for now. `prisma-defender:protect = "false"` keeps
// protectStack away from it; `prisma-defender-exclude` records the accepted exception for the policy pack (policy/),
// which lists it in every preview instead of failing it.
const legacy = new aws.lambda.Function("legacy", {
  name: "legacy",
  runtime: "nodejs20.x",
  handler: "index.handler",
  role: role.arn,
  code: new pulumi.asset.FileArchive("./functions/legacy"),
  tags: {
    "prisma-defender:protect": "false",
    "prisma-defender-exclude": "legacy, accepted unprotected until its migration",
  },
});

const executionRole = new aws.iam.Role("web-execution", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ecs-tasks.amazonaws.com" }),
});
new aws.iam.RolePolicyAttachment("web-execution", {
  role: executionRole.name,
  policyArn: aws.iam.ManagedPolicy.AmazonECSTaskExecutionRolePolicy,
});
const task = new aws.ecs.TaskDefinition("web", {
  family: "web",
  cpu: "256",
  memory: "512",
  networkMode: "awsvpc",
  requiresCompatibilities: ["FARGATE"],
  executionRoleArn: executionRole.arn,
  containerDefinitions: JSON.stringify([
    {
      name: "web",
      image: "nginx:1.27",
      entryPoint: ["/docker-entrypoint.sh"],
      command: ["nginx", "-g", "daemon off;"],
      essential: true,
      portMappings: [{ containerPort: 80, protocol: "tcp" }],
    },
  ]),
});
const cluster = new aws.ecs.Cluster("web");
new aws.ecs.Service("web", {
  cluster: cluster.arn,
  taskDefinition: task.arn,
  desiredCount: 1,
  launchType: "FARGATE",
  networkConfiguration: {
    subnets: subnetIds,
    securityGroups: securityGroupIds,
    assignPublicIp: true,
  },
});

export const functionNames = [orders.name, invoices.name, reports.name, legacy.name];
export const taskDefinitionArn = task.arn;
