// The CloudFormation forms fargate.json?cloudFormation=true and fargate.yaml accept: an AWS::ECS::TaskDefinition
// resource, its properties, or a full template. Intrinsic functions are refused, as the Console documents.
import * as YAML from "yaml";
import { FargateContext, protectTaskDefinition } from "./fargate";
import { ConsoleHttpError } from "./http";

type Obj = Record<string, unknown>;
const TASK_TYPE = "AWS::ECS::TaskDefinition";

const INTRINSICS = [
  "Ref",
  "Condition",
  ...[
    "And",
    "Base64",
    "Cidr",
    "Equals",
    "FindInMap",
    "GetAtt",
    "GetAZs",
    "If",
    "ImportValue",
    "Join",
    "Not",
    "Or",
    "Select",
    "Split",
    "Sub",
    "Transform",
  ].map((n) => `Fn::${n}`),
];

/** YAML short forms (`!Ref x`, `!Sub [...]`) read as their long forms, so they are found and refused. */
const shortFormTags: YAML.Tags = INTRINSICS.flatMap((long) => {
  const tag = `!${long.replace(/^Fn::/, "")}`;
  return [
    { tag, resolve: (value: string) => ({ [long]: value }) },
    {
      tag,
      collection: "seq" as const,
      resolve: (value: YAML.YAMLSeq) => ({ [long]: value.toJSON() }),
    },
    {
      tag,
      collection: "map" as const,
      resolve: (value: YAML.YAMLMap) => ({ [long]: value.toJSON() }),
    },
  ] as YAML.Tags;
});

function asObject(value: unknown): Obj | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Obj)
    : undefined;
}

function findIntrinsic(value: unknown, where: string): string | undefined {
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = findIntrinsic(value[i], `${where}[${i}]`);
      if (found) return found;
    }
  } else if (asObject(value)) {
    for (const [key, v] of Object.entries(value as Obj)) {
      if (key === "Ref" || key.startsWith("Fn::")) return `${key} at ${where}`;
      const found = findIntrinsic(v, where ? `${where}.${key}` : key);
      if (found) return found;
    }
  }
  return undefined;
}

function protectResource(
  resource: Obj,
  ctx: FargateContext,
  where: string,
  logicalId?: string,
): Obj {
  const properties = asObject(resource.Properties);
  if (!properties) throw new ConsoleHttpError(400, `${where} has no Properties`);
  const intrinsic = findIntrinsic(properties, `${where}.Properties`);
  if (intrinsic) {
    throw new ConsoleHttpError(
      400,
      `intrinsic functions are not supported in CloudFormation templates: found ${intrinsic}`,
    );
  }
  return { ...resource, Properties: protectTaskDefinition(properties, ctx, true, logicalId) };
}

/** Protects every task definition in a parsed CloudFormation document (template, resource or properties). */
export function protectCloudFormation(doc: unknown, ctx: FargateContext): Obj {
  const root = asObject(doc);
  if (!root)
    throw new ConsoleHttpError(400, "failed to parse CloudFormation template: not an object");
  if (root.Type === TASK_TYPE) return protectResource(root, ctx, "TaskDefinition");
  if ("ContainerDefinitions" in root) {
    const intrinsic = findIntrinsic(root, "");
    if (intrinsic) {
      throw new ConsoleHttpError(
        400,
        `intrinsic functions are not supported in CloudFormation templates: found ${intrinsic}`,
      );
    }
    return protectTaskDefinition(root, ctx, true);
  }
  const resources = asObject(root.Resources) ?? root;
  let found = 0;
  const out: Obj = {};
  for (const [id, value] of Object.entries(resources)) {
    const resource = asObject(value);
    if (resource?.Type === TASK_TYPE) {
      found++;
      const where = resources === root ? id : `Resources.${id}`;
      out[id] = protectResource(resource, ctx, where, id);
    } else out[id] = value;
  }
  if (found === 0) {
    throw new ConsoleHttpError(
      400,
      `failed to find a ${TASK_TYPE} resource in the CloudFormation template`,
    );
  }
  return resources === root ? out : { ...root, Resources: out };
}

export function parseYaml(text: string): unknown {
  const doc = YAML.parseDocument(text, { customTags: shortFormTags, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConsoleHttpError(
      400,
      `failed to parse yaml: ${doc.errors[0].message.split("\n")[0]}`,
    );
  }
  return doc.toJS();
}

export function toYaml(value: unknown): string {
  return YAML.stringify(value, { lineWidth: 0 });
}
