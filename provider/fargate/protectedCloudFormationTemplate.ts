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
import { FargateTaskError } from "./taskDefinition";
import { DefenderOptionValues } from "./taskDefinitionRequest";
import { FargateDefenderArgs, defenderOptionsOf, failFor } from "./protectedFargateTaskArgs";
import {
  CloudFormationTemplateFormat,
  ProtectedCloudFormationTemplateArgs,
} from "./protectedCloudFormationTemplateArgs";

export * from "./protectedCloudFormationTemplateArgs";
import { isPlainDeep } from "../core/plain";
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
    const subject = `ProtectedCloudFormationTemplate "${name}"`;
    const fail = failFor(this);
    const options = defenderOptionsOf(args ?? ({} as FargateDefenderArgs));
    if (!protectionEnabled(args?.enabled, subject, this)) {
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
    const settings = (() => {
      try {
        if (!args || typeof args.template === "undefined" || args.template === null) {
          throw new FargateTaskError(subject, "missing args", [
            "`template` is required: the CloudFormation template's text",
          ]);
        }
        // Refuse bad input now when it is plain, before any request.
        if ([args.template, args.format, ...Object.values(options)].every(isPlainDeep)) {
          const text = args.template as string;
          const format = formatOf(text, args.format as CloudFormationTemplateFormat, subject);
          preflightTemplate(
            parseTemplate(text, format, subject),
            options as DefenderOptionValues,
            subject,
          );
        }
        return resolveConsoleSettings(args.console, name);
      } catch (e) {
        return fail(e);
      }
    })();

    const result = pulumi
      .all([settings, args.template, args.format, pulumi.output(options)])
      .apply(async ([s, text, fmt, o]) => {
        try {
          const defender = o as DefenderOptionValues;
          const format = formatOf(text, fmt, subject);
          const tasks = preflightTemplate(parseTemplate(text, format, subject), defender, subject);
          const compute = consoleFor(s);
          const consoleAddress = defender.consoleAddress ?? (await compute.consoleAddress());
          const answer = await compute.protectCloudFormationTemplate(text, format, {
            ...defender,
            consoleAddress,
            defenderType: "appEmbedded",
          });
          return {
            ...checkProtectedTemplate(answer, format, tasks, defender, subject),
            consoleAddress,
          };
        } catch (e) {
          return fail(e);
        }
      });
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
  subject: string,
): CloudFormationTemplateFormat {
  if (format === undefined || format === null) {
    return detectFormat(text) === "json"
      ? CloudFormationTemplateFormat.Json
      : CloudFormationTemplateFormat.Yaml;
  }
  if (!Object.values(CloudFormationTemplateFormat).includes(format)) {
    throw new FargateTaskError(subject, "invalid args", [
      `\`format\` must be "json" or "yaml" (got ${JSON.stringify(format)})`,
    ]);
  }
  return format;
}
