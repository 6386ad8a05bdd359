// An nginx web service on ECS Fargate, protected by the Prisma Cloud Defender.
// - ProtectedFargateTask asks the Compute Console to protect the task definition at deploy time (and in preview),
//   checks that every container now starts under the Defender and that the TwistlockDefender sidecar is there, and
//   registers the result. Moving from aws.ecs.TaskDefinition is a rename: the args are the same.
// - The Defender's INSTALL_BUNDLE goes into a Secrets Manager secret; the execution role the component creates may
//   read exactly that secret, so the registered definition holds no credential and the preview shows it in full.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { ProtectedFargateTask } from "prisma-defender";

const config = new pulumi.Config();
const subnetIds = config.requireObject<string[]>("subnetIds");
const securityGroupIds = config.requireObject<string[]>("securityGroupIds");
const assignPublicIp = config.getBoolean("assignPublicIp") ?? true;

// A fixed log group name keeps containerDefinitions known at preview time, so `pulumi preview` already shows the
// protected definition (an auto-named group's name is unknown until it exists, and so would the definition be).
const logGroupName = `/ecs/${pulumi.getProject()}-${pulumi.getStack()}/web`;
const logs = new aws.cloudwatch.LogGroup("web", { name: logGroupName, retentionInDays: 14 });
const region = aws.getRegionOutput().region;

const containerDefinitions = region.apply((awsRegion) =>
  JSON.stringify([
    {
      name: "web",
      image: "public.ecr.aws/nginx/nginx:1.27",
      // The Console starts each container's entrypoint under the Defender, so it must be known: this is the image's
      // ENTRYPOINT (`docker inspect --format '{{json .Config.Entrypoint}}' nginx:1.27`). Without it, set
      // `extractEntrypoint: true` and the Console looks it up in its registry scan results.
      entryPoint: ["/docker-entrypoint.sh"],
      command: ["nginx", "-g", "daemon off;"],
      essential: true,
      portMappings: [{ containerPort: 80, protocol: "tcp" }],
      environment: [{ name: "NGINX_ENTRYPOINT_QUIET_LOGS", value: "1" }],
      logConfiguration: {
        logDriver: "awslogs",
        options: {
          "awslogs-group": logGroupName,
          "awslogs-region": awsRegion,
          "awslogs-stream-prefix": "web",
        },
      },
    },
  ]),
);

const task = new ProtectedFargateTask(
  "web",
  {
    family: `${pulumi.getProject()}-${pulumi.getStack()}-web`,
    cpu: "512",
    memory: "1024",
    runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
    containerDefinitions,
    // Keep old revisions registered on replacement: a service may still be draining tasks of the previous one.
    skipDestroy: true,
    tags: { app: "web" },
  },
  { dependsOn: [logs] },
);

const cluster = new aws.ecs.Cluster("web", {
  settings: [{ name: "containerInsights", value: "enabled" }],
});

const service = new aws.ecs.Service("web", {
  cluster: cluster.arn,
  taskDefinition: task.arn,
  desiredCount: 1,
  launchType: "FARGATE",
  networkConfiguration: { subnets: subnetIds, securityGroups: securityGroupIds, assignPublicIp },
  // A new protected revision (for example after a Console upgrade changed the Defender image) rolls out like any
  // other task definition change.
  deploymentCircuitBreaker: { enable: true, rollback: true },
});

// What a reviewer checks: the revision registered, and the Defender wiring in it.
export const taskDefinitionArn = task.arn;
export const defenderImage = task.defenderImage;
export const defenderVersion = task.defenderVersion;
export const consoleAddress = task.consoleAddress;
export const protectedContainers = task.protectedContainers;
export const wrappedEntrypoints = task.wrappedEntrypoints;
export const installBundleSecretArn = task.installBundleSecretArn;
export const executionRoleArn = task.executionRoleArn;
export const clusterName = cluster.name;
export const serviceName = service.name;
