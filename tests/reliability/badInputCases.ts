// The bad-input table: invalid component args and Console settings, each with the field its error must name and
// the fix it must state. Built on valid base args per component, so each case changes one thing.
import * as pulumi from "@pulumi/pulumi";
import { DefenderLayer } from "../../provider/lambda/defenderLayer";
import { EmbeddedDefenderImage, EmbedMode } from "../../provider/image/embeddedDefenderImage";
import { ProtectedAzureFunction } from "../../provider/azure/protectedAzureFunction";
import { ProtectedFargateTask } from "../../provider/fargate/protectedFargateTask";
import { ProtectedLambda } from "../../provider/lambda/protectedLambda";
import type { ConsoleArgs } from "../../provider/core/types";
import { ProtectedCloudFormationTemplate } from "../../provider/fargate/protectedCloudFormationTemplate";
import { CONTAINERS, TEMPLATE } from "./programs";

export type Component =
  | "ProtectedCloudFormationTemplate"
  | "DefenderLayer"
  | "ProtectedLambda"
  | "ProtectedFargateTask"
  | "ProtectedAzureFunction"
  | "EmbeddedDefenderImage";

export interface BadInput {
  component: Component;
  /** What is wrong, in words. */
  what: string;
  /** Args merged over the component's valid base args (`console` merged over the valid Console settings). */
  args?: Record<string, unknown>;
  console?: Partial<Record<keyof ConsoleArgs, unknown>>;
  /** Environment variables set for the case (the Console settings' last source). */
  env?: Record<string, string>;
  /** The field the message must name. */
  field: string;
  /** The fix the message must state. */
  fix: RegExp;
}

export interface Dirs {
  code: string;
  context: string;
}

export function build(
  component: Component,
  name: string,
  args: Record<string, any>,
  dirs: Dirs,
): pulumi.Output<unknown> {
  switch (component) {
    case "DefenderLayer": {
      const layer = new DefenderLayer(name, { runtime: "nodejs", ...args } as any);
      return layer.arn;
    }
    case "ProtectedLambda": {
      const fn = new ProtectedLambda(name, {
        runtime: "nodejs20.x",
        handler: "index.handler",
        role: "arn:aws:iam::123456789012:role/lambda",
        region: "us-east-1",
        code: new pulumi.asset.FileArchive(dirs.code),
        ...args,
      } as any);
      return fn.arn;
    }
    case "ProtectedFargateTask": {
      const task = new ProtectedFargateTask(name, {
        family: "web",
        cpu: "256",
        memory: "512",
        containerDefinitions: CONTAINERS,
        ...args,
      } as any);
      return task.arn;
    }
    case "ProtectedAzureFunction": {
      const app = new ProtectedAzureFunction(name, {
        resourceGroupName: "rg-orders",
        location: "westeurope",
        serverFarmId:
          "/subscriptions/0000/resourceGroups/rg-orders/providers/Microsoft.Web/serverfarms/plan",
        storageConnectionString:
          "DefaultEndpointsProtocol=https;AccountName=ordersstore;AccountKey=c3RvcmFnZS1rZXk=",
        ...args,
      } as any);
      return app.defaultHostName;
    }
    case "ProtectedCloudFormationTemplate": {
      const cfn = new ProtectedCloudFormationTemplate(name, {
        template: JSON.stringify(TEMPLATE),
        ...args,
      } as any);
      return cfn.template;
    }
    case "EmbeddedDefenderImage": {
      const image = new EmbeddedDefenderImage(name, {
        context: dirs.context,
        imageName: "registry.example.com/app:1.0",
        skipPush: true,
        ...args,
      } as any);
      return image.repoDigest;
    }
  }
}

/** TEMPLATE with its one container changed. */
function withContainer(change: Record<string, unknown>) {
  const t = JSON.parse(JSON.stringify(TEMPLATE));
  const c = t.Resources.WebTask.Properties.ContainerDefinitions[0];
  for (const [k, v] of Object.entries(change)) {
    if (v === undefined) delete c[k];
    else c[k] = v;
  }
  return t;
}

const container = (extra: Record<string, unknown>) =>
  JSON.stringify([
    {
      name: "web",
      image: "nginx:1.27",
      essential: true,
      entryPoint: ["/docker-entrypoint.sh"],
      ...extra,
    },
  ]);

export const BAD_INPUTS: BadInput[] = [
  // Console settings (through the component that needs the fewest other args).
  {
    component: "DefenderLayer",
    what: "no Console URL anywhere",
    console: { url: undefined },
    field: "url",
    fix: /PRISMACLOUDCOMPUTE_CONSOLE_URL|consoleUrl/,
  },
  {
    component: "DefenderLayer",
    what: "URL without a scheme",
    console: { url: "console.example.com:8083" },
    field: "url",
    fix: /https:\/\//,
  },
  {
    component: "DefenderLayer",
    what: "URL with an ftp scheme",
    console: { url: "ftp://console.example.com" },
    field: "url",
    fix: /https:\/\//,
  },
  {
    component: "DefenderLayer",
    what: "URL with credentials in it",
    console: { url: "https://admin:pw@console.example.com:8083" },
    field: "url",
    fix: /username\/password or token/,
  },
  {
    component: "DefenderLayer",
    what: "URL with a query string",
    console: { url: "https://console.example.com:8083/?project=Central" },
    field: "url",
    fix: /project/,
  },
  {
    component: "DefenderLayer",
    what: "no credentials",
    console: { username: undefined, password: undefined },
    field: "password",
    fix: /token|PRISMACLOUDCOMPUTE_PASSWORD/,
  },
  {
    component: "DefenderLayer",
    what: "username without password",
    console: { password: undefined },
    field: "password",
    fix: /PRISMACLOUDCOMPUTE_PASSWORD|prisma-defender:password/,
  },
  {
    component: "DefenderLayer",
    what: "password without username",
    console: { username: undefined },
    field: "username",
    fix: /PRISMACLOUDCOMPUTE_USERNAME|prisma-defender:username/,
  },
  {
    component: "DefenderLayer",
    what: "API version with a v",
    console: { apiVersion: "v34.04" },
    field: "apiVersion",
    fix: /34\.04/,
  },
  {
    component: "DefenderLayer",
    what: "API version with a patch number",
    console: { apiVersion: "34.04.145" },
    field: "apiVersion",
    fix: /34\.04/,
  },
  {
    component: "DefenderLayer",
    what: "Console address given as a URL",
    console: { consoleAddress: "https://console.example.com:8083" },
    field: "consoleAddress",
    fix: /use "console\.example\.com"/,
  },
  {
    component: "DefenderLayer",
    what: "Console address with a port",
    console: { consoleAddress: "console.example.com:8084" },
    field: "consoleAddress",
    fix: /port is not part of it/,
  },
  {
    component: "DefenderLayer",
    what: "CA certificate that is not PEM",
    console: { caCertificate: "not a certificate" },
    field: "caCertificate",
    fix: /PEM/,
  },
  {
    component: "DefenderLayer",
    what: "CA certificate PEM block with garbage",
    console: { caCertificate: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" },
    field: "caCertificate",
    fix: /X\.509|PEM/,
  },
  {
    component: "DefenderLayer",
    what: "request timeout of zero",
    console: { requestTimeoutSeconds: 0 },
    field: "requestTimeoutSeconds",
    fix: /greater than 0/,
  },
  {
    component: "DefenderLayer",
    what: "negative request timeout",
    console: { requestTimeoutSeconds: -5 },
    field: "requestTimeoutSeconds",
    fix: /greater than 0/,
  },
  {
    component: "DefenderLayer",
    what: "insecure flag not a boolean (environment)",
    env: { PRISMACLOUDCOMPUTE_INSECURE: "maybe" },
    field: "PRISMACLOUDCOMPUTE_INSECURE",
    fix: /true or false/,
  },
  {
    component: "DefenderLayer",
    what: "request timeout not a number (environment)",
    console: { requestTimeoutSeconds: undefined },
    env: { PRISMACLOUDCOMPUTE_REQUEST_TIMEOUT: "soon" },
    field: "PRISMACLOUDCOMPUTE_REQUEST_TIMEOUT",
    fix: /number of seconds/,
  },
  // DefenderLayer
  {
    component: "DefenderLayer",
    what: "runtime family Go",
    args: { runtime: "go" },
    field: "runtime",
    fix: /nodejs|python|ruby/,
  },
  {
    component: "DefenderLayer",
    what: "Java layer (no documented handler)",
    args: { runtime: "java" },
    field: "runtime",
    fix: /embedded|nodejs|python|ruby/,
  },
  {
    component: "DefenderLayer",
    what: "unknown Node.js module type",
    args: { nodeJSModuleType: "esm" },
    field: "nodeJSModuleType",
    fix: /commonjs, ecmascript/,
  },
  {
    component: "DefenderLayer",
    what: "module type on a Python layer",
    args: { runtime: "python", nodeJSModuleType: "commonjs" },
    field: "nodeJSModuleType",
    fix: /remove it/,
  },
  {
    component: "DefenderLayer",
    what: "arm64 layer",
    args: { compatibleArchitectures: ["arm64"] },
    field: "compatibleArchitectures",
    fix: /x86_64/,
  },
  // ProtectedLambda
  {
    component: "ProtectedLambda",
    what: "Go runtime",
    args: { runtime: "go1.x" },
    field: "runtime",
    fix: /Node\.js, Python, Ruby, Java and \.NET|nodejs/i,
  },
  {
    component: "ProtectedLambda",
    what: "OS-only runtime",
    args: { runtime: "provided.al2023" },
    field: "runtime",
    fix: /Node\.js, Python, Ruby, Java and \.NET|nodejs/i,
  },
  {
    component: "ProtectedLambda",
    what: "handler without a function name",
    args: { handler: "index" },
    field: "handler",
    fix: /index\.handler|for example|such as/,
  },
  {
    component: "ProtectedLambda",
    what: "arm64 function",
    args: { architectures: ["arm64"] },
    field: "architectures",
    fix: /x86_64/,
  },
  {
    component: "ProtectedLambda",
    what: "both a layer and a layer ARN",
    args: {
      defenderLayerArn: "arn:aws:lambda:us-east-1:123456789012:layer:tw:1",
      defenderLayer: {},
    },
    field: "defenderLayerArn",
    fix: /only one of `defenderLayer` or `defenderLayerArn`.*Remove one/,
  },
  {
    component: "ProtectedLambda",
    what: "layer mode for Java",
    args: { runtime: "java21", handler: "example.Handler::handleRequest" },
    field: "runtime",
    fix: /embedded/,
  },
  {
    component: "ProtectedLambda",
    what: "TW_POLICY set by the user",
    args: { environment: { variables: { TW_POLICY: "mine" } } },
    field: "TW_POLICY",
    fix: /remove|component sets/i,
  },
  {
    component: "ProtectedLambda",
    what: "ORIGINAL_HANDLER set by the user",
    args: { environment: { variables: { ORIGINAL_HANDLER: "index.handler" } } },
    field: "ORIGINAL_HANDLER",
    fix: /remove|component sets/i,
  },
  {
    component: "ProtectedLambda",
    what: "function name with spaces",
    args: { name: "my function" },
    field: "name",
    fix: /letters|digits/,
  },
  {
    component: "ProtectedLambda",
    what: "five layers of the user's own (six with the Defender's)",
    args: {
      layers: ["a", "b", "c", "d", "e"].map(
        (l) => `arn:aws:lambda:us-east-1:123456789012:layer:${l}:1`,
      ),
    },
    field: "layers",
    fix: /5|five/,
  },
  {
    component: "ProtectedLambda",
    what: "unknown protection mode",
    args: { mode: "sidecar" },
    field: "mode",
    fix: /layer|embedded/,
  },
  // ProtectedFargateTask
  {
    component: "ProtectedFargateTask",
    what: "container definitions that are not JSON",
    args: { containerDefinitions: "{not json" },
    field: "containerDefinitions",
    fix: /JSON/,
  },
  {
    component: "ProtectedFargateTask",
    what: "no containers",
    args: { containerDefinitions: "[]" },
    field: "containerDefinitions",
    fix: /at least one|container/,
  },
  {
    component: "ProtectedFargateTask",
    what: "a container without an image",
    args: { containerDefinitions: JSON.stringify([{ name: "web", entryPoint: ["/x"] }]) },
    field: "image",
    fix: /image/,
  },
  {
    component: "ProtectedFargateTask",
    what: "already protected (TwistlockDefender present)",
    args: {
      containerDefinitions: JSON.stringify([
        ...JSON.parse(container({})),
        { name: "TwistlockDefender", image: "registry/defender:1" },
      ]),
    },
    field: "TwistlockDefender",
    fix: /remove|already/i,
  },
  {
    component: "ProtectedFargateTask",
    what: "unknown INSTALL_BUNDLE delivery",
    args: { installBundleDelivery: "vault" },
    field: "installBundleDelivery",
    fix: /secretsManager|environment/,
  },
  {
    component: "ProtectedFargateTask",
    what: "KMS key without Secrets Manager delivery",
    args: {
      installBundleDelivery: "environment",
      installBundleKmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/1",
    },
    field: "installBundleKmsKeyArn",
    fix: /Remove one of the two/,
  },
  {
    component: "ProtectedFargateTask",
    what: "Console address given as a URL",
    args: { consoleAddress: "https://console.example.com" },
    field: "consoleAddress",
    fix: /console\.example\.com|host name/,
  },
  {
    component: "ProtectedFargateTask",
    what: "bridge networking (Fargate needs awsvpc)",
    args: { networkMode: "bridge" },
    field: "networkMode",
    fix: /awsvpc/,
  },
  {
    component: "ProtectedFargateTask",
    what: "EC2 only",
    args: { requiresCompatibilities: ["EC2"] },
    field: "requiresCompatibilities",
    fix: /FARGATE/,
  },
  // ProtectedCloudFormationTemplate
  {
    component: "ProtectedCloudFormationTemplate",
    what: "template that is neither JSON nor YAML",
    args: { template: "{ Resources: [" },
    field: "template",
    fix: /JSON|YAML/,
  },
  {
    component: "ProtectedCloudFormationTemplate",
    what: "template without a task definition",
    args: { template: JSON.stringify({ Resources: { Bucket: { Type: "AWS::S3::Bucket" } } }) },
    field: "AWS::ECS::TaskDefinition",
    fix: /pass a template with one/,
  },
  {
    component: "ProtectedCloudFormationTemplate",
    what: "intrinsic function in a container",
    args: { template: JSON.stringify(withContainer({ Image: { Ref: "ImageParam" } })) },
    field: "Ref",
    fix: /literal/,
  },
  {
    component: "ProtectedCloudFormationTemplate",
    what: "container without EntryPoint",
    args: { template: JSON.stringify(withContainer({ EntryPoint: undefined })) },
    // The message spells the field as ECS does (entryPoint); CloudFormation's spelling is EntryPoint.
    field: "entryPoint",
    fix: /extractEntrypoint/,
  },
  {
    component: "ProtectedCloudFormationTemplate",
    what: "unknown format",
    args: { format: "toml" },
    field: "format",
    fix: /json|yaml/,
  },
  // ProtectedAzureFunction
  {
    component: "ProtectedAzureFunction",
    what: "connection string and account key",
    args: { storageAccountKey: "a2V5" },
    field: "storageAccountKey",
    fix: /Set one of the two/,
  },
  {
    component: "ProtectedAzureFunction",
    what: "package without a storage account",
    args: { packagePath: "/tmp/app.zip" },
    field: "storageAccountName",
    fix: /uploaded to that account/,
  },
  {
    component: "ProtectedAzureFunction",
    what: "Node.js worker",
    args: { workerRuntime: "node" },
    field: "workerRuntime",
    fix: /dotnet/,
  },
  {
    component: "ProtectedAzureFunction",
    what: "Linux app",
    args: { linuxFxVersion: "DOTNET-ISOLATED|8.0" },
    field: "linuxFxVersion",
    fix: /Windows|remove/i,
  },
  {
    component: "ProtectedAzureFunction",
    what: "32-bit worker",
    args: { use32BitWorkerProcess: true },
    field: "use32BitWorkerProcess",
    fix: /64-bit|false/,
  },
  {
    component: "ProtectedAzureFunction",
    what: "app name with an underscore",
    args: { name: "orders_api" },
    field: "name",
    fix: /letters|digits|hyphens/,
  },
  {
    component: "ProtectedAzureFunction",
    what: "TW_POLICY in the user's app settings",
    args: { appSettings: [{ name: "TW_POLICY", value: "mine" }] },
    field: "TW_POLICY",
    fix: /remove|component sets/i,
  },
  // EmbeddedDefenderImage
  {
    component: "EmbeddedDefenderImage",
    what: "no image name",
    args: { imageName: undefined },
    field: "imageName",
    fix: /name to push/,
  },
  {
    component: "EmbeddedDefenderImage",
    what: "app ID with spaces",
    args: { appId: "my app" },
    field: "appId",
    fix: /letters|digits/,
  },
  {
    component: "EmbeddedDefenderImage",
    what: "relative data folder",
    args: { dataFolder: "twistlock" },
    field: "dataFolder",
    fix: /absolute/,
  },
  {
    component: "EmbeddedDefenderImage",
    what: "Image mode without a base image",
    args: { mode: EmbedMode.Image, context: undefined },
    field: "baseImage",
    fix: /baseImage/,
  },
  {
    component: "EmbeddedDefenderImage",
    what: "build context that does not exist",
    args: { context: "/nonexistent/app" },
    field: "context",
    fix: /exist|directory/,
  },
  {
    component: "EmbeddedDefenderImage",
    what: "unknown INSTALL_BUNDLE placement",
    args: { installBundlePlacement: "Sometimes" },
    field: "installBundlePlacement",
    fix: /bakedIntoImage or injectAtRuntime/,
  },
];
