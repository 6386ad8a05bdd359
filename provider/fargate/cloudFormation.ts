// CloudFormation templates for the Console's Fargate endpoints (fargate.json?cloudFormation=true and fargate.yaml):
// find the AWS::ECS::TaskDefinition(s), refuse what the Console cannot take (intrinsic functions, containers
// without entrypoints) before any request, then check and normalise the protected template it returns.
// Pure functions; CloudFormation keys stay PascalCase in what is returned, checks run on a camelCase copy.
import * as YAML from "yaml";
import {
  FargateTaskError,
  jsonSyntaxProblem,
  parseContainerDefinitions,
  pruneEmpty,
} from "./taskDefinition";
import {
  CheckOptions,
  checkProtectedTaskDefinition,
  defenderVersionOf,
} from "./taskDefinitionCheck";
import { canonicalKey, canonicalizeKeys, isPlainObject } from "./taskDefinitionKeys";
import {
  DefenderOptionValues,
  containerProblems,
  defenderOptionProblems,
} from "./taskDefinitionRequest";

export type TemplateFormat = "json" | "yaml";

const TASK_TYPE = "AWS::ECS::TaskDefinition";
/** CloudFormation's YAML short forms (`!Ref x`), read as their long forms so they are found and named. */
const SHORT_FORMS = [
  "Ref",
  "Condition",
  "Base64",
  "Cidr",
  "FindInMap",
  "GetAtt",
  "GetAZs",
  "ImportValue",
  "Join",
].concat([
  "Select",
  "Split",
  "Sub",
  "Transform",
  "And",
  "Equals",
  "If",
  "Not",
  "Or",
  "ToJsonString",
  "Length",
]);
const CUSTOM_TAGS: YAML.Tags = SHORT_FORMS.flatMap((name) => {
  const long = name === "Ref" || name === "Condition" ? name : `Fn::${name}`;
  const tag = `!${name}`;
  return [
    { tag, resolve: (value: string) => ({ [long]: value }) },
    { tag, collection: "seq", resolve: (value: YAML.YAMLSeq) => ({ [long]: value.toJSON() }) },
    { tag, collection: "map", resolve: (value: YAML.YAMLMap) => ({ [long]: value.toJSON() }) },
  ] as YAML.Tags;
});

/** One AWS::ECS::TaskDefinition found in a template. */
export interface TemplateTask {
  /** Where it is, such as `Resources.TaskDefinition`, used in messages and output names. */
  where: string;
  /** Its Properties, as written (PascalCase). */
  properties: Record<string, unknown>;
}

/** JSON when the text starts with `{`, else YAML (a JSON template is valid YAML too, but not the other way). */
export function detectFormat(text: string): TemplateFormat {
  return text.trimStart().startsWith("{") ? "json" : "yaml";
}

/** Parse a template. Throws a FargateTaskError naming the syntax problem. */
export function parseTemplate(
  text: string,
  format: TemplateFormat,
  field: "template" | "console" = "template",
): unknown {
  try {
    if (format === "json") return JSON.parse(text);
    const doc = YAML.parseDocument(text, { customTags: CUSTOM_TAGS, uniqueKeys: true });
    if (doc.errors.length > 0) throw new Error(doc.errors[0].message.split("\n")[0]);
    return doc.toJS();
  } catch (e) {
    throw new FargateTaskError(
      field,
      field === "template" ? "cannot be read" : "the Console's answer cannot be read",
      [
        `it is not valid ${format.toUpperCase()} (${jsonSyntaxProblem(e)}): pass the template's text${format === "json" ? ", or set `format` to Yaml" : ""}`,
      ],
    );
  }
}

/** The task definitions of a template, a single resource, or bare Properties (as the Console accepts all three). */
export function templateTasks(doc: unknown): TemplateTask[] {
  if (!isPlainObject(doc)) return [];
  if (doc.Type === TASK_TYPE && isPlainObject(doc.Properties))
    return [{ where: "TaskDefinition", properties: doc.Properties }];
  if ("ContainerDefinitions" in doc) return [{ where: "TaskDefinition", properties: doc }];
  const resources = isPlainObject(doc.Resources) ? doc.Resources : {};
  return Object.entries(resources).flatMap(([id, r]) =>
    isPlainObject(r) && r.Type === TASK_TYPE && isPlainObject(r.Properties)
      ? [{ where: `Resources.${id}`, properties: r.Properties }]
      : [],
  );
}

/** Every intrinsic function in `value`, as `Fn::GetAtt at Resources.Task.Properties.ExecutionRoleArn`. */
export function findIntrinsicFunctions(value: unknown, where = ""): string[] {
  if (Array.isArray(value))
    return value.flatMap((v, i) => findIntrinsicFunctions(v, `${where}[${i}]`));
  if (!isPlainObject(value)) return [];
  return Object.entries(value).flatMap(([key, v]) => {
    if (key === "Ref" || key.startsWith("Fn::")) return [`${key} at ${where || "the top level"}`];
    return findIntrinsicFunctions(v, where ? `${where}.${key}` : key);
  });
}

/**
 * Everything the Console would refuse or mis-protect, before any request: intrinsic functions anywhere (Prisma: "
 * Prisma Cloud doesn't support Intrinsic functions in AWS CloudFormation template"), no task definition, and each
 * task definition's container problems (entrypoint rule, already protected, duplicate names).
 */
export function preflightTemplate(doc: unknown, options: DefenderOptionValues): TemplateTask[] {
  const problems: string[] = [];
  const intrinsics = findIntrinsicFunctions(doc);
  if (intrinsics.length > 0) {
    problems.push(
      `the Console does not support CloudFormation intrinsic functions (Ref, Fn::*, and YAML short forms such as !Ref, !Sub, !GetAtt), and the template uses ${intrinsics.join(", ")}: put literal values there (build the template text in your program from resolved values), or keep the task definition in a template of its own`,
    );
  }
  const tasks = templateTasks(doc);
  if (tasks.length === 0) {
    problems.push(
      `it has no ${TASK_TYPE}: pass a template with one, the resource itself, or its Properties`,
    );
  }
  for (const task of tasks) {
    try {
      const parsed = parseContainerDefinitions(JSON.stringify(task.properties));
      const compat = parsed.task.requiresCompatibilities;
      if (Array.isArray(compat) && !compat.includes("FARGATE")) {
        problems.push(
          `${task.where}: RequiresCompatibilities must include FARGATE (got ${JSON.stringify(compat)})`,
        );
      }
      problems.push(
        ...containerProblems(parsed.containers, options).map((p) => `${task.where}: ${p}`),
      );
    } catch (e) {
      if (!(e instanceof FargateTaskError)) throw e;
      problems.push(...e.details.map((p) => `${task.where}: ${p}`));
    }
  }
  problems.push(...defenderOptionProblems(options));
  if (problems.length > 0) {
    throw new FargateTaskError("template", "cannot be protected as given", problems);
  }
  return tasks;
}

/** The protected template, checked and normalised, and what a reviewer needs to see of it. */
export interface CheckedTemplate {
  /** The normalised template text (holds INSTALL_BUNDLE: a secret). */
  template: string;
  defenderImage: string;
  defenderVersion?: string;
  /** `<where>/<container>` of every protected container. */
  protectedContainers: string[];
  wrappedEntrypoints: Record<string, string[]>;
}

/**
 * Check the Console's protected template against the one sent: the same task definitions, each protected as
 * checkProtectedTaskDefinition requires. Returns it with empty values dropped from the containers (CloudFormation
 * refuses the empty LogConfiguration the Console adds) and environments sorted, as text in the same format.
 */
export function checkProtectedTemplate(
  answer: string,
  format: TemplateFormat,
  sent: TemplateTask[],
  options: CheckOptions,
): CheckedTemplate {
  const doc = parseTemplate(answer, format, "console");
  const tasks = templateTasks(doc);
  const got = tasks.map((t) => t.where).join(", ");
  const want = sent.map((t) => t.where).join(", ");
  if (got !== want) {
    throw new FargateTaskError(
      "console",
      "the Console's answer does not look like a protected template, so it is not used",
      [`it has the task definitions [${got}] where [${want}] were sent`],
    );
  }
  const result: CheckedTemplate = {
    template: "",
    defenderImage: "",
    protectedContainers: [],
    wrappedEntrypoints: {},
  };
  tasks.forEach((task, i) => {
    const camel = (v: unknown) => canonicalizeKeys(v, task.where, []) as Record<string, unknown>;
    const checked = checkProtectedTaskDefinition(
      camel(task.properties),
      camel(sent[i].properties),
      options,
      task.where,
    );
    result.defenderImage ||= checked.defenderImage;
    for (const name of checked.protectedContainers) {
      result.protectedContainers.push(`${task.where}/${name}`);
      result.wrappedEntrypoints[`${task.where}/${name}`] = checked.wrappedEntrypoints[name];
    }
    const key = Object.keys(task.properties).find(
      (k) => canonicalKey(k) === "containerDefinitions",
    )!;
    task.properties[key] = (task.properties[key] as unknown[]).map(normalizeTemplateContainer);
  });
  result.defenderVersion = defenderVersionOf(result.defenderImage);
  result.template =
    format === "json" ? JSON.stringify(doc, null, 2) + "\n" : YAML.stringify(doc, { lineWidth: 0 });
  return result;
}

/** A container as written back: no empty values, Environment and Secrets sorted by name; key spelling kept. */
function normalizeTemplateContainer(container: unknown): unknown {
  const out = pruneEmpty(container) as Record<string, unknown>;
  for (const [key, value] of Object.entries(out)) {
    const canonical = canonicalKey(key);
    if ((canonical === "environment" || canonical === "secrets") && Array.isArray(value)) {
      const nameOf = (e: unknown) =>
        isPlainObject(e)
          ? String(Object.entries(e).find(([k]) => canonicalKey(k) === "name")?.[1])
          : "";
      out[key] = [...value].sort((a, b) =>
        nameOf(a) < nameOf(b) ? -1 : nameOf(a) > nameOf(b) ? 1 : 0,
      );
    }
  }
  return out;
}
