// Pulumi mocks for the demo: every registration is recorded with its parent, and cloud resources get the computed
// outputs (ARNs, versions, host names) a real deployment would give them, so programs run to completion offline.
import * as path from "path";
import * as pulumi from "@pulumi/pulumi";
import { applyStackTransformsLikeTheEngine } from "./engineTransforms";

/** One resource the program registered. `inputs` still carries the engine's secret wrappers. */
export interface RecordedResource {
  urn: string;
  type: string;
  name: string;
  /** URN of the parent; undefined for resources at the stack root. */
  parent?: string;
  custom: boolean;
  inputs: Record<string, unknown>;
}

const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** Outputs a real provider would compute for the types our components create. */
export function computedState(
  type: string,
  name: string,
  inputs: Record<string, any>,
): Record<string, unknown> {
  const [pkg, mod] = type.split(":");
  const service = (mod ?? "").split("/")[0];
  const out: Record<string, unknown> = {};
  if (pkg === "aws") out.arn = `arn:aws:${service}:${REGION}:${ACCOUNT}:${service}/${name}`;
  switch (type) {
    case "aws:lambda/layerVersion:LayerVersion": {
      const layer = `arn:aws:lambda:${REGION}:${ACCOUNT}:layer:${inputs.layerName ?? name}`;
      return { ...out, layerArn: layer, arn: `${layer}:1`, version: "1" };
    }
    case "aws:lambda/function:Function": {
      const arn = `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${inputs.name ?? name}`;
      return {
        ...out,
        arn,
        version: "$LATEST",
        invokeArn: `arn:aws:apigateway:${REGION}:lambda:path/functions/${arn}/invocations`,
      };
    }
    case "aws:ecs/taskDefinition:TaskDefinition":
      return {
        ...out,
        revision: 1,
        arn: `arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/${inputs.family ?? name}:1`,
      };
    case "aws:iam/role:Role":
      return {
        ...out,
        arn: `arn:aws:iam::${ACCOUNT}:role/${inputs.name ?? name}`,
        name: inputs.name ?? name,
      };
    case "aws:secretsmanager/secret:Secret":
      return {
        ...out,
        arn: `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${inputs.name ?? name}-AbCdEf`,
      };
    case "aws:ecr/repository:Repository":
      return {
        ...out,
        repositoryUrl: `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/${inputs.name ?? name}`,
      };
    case "docker:index/image:Image":
      return {
        repoDigest: `${inputs.imageName}@sha256:${"0".repeat(64)}`,
        imageName: inputs.imageName,
      };
    case "azure-native:web:WebApp":
      return { defaultHostName: `${inputs.name ?? name}.azurewebsites.net` };
    default:
      return out;
  }
}

/** Invokes the AWS provider answers without a cloud. */
function call(args: pulumi.runtime.MockCallArgs): Record<string, unknown> {
  switch (args.token) {
    case "aws:index/getRegion:getRegion":
      return { name: REGION, region: REGION, id: REGION };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        accountId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:user/demo`,
        userId: "AIDDEMO",
        id: ACCOUNT,
      };
    case "aws:index/getPartition:getPartition":
      return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
    case "azure-native:storage:listStorageAccountKeys":
      // A fake key: the demo's Function App gets a connection string like a real deployment's.
      return {
        keys: [{ keyName: "key1", value: "ZGVtby1zdG9yYWdlLWtleQ==", permissions: "FULL" }],
      };
    default:
      return args.inputs;
  }
}

/**
 * Installs the mocks and returns the live list of recorded resources. The mocks API does not tell `newResource` a
 * resource's parent, so the mock monitor's registerResource is wrapped to read it from the request.
 */
export function installRecordingMocks(
  project: string,
  stack: string,
  preview: boolean,
): RecordedResource[] {
  const resources: RecordedResource[] = [];
  let current: RecordedResource | undefined;
  pulumi.runtime.setMocks(
    {
      newResource(args) {
        if (current && current.type === args.type && current.name === args.name)
          current.inputs = args.inputs;
        // In preview a provider does not know computed outputs yet (ARNs, digests): they stay unknown.
        const computed = preview ? {} : computedState(args.type, args.name, args.inputs);
        return { id: preview ? "" : `${args.name}-id`, state: { ...args.inputs, ...computed } };
      },
      call: (args) => call(args),
    },
    project,
    stack,
    preview,
  );
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require(
    path.join(path.dirname(require.resolve("@pulumi/pulumi")), "runtime", "settings"),
  );
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: (err: unknown, resp: any) => void) => {
    const record: RecordedResource = {
      urn: "",
      type: req.getType(),
      name: req.getName(),
      parent: req.getParent() || undefined,
      custom: req.getCustom(),
      inputs: {},
    };
    current = record;
    return register(req, (err: unknown, resp: any) => {
      if (!err) {
        record.urn = resp.getUrn();
        resources.push(record);
      }
      callback(err, resp);
    });
  };
  // Stack transforms (protectStack) run as the engine runs them; installed last, so what is recorded above is the
  // transformed registration.
  applyStackTransformsLikeTheEngine(monitor);
  return resources;
}

/**
 * Waits until every registration, invoke and output registration the program started has been answered: the
 * runtime takes a keep-alive per RPC when it starts (a resource's as it is constructed, so one still waiting on a
 * Console call counts), and `waitForRPCs` is what `pulumi.runtime.disconnect()` awaits before a program exits. Then
 * one macrotask turn, so Node has reported any promise rejected meanwhile to the unhandledRejection listeners.
 */
export async function waitForRegistrations(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const settings = require(
    path.join(path.dirname(require.resolve("@pulumi/pulumi")), "runtime", "settings"),
  );
  await settings.waitForRPCs();
  await new Promise((resolve) => setImmediate(resolve));
}
