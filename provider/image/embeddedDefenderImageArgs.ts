// The arguments of EmbeddedDefenderImage: they become the schema users of every language read.
import * as pulumi from "@pulumi/pulumi";
import { ConsoleArgs } from "../core/types";
import { EmbedMode, InstallBundlePlacement } from "./embeddedImageRules";

export { EmbedMode, InstallBundlePlacement };

/** Credentials of the registry the image is pushed to (as `@pulumi/docker`'s Image takes them). */
export interface EmbeddedImageRegistryArgs {
  /** Registry server, such as `123456789012.dkr.ecr.us-east-1.amazonaws.com`. */
  server?: pulumi.Input<string>;
  /** Registry user name (ECR: `AWS`, from `aws.ecr.getAuthorizationToken`). */
  username?: pulumi.Input<string>;
  /** Registry password or token. Treated as a secret. */
  password?: pulumi.Input<string>;
}

export interface EmbeddedDefenderImageArgs {
  /**
   * Default true. `false`: the same image resource, under the same URN and image name, built from your own context
   * and Dockerfile (a `baseImage` as is), without the Defender and without a Console call.
   */
  enabled?: boolean;
  /** How to reach the Compute Console. Fields not set here come from stack config or the environment. */
  console?: ConsoleArgs;
  /**
   * How the Defender is added. `tarball` (default): the Defender tarball is downloaded and the Defender block is
   * written by this component from your Dockerfile (which never leaves your machine). `console`: the Dockerfile is
   * sent to the Console, which rewrites it. `image`: protect an existing image given by `baseImage`.
   */
  mode?: EmbedMode;
  /**
   * Build context directory (modes Tarball and Console), relative to the working directory. It is copied, with
   * `.dockerignore` applied, into a private staging directory; your source tree is never written to.
   */
  context?: pulumi.Input<string>;
  /** Path to the Dockerfile, relative to the working directory. Default: `<context>/Dockerfile`. */
  dockerfile?: pulumi.Input<string>;
  /** Build args (`--build-arg`). They also resolve ARGs in `FROM` and `USER` when the Dockerfile is read. */
  buildArgs?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Stage to build (`--target`). The Defender is added to that stage. Default: the last stage. */
  target?: pulumi.Input<string>;
  /**
   * Platform to build for, such as `linux/amd64`. Default: the platform of the Defender the Console provides
   * (read from its tarball), else `linux/amd64`. A platform the Defender is not built for is refused.
   */
  platform?: pulumi.Input<string>;
  /** Mode `image`: the image to protect, best by digest (`registry/app@sha256:...`). */
  baseImage?: pulumi.Input<string>;
  /**
   * The image's original ENTRYPOINT (exec form). Normally not needed: when the Dockerfile (mode `tarball`,
   * `console`) or `baseImage` (mode `image`) leaves ENTRYPOINT or CMD to a registry image, its configuration is read
   * from the local Docker daemon or from the registry (with the credentials in `registry` for that registry,
   * anonymous tokens otherwise), and the deployment fails if it cannot be read. Give it (and/or `originalCommand`)
   * to skip that read (modes `tarball` and `image`): used only where no stage of the Dockerfile sets ENTRYPOINT.
   */
  originalEntrypoint?: pulumi.Input<pulumi.Input<string>[]>;
  /** The image's original CMD (exec form), kept as the arguments after the wrapped entrypoint. See `originalEntrypoint`. */
  originalCommand?: pulumi.Input<pulumi.Input<string>[]>;
  /** Name of the image to build and push, such as `<registry>/<repository>:<tag>`. */
  imageName: pulumi.Input<string>;
  /** Registry to push to, and its credentials (also used to read a base image from the same registry). */
  registry?: pulumi.Input<EmbeddedImageRegistryArgs>;
  /** Build only, do not push. Default: false. */
  skipPush?: pulumi.Input<boolean>;
  /**
   * App ID the Defender reports to the Console (Monitor > Runtime > App-Embedded observations). 1-128 letters,
   * digits, `.`, `_`, `:` or `-`, starting with a letter or digit. Default: the resource name.
   */
  appId?: pulumi.Input<string>;
  /**
   * Absolute directory the Defender is unpacked into and writes its state to at run time; the image's user must be
   * able to write there. Default: `/twistlock`.
   */
  dataFolder?: pulumi.Input<string>;
  /** Let the Defender monitor the file system (`FILESYSTEM_MONITORING`). Default: false. */
  filesystemMonitoring?: pulumi.Input<boolean>;
  /**
   * Where the INSTALL_BUNDLE credential goes. `injectAtRuntime` (default): not in the image; the secret output
   * `installBundle` must be set as the container's INSTALL_BUNDLE environment variable by the runtime (an ECS
   * secret, a Kubernetes secret), or the Defender cannot connect. `bakedIntoImage`: an ENV in the image, as the
   * Console does, so the image runs anywhere, but anyone who can pull it can read the credential.
   */
  installBundlePlacement?: InstallBundlePlacement;
}
