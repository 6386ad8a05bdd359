// What every protectStack transform shares for one program: the checked options, one Console client (so N
// resources asking the same thing make one request), one DefenderLayer per family, module system, region and
// provider, one region lookup per provider, and the list of resources left unprotected.
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { consoleFor } from "../core/console/client";
import { logWarn } from "../core/secrets";
import { ComputeConsole, ResolvedConsoleSettings } from "../core/types";
import { DefenderLayer } from "../lambda/defenderLayer";
import { derivePhysicalName } from "../lambda/lambdaPreflight";
import { DefenderRuntimeFamily, NodeJSModuleType } from "../lambda/runtimes";
import { CheckedStackOptions, ProtectStackMode } from "./options";

/** A resource protectStack left as it was, and why. */
export interface UnprotectedResource {
  type: string;
  name: string;
  reasons: string[];
}

export class StackContext {
  readonly unprotected: UnprotectedResource[] = [];
  private readonly layers = new Map<string, DefenderLayer>();
  private readonly regions = new Map<string, pulumi.Output<string>>();
  private warned = 0;

  constructor(
    readonly options: CheckedStackOptions,
    readonly settings: pulumi.Output<ResolvedConsoleSettings>,
  ) {}

  /** `f` with the Console client, as an Output (the settings are secret; callers unsecret what is not). */
  withConsole<T>(f: (c: ComputeConsole) => Promise<T>): pulumi.Output<T> {
    return this.settings.apply((s) => f(consoleFor(s)));
  }

  /** Leaves the resource as it is (warn) or fails its registration (enforce). Returns undefined: "no change". */
  cannotProtect(type: string, name: string, reasons: string[]): undefined {
    if (this.options.mode === ProtectStackMode.Enforce) {
      throw new Error(
        `protectStack: ${type} "${name}" cannot be protected (mode "enforce"):\n  - ${reasons.join("\n  - ")}\n` +
          `Fix it, or opt it out with the tag prisma-defender:protect = "false", \`exclude\` or \`include\`.`,
      );
    }
    this.unprotected.push({ type, name, reasons });
    return undefined;
  }

  /** One warning listing every resource left unprotected since the last one (none: no warning). */
  warnUnprotected(): void {
    const fresh = this.unprotected.slice(this.warned);
    this.warned = this.unprotected.length;
    if (!fresh.length) return;
    const lines = fresh.map((u) => `  - ${u.type} "${u.name}": ${u.reasons.join(" ")}`);
    logWarn(
      `prisma-defender protectStack: ${fresh.length} resource(s) left UNPROTECTED:\n${lines.join("\n")}\n` +
        `Set mode "enforce" to fail the deployment instead, or opt them out to silence this.`,
    );
  }

  /** The region of the AWS provider (default or given), looked up once per provider. */
  regionOf(provider: pulumi.ProviderResource | undefined, key: string): pulumi.Output<string> {
    let region = this.regions.get(key);
    if (!region) {
      region = aws.getRegionOutput({}, provider ? { provider } : {}).region;
      this.regions.set(key, region);
    }
    return region;
  }

  /** The shared DefenderLayer for a family (and Node.js module system) in a region, created on first need. */
  layerFor(
    family: DefenderRuntimeFamily,
    moduleType: NodeJSModuleType | undefined,
    region: string,
    provider: pulumi.ProviderResource | undefined,
    providerKey: string,
  ): DefenderLayer {
    const key = JSON.stringify([family, moduleType ?? null, region, providerKey]);
    let layer = this.layers.get(key);
    if (!layer) {
      const esm = moduleType === "ecmascript" ? "-esm" : "";
      const name = derivePhysicalName(`prisma-defender-${family}${esm}-${region}`, 140);
      layer = new DefenderLayer(
        name,
        { console: this.options.console, runtime: family, nodeJSModuleType: moduleType },
        provider ? { provider } : {},
      );
      this.layers.set(key, layer);
    }
    return layer;
  }
}
