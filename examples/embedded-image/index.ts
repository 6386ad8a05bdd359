// A container image rebuilt with the Prisma Cloud App-Embedded Defender, pushed to Amazon ECR and run as an ECS
// Fargate task. The Defender's INSTALL_BUNDLE credential stays out of the image (installBundlePlacement defaults
// to injectAtRuntime): it goes to AWS Secrets Manager, and ECS sets it in the container when the task starts.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { EmbeddedDefenderImage } from "prisma-defender";

const config = new pulumi.Config();
const appId = config.get("appId") ?? "orders-api";

const repository = new aws.ecr.Repository("orders-api", {
  imageScanningConfiguration: { scanOnPush: true },
  imageTagMutability: "MUTABLE",
  forceDelete: true,
});
const auth = aws.ecr.getAuthorizationTokenOutput({ registryId: repository.registryId });

// Builds app/ with the Defender added, from a private staging copy (app/ itself is never written to), and pushes it.
const image = new EmbeddedDefenderImage("orders-api", {
  context: "app",
  imageName: pulumi.interpolate`${repository.repositoryUrl}:${config.get("imageTag") ?? "v1"}`,
  registry: {
    server: repository.repositoryUrl,
    username: auth.userName,
    password: auth.password,
  },
  appId,
});

// The credential, for ECS to inject: the task definition only names the secret.
const installBundle = new aws.secretsmanager.Secret("orders-api-defender-install-bundle", {
  description: `Prisma Cloud App-Embedded Defender INSTALL_BUNDLE for ${appId}`,
  recoveryWindowInDays: 0,
});
new aws.secretsmanager.SecretVersion("orders-api-defender-install-bundle", {
  secretId: installBundle.id,
  // Secret already; the Defender cannot connect to the Console without it.
  secretString: image.installBundle.apply((bundle) => bundle ?? ""),
});

const executionRole = new aws.iam.Role("orders-api-execution", {
  assumeRolePolicy: aws.iam.assumeRolePolicyForPrincipal({ Service: "ecs-tasks.amazonaws.com" }),
});
new aws.iam.RolePolicyAttachment("orders-api-execution", {
  role: executionRole.name,
  policyArn: aws.iam.ManagedPolicy.AmazonECSTaskExecutionRolePolicy,
});
new aws.iam.RolePolicy("orders-api-read-install-bundle", {
  role: executionRole.name,
  policy: pulumi.jsonStringify({
    Version: "2012-10-17",
    Statement: [
      { Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: installBundle.arn },
    ],
  }),
});

const logs = new aws.cloudwatch.LogGroup("orders-api", { retentionInDays: 30 });
const region = aws.getRegionOutput();

const taskDefinition = new aws.ecs.TaskDefinition("orders-api", {
  family: "orders-api",
  requiresCompatibilities: ["FARGATE"],
  networkMode: "awsvpc",
  cpu: "256",
  memory: "512",
  executionRoleArn: executionRole.arn,
  // The Defender binary the Console provides decides the architecture (image.platform, linux/amd64 today).
  runtimePlatform: {
    operatingSystemFamily: "LINUX",
    cpuArchitecture: image.platform.apply((p) => (p === "linux/arm64" ? "ARM64" : "X86_64")),
  },
  containerDefinitions: pulumi.jsonStringify([
    {
      name: "orders-api",
      // By digest: a rebuilt image changes the task definition, so the service rolls out.
      image: image.repoDigest,
      essential: true,
      portMappings: [{ containerPort: 8080, protocol: "tcp" }],
      // The image's ENTRYPOINT already runs the Defender first; nothing to override here.
      secrets: [{ name: "INSTALL_BUNDLE", valueFrom: installBundle.arn }],
      // The App-Embedded Defender needs ptrace to watch the process it starts.
      linuxParameters: { capabilities: { add: ["SYS_PTRACE"] } },
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": logs.name,
          "awslogs-region": region.name,
          "awslogs-stream-prefix": "orders-api",
        },
      },
    },
  ]),
});

const cluster = new aws.ecs.Cluster("orders-api");
const subnetIds = config.getObject<string[]>("subnetIds");
const service = subnetIds
  ? new aws.ecs.Service("orders-api", {
      cluster: cluster.arn,
      taskDefinition: taskDefinition.arn,
      desiredCount: 1,
      launchType: "FARGATE",
      networkConfiguration: {
        subnets: subnetIds,
        securityGroups: config.getObject<string[]>("securityGroupIds") ?? [],
        assignPublicIp: false,
      },
    })
  : undefined;

export const imageRef = image.repoDigest;
export const wrappedEntrypoint = image.wrappedEntrypoint;
export const defenderVersion = image.defenderVersion;
export const defenderEnvironment = image.defenderEnvironment;
export const taskDefinitionArn = taskDefinition.arn;
export const serviceName = service?.name;
export const runTask = pulumi.interpolate`aws ecs run-task --cluster ${cluster.arn} --launch-type FARGATE --task-definition ${taskDefinition.family} --network-configuration 'awsvpcConfiguration={subnets=[<subnet>],securityGroups=[<sg>]}'`;
