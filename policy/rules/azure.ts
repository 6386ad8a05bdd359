// azure-function-apps-protected: every .NET Azure Function app has the TW_POLICY app setting the Serverless
// Defender reads (its code must also carry the Defender: `npx prisma-defender prepare-azure-function` checks that,
// which infrastructure code cannot). The Defender runs in Windows function apps only; Linux ones are reported.
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import {
  COMPONENT,
  EXCLUDE_HINT,
  TYPE,
  exclusionReason,
  message,
  takeExclusions,
  under,
} from "./common";
import { isUnknown, obj, raw, str } from "./wire";

const FIX =
  "declare it with ProtectedAzureFunction (prisma-defender), or protect every app with protectStack()";

/** App settings as a name → value map, from a list of {name, value} or a map. */
function settings(v: unknown): Record<string, unknown> {
  if (Array.isArray(v)) {
    const out: Record<string, unknown> = {};
    for (const x of v) {
      const o = obj(x);
      const name = str(o?.name);
      if (name) out[name] = o!.value;
    }
    return out;
  }
  return obj(v) ?? {};
}

interface App {
  resource: PolicyResource;
  /** Undefined in a preview when the settings are not known yet (unknown as a whole when one value is). */
  settings: Record<string, unknown> | undefined;
  linux: boolean;
  dotnet: boolean;
}

function functionApp(r: PolicyResource): App | undefined {
  const p = raw(r.props);
  if (r.type === TYPE.webApp) {
    const kind = (str(p.kind) ?? "").toLowerCase();
    if (!kind.includes("functionapp")) return undefined;
    const list = isUnknown(p.siteConfig) ? p.siteConfig : obj(p.siteConfig)?.appSettings;
    const s = isUnknown(list) ? undefined : settings(list);
    const worker = (str(s?.FUNCTIONS_WORKER_RUNTIME) ?? "").toLowerCase();
    return {
      resource: r,
      settings: s,
      linux: kind.includes("linux") || p.reserved === true,
      // Unknown settings: the worker runtime is unknown too, so the app counts as .NET (checked, not skipped).
      dotnet: !s || worker.startsWith("dotnet"),
    };
  }
  if (r.type === TYPE.windowsFunctionApp || r.type === TYPE.linuxFunctionApp) {
    const s = isUnknown(p.appSettings) ? undefined : settings(p.appSettings);
    const stack = obj(obj(p.siteConfig)?.applicationStack);
    const worker = (str(s?.FUNCTIONS_WORKER_RUNTIME) ?? "").toLowerCase();
    return {
      resource: r,
      settings: s,
      linux: r.type === TYPE.linuxFunctionApp,
      dotnet: !s || worker.startsWith("dotnet") || str(stack?.dotnetVersion) !== undefined,
    };
  }
  return undefined;
}

export function checkApp(app: App, extra: Record<string, unknown>): string | undefined {
  if (!app.dotnet) return undefined;
  const r = app.resource;
  if (!app.settings && !("TW_POLICY" in extra)) {
    // ProtectedAzureFunction sets TW_POLICY itself and fails the deployment without it.
    if (under(r, COMPONENT.azureFunction)) return undefined;
    return message(r, "cannot be verified: its app settings are not known before deploy", FIX);
  }
  if (app.linux) {
    return message(
      r,
      "cannot be protected: the Serverless Defender for Azure Functions runs in Windows function apps only",
      `run it on a Windows plan and declare it with ProtectedAzureFunction (prisma-defender), ${EXCLUDE_HINT()}`,
    );
  }
  const twPolicy = { ...app.settings, ...extra }.TW_POLICY;
  if (twPolicy === undefined)
    return message(
      r,
      "is not protected by the Serverless Defender: the TW_POLICY app setting is not set",
      FIX,
    );
  if (!isUnknown(twPolicy) && !str(twPolicy))
    return message(
      r,
      "is not protected by the Serverless Defender: the TW_POLICY app setting is empty",
      FIX,
    );
  return undefined;
}

export function azurePolicy(): StackValidationPolicy {
  return {
    name: "azure-function-apps-protected",
    description:
      "Every .NET Azure Function app has the Prisma Cloud Serverless Defender's TW_POLICY app setting.",
    enforcementLevel: "mandatory",
    validateStack: (args, report) => {
      const excluded = takeExclusions("azure-function-apps-protected");
      // App settings may also come from a separate WebAppApplicationSettings resource naming the app.
      const separate = new Map<string, Record<string, unknown>>();
      for (const r of args.resources) {
        if (r.type !== TYPE.webAppSettings) continue;
        const p = raw(r.props);
        const name = str(p.name);
        if (name) separate.set(name, { ...separate.get(name), ...settings(p.properties) });
      }
      for (const r of args.resources) {
        const app = functionApp(r);
        if (!app || exclusionReason(r, excluded)) continue;
        const problem = checkApp(app, separate.get(str(raw(r.props).name) ?? "") ?? {});
        if (problem) report(problem, r.urn);
      }
    },
  };
}
