// The rules EmbeddedDefenderImage's arguments must follow, as one pure function returning every problem, each
// naming the field and the fix. The component runs it on the values that are plain in its constructor, and the
// deploy-time plan runs it again on everything once Outputs have resolved, before any Console request.
import { InputProblem, problem } from "../core/problems";
import * as fs from "node:fs";
import * as path from "node:path";

/** How the Defender gets into the image. */
export const EmbedMode = {
  /** Send the Dockerfile to the Console (`POST /defenders/app-embedded`) and build from the Dockerfile it returns. */
  Console: "console",
  /** Download the Defender tarball and add the Defender block to the Dockerfile ourselves. */
  Tarball: "tarball",
  /** Protect an existing image by reference: `FROM <baseImage>` plus the Defender block. */
  Image: "image",
} as const;
/** How the Defender gets into the image. */
export type EmbedMode = (typeof EmbedMode)[keyof typeof EmbedMode];

/** Where the Defender's INSTALL_BUNDLE credential goes. */
export const InstallBundlePlacement = {
  /** As an ENV in the image, like the Console does: anyone who can pull the image can read the credential. */
  BakedIntoImage: "bakedIntoImage",
  /** Not in the image: exposed as the secret output `installBundle` for the runtime to set as INSTALL_BUNDLE. */
  InjectAtRuntime: "injectAtRuntime",
} as const;
/** Where the Defender's INSTALL_BUNDLE credential goes. */
export type InstallBundlePlacement =
  (typeof InstallBundlePlacement)[keyof typeof InstallBundlePlacement];

/**
 * App IDs: 1-128 characters, letters, digits and `.` `_` `:` `-`, starting with a letter or digit. The Console's
 * own rule is undocumented; this is the simulator's (provider/simulator/appEmbedded.ts), kept equal by a test.
 */
export const APP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** An absolute path of plain characters: it is written into ADD, ENV and the ENTRYPOINT. */
export const DATA_FOLDER_PATTERN = /^\/[A-Za-z0-9._/-]*$/;
const PLATFORM_PATTERN = /^[a-z0-9]+\/[a-z0-9_]+(\/[a-z0-9]+)?$/;
const IMAGE_REF_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;
export const DEFAULT_DATA_FOLDER = "/twistlock";

/** The arguments with Outputs resolved (absent when not given; `undefined` also for unknown-at-construction). */
export interface EmbeddedImageValues {
  mode: EmbedMode;
  context?: string;
  dockerfile?: string;
  target?: string;
  platform?: string;
  buildArgs?: Record<string, string>;
  baseImage?: string;
  originalEntrypoint?: string[];
  originalCommand?: string[];
  appId?: string;
  dataFolder?: string;
}

/** The Dockerfile path docker would use: `dockerfile` (relative to the working directory), else `<context>/Dockerfile`. */
export function dockerfilePathOf(values: {
  context?: string;
  dockerfile?: string;
}): string | undefined {
  if (values.dockerfile !== undefined) return path.resolve(values.dockerfile);
  return values.context !== undefined ? path.resolve(values.context, "Dockerfile") : undefined;
}

/** Every problem with the given values; `present` lists fields given as still-unknown Outputs (checked later). */
export function embeddedImageProblems(
  values: EmbeddedImageValues,
  present: string[] = [],
): InputProblem[] {
  const problems: InputProblem[] = [];
  const given = (field: keyof EmbeddedImageValues) =>
    values[field] !== undefined || present.includes(field);
  const { mode } = values;
  if (!Object.values(EmbedMode).includes(mode)) {
    problems.push(
      problem(
        "mode",
        `must be one of ${Object.values(EmbedMode).join(", ")}; got ${JSON.stringify(mode)}`,
      ),
    );
  }
  if (mode === EmbedMode.Image) {
    if (!given("baseImage"))
      problems.push(
        problem(
          "baseImage",
          "is required in mode `image`: the image to protect, such as registry.example.com/app@sha256:...",
        ),
      );
    for (const field of ["context", "dockerfile", "target", "buildArgs"] as const) {
      if (given(field))
        problems.push(
          problem(
            field,
            `is not used in mode \`image\` (it builds FROM \`baseImage\`); remove it, or use mode \`tarball\` to build your Dockerfile`,
          ),
        );
    }
  } else {
    if (!given("context"))
      problems.push(problem("context", `is required in mode \`${mode}\`: the directory to build`));
    if (given("baseImage"))
      problems.push(
        problem(
          "baseImage",
          `is only used in mode \`image\`; the base image comes from the Dockerfile's FROM`,
        ),
      );
    if (mode === EmbedMode.Console) {
      for (const field of ["originalEntrypoint", "originalCommand"] as const) {
        if (given(field))
          problems.push(
            problem(
              field,
              `cannot be used in mode \`console\` (the Console decides what to wrap); use mode \`tarball\``,
            ),
          );
      }
    }
  }
  if (values.context !== undefined) {
    const stat = fs.statSync(values.context, { throwIfNoEntry: false });
    if (!stat)
      problems.push(
        problem("context", `${values.context} does not exist (resolved from ${process.cwd()})`),
      );
    else if (!stat.isDirectory())
      problems.push(problem("context", `${values.context} is not a directory`));
  }
  const dockerfile = mode === EmbedMode.Image ? undefined : dockerfilePathOf(values);
  if (
    dockerfile !== undefined &&
    (values.dockerfile !== undefined || fs.existsSync(values.context!))
  ) {
    const stat = fs.statSync(dockerfile, { throwIfNoEntry: false });
    const which = values.dockerfile !== undefined ? "" : " (the default, <context>/Dockerfile)";
    if (!stat) problems.push(problem("dockerfile", `${dockerfile}${which} does not exist`));
    else if (!stat.isFile())
      problems.push(problem("dockerfile", `${dockerfile}${which} is not a file`));
  }
  if (values.appId !== undefined && !APP_ID_PATTERN.test(values.appId)) {
    problems.push(
      problem(
        "appId",
        `${JSON.stringify(values.appId)} is not accepted by the Console: use 1-128 letters, digits, '.', '_', ':' or '-', starting with a letter or digit`,
      ),
    );
  }
  const folder = values.dataFolder;
  if (
    folder !== undefined &&
    (!DATA_FOLDER_PATTERN.test(folder) ||
      folder.split("/").includes("..") ||
      folder.replace(/\/+$/, "") === "")
  ) {
    problems.push(
      problem(
        "dataFolder",
        `${JSON.stringify(folder)} must be an absolute directory path of letters, digits, '.', '_', '-' and '/', other than / and without '..' (such as ${DEFAULT_DATA_FOLDER})`,
      ),
    );
  }
  if (values.platform !== undefined && !PLATFORM_PATTERN.test(values.platform)) {
    problems.push(
      problem("platform", `${JSON.stringify(values.platform)} must look like linux/amd64`),
    );
  }
  if (values.baseImage !== undefined && !IMAGE_REF_PATTERN.test(values.baseImage)) {
    problems.push(
      problem(
        "baseImage",
        `${JSON.stringify(values.baseImage)} is not an image reference (such as registry.example.com/team/app:1.2 or ...@sha256:<digest>)`,
      ),
    );
  }
  for (const field of ["originalEntrypoint", "originalCommand"] as const) {
    const value = values[field];
    if (
      value !== undefined &&
      (!Array.isArray(value) || value.some((v) => typeof v !== "string"))
    ) {
      problems.push(
        problem(
          field,
          `must be a list of strings (exec form), such as ["/app/server", "--port", "8080"]`,
        ),
      );
    }
  }
  return problems;
}
