// EmbeddedDefenderImage: a container image rebuilt with the App-Embedded Defender, built and pushed with
// @pulumi/docker's Image. The Console work (download, rewrite, checks, staging) happens in one apply; the
// docker.Image is created at the top level with Output-valued args, so previews always show it (one created inside
// an apply is missing from previews: https://github.com/pulumi/pulumi-awsx/issues/472), and a failed Console call
// fails its inputs: no unprotected image is ever built.
import type * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { consoleFor } from "../core/console/client";
import { redact } from "../core/secrets";
import { resolveConsoleSettings } from "../core/settings";
import { INSTALL_BUNDLE_BUILD_ARG } from "./defenderBlock";
import { EmbeddedImagePlan, planEmbeddedImage } from "./embeddedImagePlan";
import {
  DEFAULT_DATA_FOLDER,
  EmbeddedImageValues,
  embeddedImageProblems,
  EmbedMode,
  InstallBundlePlacement,
} from "./embeddedImageRules";
import { EmbeddedDefenderImageArgs } from "./embeddedDefenderImageArgs";
import { protectionEnabled } from "../core/enabled";
import { unprotectedImage } from "./embeddedDefenderImageDisabled";
import { isPlainDeep } from "../core/plain";
import { Checks } from "../core/check";
import { problem } from "../core/problems";
import { docker as dockerSdk } from "../core/peers";

export * from "./embeddedDefenderImageArgs";

const CHECKED_FIELDS = [
  "context", "dockerfile", "target", "platform", "buildArgs", "baseImage", "originalEntrypoint",
  "originalCommand", "appId", "dataFolder",
] as const; // prettier-ignore

/**
 * Builds a container image with the Prisma Cloud Compute App-Embedded Defender: the Defender starts first and then
 * runs the image's original program. The Defender comes from the Console at deploy time; the image is built from a
 * private staging copy of the build context and pushed with `@pulumi/docker`'s Image.
 */
export class EmbeddedDefenderImage extends pulumi.ComponentResource {
  /** The image name as pushed (`repository:tag`). */
  public readonly imageName: pulumi.Output<string>;
  /** The pushed image by digest (`repository@sha256:...`): use it in task definitions so updates roll out. */
  public readonly repoDigest: pulumi.Output<string>;
  /** The `@pulumi/docker` Image that builds and pushes it. */
  public readonly image: docker.Image;
  /** App ID the Defender reports to the Console. */
  public readonly appId: pulumi.Output<string>;
  /** Directory holding the Defender in the image. */
  public readonly dataFolder: pulumi.Output<string>;
  /** Version of the embedded Defender. */
  public readonly defenderVersion: pulumi.Output<string>;
  /** Platform the image is built for, such as `linux/amd64`. */
  public readonly platform: pulumi.Output<string>;
  /** The image's ENTRYPOINT: `[<dataFolder>/defender, app-embedded, ...original entrypoint]`. */
  public readonly wrappedEntrypoint: pulumi.Output<string[]>;
  /** The image's CMD: the arguments the wrapped entrypoint runs with. */
  public readonly command: pulumi.Output<string[]>;
  /** The Defender's environment variables set in the image (never INSTALL_BUNDLE). */
  public readonly defenderEnvironment: pulumi.Output<Record<string, string>>;
  /** INSTALL_BUNDLE for the runtime to inject (secret); only with `installBundlePlacement: injectAtRuntime`. */
  public readonly installBundle: pulumi.Output<string | undefined>;

  constructor(
    name: string,
    args: EmbeddedDefenderImageArgs,
    opts?: pulumi.ComponentResourceOptions,
  ) {
    super("prisma-defender:index:EmbeddedDefenderImage", name, {}, opts);
    const checks = new Checks("EmbeddedDefenderImage", name, this);
    if (!args) checks.fail([IMAGE_NAME_REQUIRED]);
    const mode = args.mode ?? EmbedMode.Tarball;
    if (!protectionEnabled(args.enabled, checks)) {
      const none = <T>() => pulumi.output(undefined) as unknown as pulumi.Output<T>;
      this.image = unprotectedImage(name, args, this);
      this.imageName = this.image.imageName;
      this.repoDigest = this.image.repoDigest;
      this.appId = pulumi.output(args.appId ?? name);
      this.dataFolder = none<string>();
      this.defenderVersion = none<string>();
      this.platform = pulumi.output(args.platform) as pulumi.Output<string>;
      this.wrappedEntrypoint = pulumi.output<string[]>([]);
      this.command = pulumi.output<string[]>([]);
      this.defenderEnvironment = pulumi.output<Record<string, string>>({});
      this.installBundle = none<string | undefined>();
      this.registerOutputs({
        imageName: this.imageName,
        repoDigest: this.repoDigest,
        image: this.image,
      });
      return;
    }
    const placement = args.installBundlePlacement ?? InstallBundlePlacement.InjectAtRuntime;
    const bake = placement === InstallBundlePlacement.BakedIntoImage;
    if (!Object.values(InstallBundlePlacement).includes(placement)) {
      checks.fail([
        problem(
          "installBundlePlacement",
          `must be ${Object.values(InstallBundlePlacement).join(" or ")} (got ${JSON.stringify(placement)}).`,
        ),
      ]);
    }
    // Check now whatever is plain; Output values are checked by the same rules once resolved.
    const values: EmbeddedImageValues = {
      mode,
      appId: args.appId === undefined ? name : undefined,
    };
    const present: string[] = [];
    for (const field of CHECKED_FIELDS) {
      const value = args[field];
      if (value === undefined) continue;
      if (isPlainDeep(value)) (values as any)[field] = value;
      else present.push(field);
    }
    checks.fail([
      ...(args.imageName === undefined ? [IMAGE_NAME_REQUIRED] : []),
      ...embeddedImageProblems(values, present),
    ]);

    const settings = resolveConsoleSettings(args.console, name, checks);
    const inputs = pulumi.all([
      pulumi.output({
        context: args.context,
        dockerfile: args.dockerfile,
        target: args.target,
        platform: args.platform,
        buildArgs: args.buildArgs,
        baseImage: args.baseImage,
        originalEntrypoint: args.originalEntrypoint,
        originalCommand: args.originalCommand,
        dataFolder: args.dataFolder,
        registry: args.registry,
      }),
      pulumi.output(args.appId ?? name),
      pulumi.output(args.filesystemMonitoring ?? false),
    ]);
    // Read-only Console calls, so they run in preview too and the preview shows the real Defender changes.
    const plan = pulumi.all([settings, inputs]).apply(
      checks.guard(async ([s, [given, appId, fsMonitoring]]) => {
        const result = await planEmbeddedImage(consoleFor(s), {
          ...given,
          mode,
          appId,
          filesystemMonitoring: fsMonitoring,
          installBundlePlacement: placement,
        });
        for (const warning of result.warnings) {
          void pulumi.log.warn(redact(`EmbeddedDefenderImage ${name}: ${warning}`), this);
        }
        return result;
      }),
    );
    // The Console settings are secret, and so is everything computed with them: these parts carry no secret.
    const open = <T>(f: (p: EmbeddedImagePlan) => T) =>
      pulumi.unsecret(plan.apply(f)) as pulumi.Output<T>;
    const installBundle = pulumi.secret(plan.apply((p) => p.installBundle));
    const buildArgs = bake
      ? pulumi.secret(
          pulumi
            .all([pulumi.output(args.buildArgs ?? {}), installBundle])
            .apply(([given, bundle]) => ({ ...given, [INSTALL_BUNDLE_BUILD_ARG]: bundle })),
        )
      : args.buildArgs;
    const registry = args.registry === undefined ? undefined : pulumi.output(args.registry);
    this.platform = open((p) => p.platform);

    this.image = new (dockerSdk(checks).Image)(
      name,
      {
        imageName: args.imageName,
        build: {
          context: open((p) => p.contextDir),
          dockerfile: open((p) => p.dockerfilePath),
          args: buildArgs,
          target: mode === EmbedMode.Image ? undefined : args.target,
          platform: this.platform,
        },
        registry: registry && {
          server: registry.server,
          username: registry.username,
          password: pulumi.secret(registry.password),
        },
        skipPush: args.skipPush,
      },
      { parent: this },
    );
    this.imageName = this.image.imageName;
    this.repoDigest = this.image.repoDigest;
    this.appId = pulumi.output(args.appId ?? name);
    this.dataFolder = pulumi.output(args.dataFolder ?? DEFAULT_DATA_FOLDER);
    this.defenderVersion = open((p) => p.defenderVersion);
    this.wrappedEntrypoint = open((p) => p.wrappedEntrypoint);
    this.command = open((p) => p.command);
    this.defenderEnvironment = open((p) => p.environment);
    this.installBundle = bake ? pulumi.secret(pulumi.output(undefined)) : installBundle;
    this.registerOutputs({
      imageName: this.imageName,
      repoDigest: this.repoDigest,
      image: this.image,
      appId: this.appId,
      dataFolder: this.dataFolder,
      defenderVersion: this.defenderVersion,
      platform: this.platform,
      wrappedEntrypoint: this.wrappedEntrypoint,
      command: this.command,
      defenderEnvironment: this.defenderEnvironment,
      installBundle: this.installBundle,
    });
  }
}

const IMAGE_NAME_REQUIRED = problem(
  "imageName",
  "is required. Give the name to push, such as registry.example.com/team/app:1.0.",
);
