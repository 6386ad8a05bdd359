// defender-credentials-secret: INSTALL_BUNDLE, TW_POLICY and Console passwords and tokens never reach a resource as
// plain (non-secret) values: state, previews and logs show plain inputs to anyone who can read the stack.
// Looks in every input of every resource, including JSON and YAML documents held in strings (task definitions,
// CloudFormation templates), and uses the engine's secret marks (see wire.ts).
import type { ResourceValidationPolicy } from "@pulumi/policy";
import YAML from "yaml";
import { message } from "./common";
import { isSecretAt, isUnknown, join, raw } from "./wire";

/** Variable or setting names whose values are Defender or Console credentials. */
export const CREDENTIAL_NAMES = [
  "INSTALL_BUNDLE",
  "TW_POLICY",
  "PRISMACLOUDCOMPUTE_PASSWORD",
  "PRISMACLOUDCOMPUTE_TOKEN",
];
/** Console credentials among the inputs of prisma-defender's own resources (components and provider). */
const CONSOLE_KEYS = ["password", "token"];

export interface Finding {
  credential: string;
  /** Input path, e.g. `environment.variables` or `containerDefinitions[1].environment`. */
  path: string;
}

const display = (path: string) =>
  path.replace(/\.(\d+)(?=\.|$)/g, "[$1]").replace(/^(\d+)/, "[$1]");

function nonEmpty(v: unknown): boolean {
  return typeof v === "string" && v !== "" && !isUnknown(v);
}

/** Credentials held as values anywhere in `v`; `secret(path)` says whether the engine marked `path` secret. */
export function findPlain(
  v: unknown,
  path: string,
  secret: (path: string) => boolean,
  prisma: boolean,
  out: Finding[] = [],
): Finding[] {
  if (secret(path)) return out;
  if (typeof v === "string") {
    if (!CREDENTIAL_NAMES.some((n) => v.includes(n))) return out;
    // A document in a string (a task definition, a template): its parts share the string's secretness.
    let doc: unknown;
    try {
      // YAML only for multi-line text: a one-line description such as "INSTALL_BUNDLE: see the wiki" is not one.
      doc = /^\s*[[{]/.test(v) ? JSON.parse(v) : v.includes("\n") ? YAML.parse(v) : undefined;
    } catch {
      return out;
    }
    if (doc && typeof doc === "object") findPlain(doc, path, () => false, prisma, out);
    return out;
  }
  if (!v || typeof v !== "object") return out;
  if (Array.isArray(v)) {
    v.forEach((x, i) => findPlain(x, join(path, String(i)), secret, prisma, out));
    return out;
  }
  const o = v as Record<string, unknown>;
  // {name: INSTALL_BUNDLE, value: ...}: ECS environment entries, Azure app settings, CloudFormation's Name/Value.
  const name = o.name ?? o.Name;
  const valueKey = "value" in o ? "value" : "Value";
  if (typeof name === "string" && CREDENTIAL_NAMES.includes(name) && nonEmpty(o[valueKey])) {
    if (!secret(join(path, valueKey))) out.push({ credential: name, path });
  }
  for (const [k, x] of Object.entries(o)) {
    const at = join(path, k);
    if (CREDENTIAL_NAMES.includes(k) && nonEmpty(x)) {
      if (!secret(at)) out.push({ credential: k, path: at });
      continue;
    }
    // The provider's own `password`/`token`, or a component's `console.password`/`console.token`.
    if (prisma && (path === "" || path === "console") && CONSOLE_KEYS.includes(k) && nonEmpty(x)) {
      if (!secret(at)) out.push({ credential: `the Console ${k}`, path: at });
      continue;
    }
    if (k === valueKey && typeof name === "string" && CREDENTIAL_NAMES.includes(name)) continue;
    findPlain(x, at, secret, prisma, out);
  }
  return out;
}

export function credentialsPolicy(): ResourceValidationPolicy {
  return {
    name: "defender-credentials-secret",
    description:
      "INSTALL_BUNDLE, TW_POLICY and Prisma Cloud Compute Console passwords and tokens are never plain (non-secret) resource inputs.",
    enforcementLevel: "mandatory",
    validateResource: (args, report) => {
      const props = raw(args.props);
      const prisma =
        args.type.startsWith("prisma-defender:") ||
        args.type === "pulumi:providers:prisma-defender";
      const seen = new Set<string>();
      for (const f of findPlain(props, "", (p) => isSecretAt(args.props, p), prisma)) {
        const key = `${f.credential} ${f.path}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const fix =
          f.credential === "INSTALL_BUNDLE" && args.type === "aws:ecs/taskDefinition:TaskDefinition"
            ? "take it from Secrets Manager through the container's `secrets` (ProtectedFargateTask does), or wrap the value in pulumi.secret()"
            : "wrap the value in pulumi.secret() (the prisma-defender components keep it secret for you), or set it with `pulumi config set --secret`";
        report(
          message(
            { type: args.type, name: args.name },
            `has ${f.credential} as a plain (non-secret) value in ${display(f.path) || "its inputs"}`,
            fix,
          ),
        );
      }
    },
  };
}
