// The test programs of the reliability suites: one small, valid use of each component, built against the
// Console the caller names. Each knows the Console endpoints it calls (checked against a clean run) and returns
// an Output that depends on its workload child, so awaiting it waits for the registration or its failure.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import { DefenderLayer } from "../../provider/lambda/defenderLayer";
import {
  EmbeddedDefenderImage,
  EmbedMode,
  InstallBundlePlacement,
} from "../../provider/image/embeddedDefenderImage";
import { ProtectedAzureFunction } from "../../provider/azure/protectedAzureFunction";
import {
  CloudFormationTemplateFormat,
  ProtectedCloudFormationTemplate,
} from "../../provider/fargate/protectedCloudFormationTemplate";
import { ProtectedFargateTask } from "../../provider/fargate/protectedFargateTask";
import { InstallBundleDelivery } from "../../provider/fargate/protectedFargateTaskArgs";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import type { ConsoleArgs } from "../../provider/core/types";
import type { SimulatorEndpoint } from "../../provider/simulator/types";

export interface Program {
  /** Component and variant, such as `ProtectedLambda (layer)`. */
  name: string;
  /** Every Console endpoint a clean run calls, in no particular order. */
  endpoints: SimulatorEndpoint[];
  /** Build the component; `settled` settles once the workload is registered or has failed. */
  build(console: ConsoleArgs, id: string): Built;
}

export interface Built {
  component: pulumi.ComponentResource;
  settled: pulumi.Output<unknown>;
}

const ROLE = "arn:aws:iam::123456789012:role/lambda";
const SESSION: SimulatorEndpoint[] = ["authenticate", "version", "settings/certs"];

let scratch: string | undefined;
/** A directory for this test file's code and build contexts (removed by `removeScratch`). */
export function scratchDir(): string {
  scratch ??= fs.mkdtempSync(path.join(os.tmpdir(), "pd-reliability-"));
  return scratch;
}
export function removeScratch(): void {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = undefined;
}

function codeDir(): string {
  const dir = path.join(scratchDir(), "lambda-code");
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(
      path.join(dir, "index.js"),
      "exports.handler = async () => ({ statusCode: 200 });\n",
    );
  }
  return dir;
}

function imageContext(): string {
  const dir = path.join(scratchDir(), "image-context");
  if (!fs.existsSync(dir)) {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "run.sh"), "#!/bin/sh\necho hello\n", { mode: 0o755 });
    fs.writeFileSync(
      path.join(dir, "Dockerfile"),
      'FROM busybox:1.36\nCOPY run.sh /app/run.sh\nENTRYPOINT ["/app/run.sh"]\nCMD ["--port", "8080"]\n',
    );
  }
  return dir;
}

export const CONTAINERS = JSON.stringify([
  {
    name: "web",
    image: "nginx:1.27",
    essential: true,
    entryPoint: ["/docker-entrypoint.sh"],
    command: ["nginx", "-g", "daemon off;"],
    portMappings: [{ containerPort: 80 }],
  },
]);

/** A CloudFormation template with one Fargate task definition, as its users write it. */
export const TEMPLATE = {
  AWSTemplateFormatVersion: "2010-09-09",
  Resources: {
    WebTask: {
      Type: "AWS::ECS::TaskDefinition",
      Properties: {
        Family: "web",
        Cpu: "256",
        Memory: "512",
        NetworkMode: "awsvpc",
        RequiresCompatibilities: ["FARGATE"],
        ContainerDefinitions: [
          {
            Name: "web",
            Image: "nginx:1.27",
            Essential: true,
            EntryPoint: ["/docker-entrypoint.sh"],
            Command: ["nginx", "-g", "daemon off;"],
          },
        ],
      },
    },
  },
};

function cloudFormation(format: CloudFormationTemplateFormat): Program {
  return {
    name: `ProtectedCloudFormationTemplate (${format})`,
    endpoints: [
      ...SESSION,
      format === CloudFormationTemplateFormat.Json
        ? "defenders/fargate.json"
        : "defenders/fargate.yaml",
    ],
    build(console, id) {
      const template = new ProtectedCloudFormationTemplate(`cfn-${id}`, {
        console,
        format,
        template:
          format === CloudFormationTemplateFormat.Json
            ? JSON.stringify(TEMPLATE, null, 2)
            : YAML.stringify(TEMPLATE),
      });
      // The workload: the stack a user deploys the protected template as.
      const stack = new aws.cloudformation.Stack(`cfn-stack-${id}`, {
        templateBody: template.template,
      });
      return { component: template, settled: stack.id };
    },
  };
}

export const PROGRAMS: Program[] = [
  {
    name: "DefenderLayer",
    endpoints: ["authenticate", "version", "images/twistlock_defender_layer.zip"],
    build(console, id) {
      const layer = new DefenderLayer(`layer-${id}`, { console, runtime: "nodejs" });
      return { component: layer, settled: layer.arn };
    },
  },
  {
    name: "ProtectedLambda (layer)",
    endpoints: [
      ...SESSION,
      "images/twistlock_defender_layer.zip",
      "policies/runtime/serverless/encode",
    ],
    build(console, id) {
      const fn = new ProtectedLambda(`fn-${id}`, {
        console,
        runtime: "nodejs20.x",
        handler: "index.handler",
        role: ROLE,
        region: "us-east-1",
        code: new pulumi.asset.FileArchive(codeDir()),
      });
      return { component: fn, settled: pulumi.all([fn.arn, fn.function.environment]) };
    },
  },
  {
    name: "ProtectedLambda (embedded)",
    endpoints: [...SESSION, "defenders/serverless/bundle", "policies/runtime/serverless/encode"],
    build(console, id) {
      const fn = new ProtectedLambda(`fn-${id}`, {
        console,
        mode: "embedded",
        runtime: "nodejs20.x",
        handler: "index.handler",
        role: ROLE,
        region: "us-east-1",
        code: new pulumi.asset.FileArchive(codeDir()),
      });
      return { component: fn, settled: pulumi.all([fn.arn, fn.function.environment]) };
    },
  },
  {
    name: "ProtectedFargateTask",
    endpoints: [...SESSION, "defenders/fargate.json"],
    build(console, id) {
      const task = new ProtectedFargateTask(`task-${id}`, {
        console,
        family: `web-${id}`,
        cpu: "256",
        memory: "512",
        containerDefinitions: CONTAINERS,
      });
      return { component: task, settled: task.arn };
    },
  },
  {
    name: "ProtectedAzureFunction",
    endpoints: [...SESSION, "policies/runtime/serverless/encode"],
    build(console, id) {
      const app = new ProtectedAzureFunction(`app-${id}`, {
        console,
        resourceGroupName: "rg-orders",
        location: "westeurope",
        serverFarmId:
          "/subscriptions/0000/resourceGroups/rg-orders/providers/Microsoft.Web/serverfarms/plan",
        storageConnectionString:
          "DefaultEndpointsProtocol=https;AccountName=ordersstore;AccountKey=c3RvcmFnZS1rZXk=",
      });
      return { component: app, settled: pulumi.all([app.defaultHostName, app.app.siteConfig]) };
    },
  },
  {
    name: "EmbeddedDefenderImage (Console)",
    // The Console's Dockerfile carries INSTALL_BUNDLE: no install-bundle request.
    endpoints: [...SESSION, "defenders/app-embedded"],
    build(console, id) {
      const image = new EmbeddedDefenderImage(`img-${id}`, {
        console,
        mode: EmbedMode.Console,
        context: imageContext(),
        imageName: `registry.example.com/app-${id}:1.0`,
        skipPush: true,
      });
      return { component: image, settled: image.repoDigest };
    },
  },
  {
    name: "EmbeddedDefenderImage (Tarball)",
    endpoints: [
      ...SESSION,
      "images/twistlock_defender_app_embedded.tar.gz",
      "defenders/install-bundle",
    ],
    build(console, id) {
      const image = new EmbeddedDefenderImage(`img-${id}`, {
        console,
        mode: EmbedMode.Tarball,
        context: imageContext(),
        imageName: `registry.example.com/app-${id}:1.0`,
        skipPush: true,
      });
      return { component: image, settled: image.repoDigest };
    },
  },
  cloudFormation(CloudFormationTemplateFormat.Json),
  cloudFormation(CloudFormationTemplateFormat.Yaml),
];

export function program(name: string): Program {
  const found = PROGRAMS.find((p) => p.name === name);
  if (!found) throw new Error(`no program ${name}`);
  return found;
}

/** Variants that put credentials in other places: the secret scan and the determinism check run them too. */
export const VARIANTS: Program[] = [
  {
    name: "ProtectedFargateTask (INSTALL_BUNDLE in the environment)",
    endpoints: [...SESSION, "defenders/fargate.json"],
    build(console, id) {
      const task = new ProtectedFargateTask(`task-env-${id}`, {
        console,
        family: `web-env-${id}`,
        cpu: "256",
        memory: "512",
        containerDefinitions: CONTAINERS,
        installBundleDelivery: InstallBundleDelivery.Environment,
      });
      return { component: task, settled: task.arn };
    },
  },
  ...[EmbedMode.Console, EmbedMode.Tarball].map((mode): Program => ({
    name: `EmbeddedDefenderImage (${mode}, INSTALL_BUNDLE baked in)`,
    endpoints: [],
    build(console, id) {
      const image = new EmbeddedDefenderImage(`img-baked-${id}`, {
        console,
        mode,
        context: imageContext(),
        imageName: `registry.example.com/baked-${id}:1.0`,
        skipPush: true,
        installBundlePlacement: InstallBundlePlacement.BakedIntoImage,
      });
      return { component: image, settled: image.repoDigest };
    },
  })),
];
