// `POST defenders/app-embedded`: the Console appends the documented Defender block after the final stage of the
// user's Dockerfile (docs/console-api.md#console-dockerfile) and zips it with the Defender tarball.
import { DockerfileParser, Instruction } from "dockerfile-ast";
import { ConsoleHttpError } from "./http";
import type { AppEmbeddedQuirk } from "./types";

export interface EmbedInput {
  appID: string;
  consoleAddr: string;
  dataFolder: string;
  dockerfile: string;
  filesystemMonitoring?: boolean;
}

/**
 * Our rule for appID (the Console's own is undocumented): 1-128 characters, letters, digits and `.` `_` `-` `:`
 * (Fargate app IDs are `<task>:<uuid>`), starting with a letter or digit. It lands in `ENV DEFENDER_APP_ID="..."`
 * and in the zip's file name, so quotes, spaces, slashes and newlines are refused.
 */
export const APP_ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/;
/** An absolute path with no spaces or quotes: it is written unquoted into ADD and the ENTRYPOINT. */
export const DATA_FOLDER_PATTERN = /^\/[A-Za-z0-9._/-]*$/;

export interface EmbedSettings {
  installBundle: string;
  wsAddress: string;
  /** Mistakes to make on purpose (see `ConsoleSimulatorOptions.appEmbeddedQuirks`). */
  quirks?: AppEmbeddedQuirk[];
}

interface Command {
  exec?: string[];
  shell?: string;
  /** The instruction's text, to repeat it. */
  text: string;
}

function parseCommand(instruction: Instruction, quirks: AppEmbeddedQuirk[] = []): Command {
  let content = (instruction.getArgumentsContent() ?? "").trim();
  if (quirks.includes("blankLineEndsInstruction")) {
    const raw = instruction.getRawArgumentsContent() ?? "";
    const lines = raw.split(/\r?\n/);
    const blank = lines.findIndex((l, i) => i > 0 && l.trim() === "");
    if (blank > 0) {
      content = lines
        .slice(0, blank)
        .map((l) => l.replace(/\\[ \t]*$/, ""))
        .join("");
    }
  }
  const text = `${instruction.getKeyword()} ${content}`;
  if (content.startsWith("[")) {
    try {
      const parsed: unknown = JSON.parse(content);
      if (Array.isArray(parsed) && parsed.every((a) => typeof a === "string"))
        return { exec: parsed, text };
    } catch {
      // Not valid JSON: Docker runs it in shell form.
    }
  }
  return { shell: content, text };
}

/** ENTRYPOINT and CMD of the final image, with Docker's rule that ENTRYPOINT resets an inherited CMD. */
export function effectiveCommands(
  dockerfile: string,
  quirks: AppEmbeddedQuirk[] = [],
): {
  entrypoint?: Command;
  cmd?: Command;
  cmdSetInFinalStage: boolean;
} {
  const parsed = DockerfileParser.parse(dockerfile);
  const froms = parsed.getFROMs();
  if (froms.length === 0)
    throw new ConsoleHttpError(400, "invalid Dockerfile: no FROM instruction");
  const stages = froms.map((from, index) => {
    const start = from.getRange().start.line;
    const end = index + 1 < froms.length ? froms[index + 1].getRange().start.line : Infinity;
    return {
      name: from.getBuildStage()?.toLowerCase(),
      base: (from.getImage() ?? "").toLowerCase(),
      instructions: parsed.getInstructions().filter((i) => {
        const line = i.getRange().start.line;
        return line > start && line < end;
      }),
    };
  });
  const chain: typeof stages = [];
  for (let i = stages.length - 1; i >= 0;) {
    chain.unshift(stages[i]);
    const base = stages[i].base;
    let parent = -1;
    for (let j = i - 1; j >= 0 && parent < 0; j--) if (stages[j].name === base) parent = j;
    i = parent;
  }
  let entrypoint: Command | undefined;
  let cmd: Command | undefined;
  let cmdSet = false;
  chain.forEach((stage, index) => {
    cmdSet = false;
    const last = index === chain.length - 1;
    for (const instruction of stage.instructions) {
      const keyword = instruction.getKeyword().toUpperCase();
      if (keyword === "CMD") {
        cmd = parseCommand(instruction, quirks);
        cmdSet = true;
      } else if (keyword === "ENTRYPOINT") {
        entrypoint = parseCommand(instruction, quirks);
        if (!cmdSet && !(last && quirks.includes("keepsResetCmd"))) cmd = undefined;
      }
    }
  });
  return { entrypoint, cmd, cmdSetInFinalStage: cmdSet };
}

function shellQuote(value: string): string {
  return `'${value.replace(/'/g, `'\\''`)}'`;
}

/** The protected Dockerfile: the original, then the Defender block. */
export function embedDockerfile(input: EmbedInput, settings: EmbedSettings): string {
  const { entrypoint, cmd, cmdSetInFinalStage } = effectiveCommands(
    input.dockerfile,
    settings.quirks,
  );
  if (!entrypoint && !cmd) {
    throw new ConsoleHttpError(
      400,
      "failed to embed defender: the Dockerfile must include either a CMD or ENTRYPOINT instruction",
    );
  }
  const folder = input.dataFolder.replace(/\/+$/, "") || "/";
  const defender = `${folder === "/" ? "" : folder}/defender`;
  const lines = [
    "# Twistlock Container Defender - app embedded",
    `ADD twistlock_defender_app_embedded.tar.gz ${folder}`,
    `ENV DEFENDER_TYPE="appEmbedded"`,
    `ENV DEFENDER_APP_ID="${input.appID}"`,
    `ENV FILESYSTEM_MONITORING="${input.filesystemMonitoring === true}"`,
    `ENV WS_ADDRESS="${settings.wsAddress}"`,
    `ENV DATA_FOLDER="${folder}"`,
    `ENV INSTALL_BUNDLE="${settings.installBundle}"`,
    `ENV FIPS_ENABLED="false"`,
  ];
  const execForm = (args: string[]) =>
    `ENTRYPOINT [${args.map((a) => JSON.stringify(a)).join(", ")}]`;
  if (entrypoint?.shell !== undefined) {
    // Shell form ignores CMD; keep running it through a shell, under the Defender.
    lines.push(
      `ENTRYPOINT exec ${defender} app-embedded /bin/sh -c ${shellQuote(entrypoint.shell)}`,
    );
  } else {
    lines.push(execForm([defender, "app-embedded", ...(entrypoint?.exec ?? [])]));
    // A new ENTRYPOINT drops a CMD inherited from an earlier stage or base: restate it so it still runs.
    if (cmd && !cmdSetInFinalStage) lines.push(cmd.text);
  }
  const original = input.dockerfile.endsWith("\n") ? input.dockerfile : `${input.dockerfile}\n`;
  return `${original}\n${lines.join("\n")}\n`;
}

/** Checks a request's fields the way the Console's handler would, naming the field. */
export function checkEmbedInput(input: Partial<EmbedInput>): EmbedInput {
  for (const field of ["appID", "consoleAddr", "dataFolder", "dockerfile"] as const) {
    if (typeof input[field] !== "string" || input[field]!.trim() === "") {
      throw new ConsoleHttpError(400, `missing ${field}`);
    }
  }
  if (!APP_ID_PATTERN.test(input.appID!)) {
    throw new ConsoleHttpError(
      400,
      `invalid appID ${JSON.stringify(input.appID)}: use 1-128 letters, digits, '.', '_', '-' or ':', ` +
        `starting with a letter or digit`,
    );
  }
  if (!DATA_FOLDER_PATTERN.test(input.dataFolder!)) {
    throw new ConsoleHttpError(
      400,
      `invalid dataFolder ${JSON.stringify(input.dataFolder)}: must be an absolute path without spaces or quotes`,
    );
  }
  return input as EmbedInput;
}
