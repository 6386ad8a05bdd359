// ProtectedCloudFormationTemplate: a CloudFormation template whose ECS task definitions the Console protects, for
// users who deploy aws.cloudformation.Stack. The counterpart of ProtectedFargateTask for the Console's CloudFormation
// flows (fargate.json?cloudFormation=true and fargate.yaml). Wiring only: see provider/fargate/cloudFormation.ts.
import * as pulumi from "@pulumi/pulumi";
import { consoleFor } from "../core/console/client";
import { resolveConsoleSettings } from "../core/settings";
import {
  checkProtectedTemplate,
  detectFormat,
  parseTemplate,
  preflightTemplate,
} from "./cloudFormation";
import { DefenderOptionValues } from "./taskDefinitionRequest";
import { FargateDefenderArgs, defenderOptionsOf } from "./protectedFargateTaskArgs";
import {
  CloudFormationTemplateFormat,
  ProtectedCloudFormationTemplateArgs,
} from "./protectedCloudFormationTemplateArgs";

export * from "./protectedCloudFormationTemplateArgs";
import { Checks } from "../core/check";
import { problem, ProblemsError } from "../core/problems";
import { protectionEnabled } from "../core/enabled";

/**
 * Asks the Console to protect the ECS task definitions of a CloudFormation template, checks the answer (fail closed,
 * as ProtectedFargateTask does) and returns it as `template`, for `aws.cloudformation.Stack`'s `templateBody`. The
 * template holds the Defender's INSTALL_BUNDLE in plain text, so it is a secret here; the review outputs are not.
 */
export class ProtectedCloudFormationTemplate extends pulumi.ComponentResource {
  /** The protected template, normalised (a secret: it holds INSTALL_BUNDLE). */
  public readonly template: pulumi.Output<string>;
  /** Image of the TwistlockDefender sidecar. */
  public readonly defenderImage: pulumi.Output<string>;
  /** Defender version from the sidecar image's tag (`defender_34_04_145` is `34.04.145`); unset if the tag says none. */
  public readonly defenderVersion: pulumi.Output<string | undefined>;
  /** Host name the Defender connects to. */
  public readonly consoleAddress: pulumi.Output<string>;
  /** `<task definition>/<container>` of every container now started under the Defender. */
  public readonly protectedContainers: pulumi.Output<string[]>;
  /** Each protected container's `EntryPoint`, the Defender's prefix first, keyed as in `protectedContainers`. */
  public readonly wrappedEntrypoints: pulumi.Output<Record<string, string[]>>;

  constructor(
    name: string,
    args: ProtectedCloudFormationTemplateArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("prisma-defender:index:ProtectedCloudFormationTemplate", name, {}, opts);
    const checks = new Checks("ProtectedCloudFormationTemplate", name, this);
    const options = defenderOptionsOf(args ?? ({} as FargateDefenderArgs));
    if (!protectionEnabled(args?.enabled, checks)) {
      const none = <T>() => pulumi.output(undefined) as unknown as pulumi.Output<T>;
      this.template = pulumi.output(args.template);
      this.defenderImage = none<string>();
      this.defenderVersion = none<string | undefined>();
      this.consoleAddress = none<string>();
      this.protectedContainers = pulumi.output([]);
      this.wrappedEntrypoints = pulumi.output<Record<string, string[]>>({});
      this.registerOutputs({ template: this.template });
      return;
    }
    if (!args || typeof args.template === "undefined" || args.template === null) {
      checks.fail([problem("template", "is required. Give the CloudFormation template's text.")]);
    }
    // Checked now when plain, else once resolved: either way before any request.
    const preflight = checks.check([args.template, args.format, options], ([text, fmt, o]) => {
      const format = formatOf(text, fmt);
      const defender = o as DefenderOptionValues;
      return {
        text,
        format,
        defender,
        tasks: preflightTemplate(parseTemplate(text, format), defender),
      };
    });
    const settings = resolveConsoleSettings(args.console, name, checks);

    const result = pulumi.all([settings, preflight]).apply(
      checks.guard(async ([s, { text, format, defender, tasks }]) => {
        const compute = consoleFor(s);
        const consoleAddress = defender.consoleAddress ?? (await compute.consoleAddress());
        const answer = await compute.protectCloudFormationTemplate(text, format, {
          ...defender,
          consoleAddress,
          defenderType: "appEmbedded",
        });
        return { ...checkProtectedTemplate(answer, format, tasks, defender), consoleAddress };
      }),
    );
    this.template = pulumi.secret(result.apply((r) => r.template));
    // Only the template holds the credential; the rest is secret only because the Console settings are, and stays
    // secret if the user's template was.
    const reviewed = pulumi
      .all([pulumi.unsecret(result.apply(({ template: _, ...rest }) => rest)), args.template])
      .apply(([r]) => r);
    this.defenderImage = reviewed.apply((r) => r.defenderImage);
    this.defenderVersion = reviewed.apply((r) => r.defenderVersion);
    this.consoleAddress = reviewed.apply((r) => r.consoleAddress);
    this.protectedContainers = reviewed.apply((r) => r.protectedContainers);
    this.wrappedEntrypoints = reviewed.apply((r) => r.wrappedEntrypoints);
    this.registerOutputs({
      template: this.template,
      defenderImage: this.defenderImage,
      defenderVersion: this.defenderVersion,
      consoleAddress: this.consoleAddress,
      protectedContainers: this.protectedContainers,
      wrappedEntrypoints: this.wrappedEntrypoints,
    });
  }
}

/** The given format, checked, or the one the text looks like. */
function formatOf(
  text: string,
  format: CloudFormationTemplateFormat | undefined,
): CloudFormationTemplateFormat {
  if (format === undefined || format === null) {
    return detectFormat(text) === "json"
      ? CloudFormationTemplateFormat.Json
      : CloudFormationTemplateFormat.Yaml;
  }
  if (!Object.values(CloudFormationTemplateFormat).includes(format)) {
    throw new ProblemsError(
      problem("format", `must be "json" or "yaml" (got ${JSON.stringify(format)}).`),
    );
  }
  return format;
}
