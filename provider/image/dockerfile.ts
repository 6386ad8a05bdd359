// Reading a Dockerfile the way the builder does: which stage is built, what that stage's container runs
// (ENTRYPOINT and CMD, inherited through `FROM <stage>`), in exec or shell form, after comment lines and line
// continuations are folded. Pure: text in, plain data out; errors carry the line number.
//
// Structure comes from dockerfile-ast (a real parser, the one behind the VS Code Docker extension). Two things are
// done here on top of it because the builder does them and the library does not: folding continuation lines that
// contain comment lines before reading an exec-form JSON array, and `${VAR:-default}` substitution in FROM.
import { problem, ProblemsError } from "../core/problems";
import { DockerfileParser, Instruction } from "dockerfile-ast";
import { substituteVariables } from "./dockerfileVariables";

/** A Dockerfile problem, with the 1-based line it was found on (when it has one). */
export class DockerfileError extends ProblemsError {
  constructor(
    message: string,
    readonly line?: number,
  ) {
    const text = line ? `line ${line}: ${message}` : message;
    super(problem("dockerfile", text));
    this.message = text;
    this.name = "DockerfileError";
  }
}

/** One ENTRYPOINT or CMD as the builder stores it in the image config. */
export interface DockerCommand {
  /** The argv the image config holds: the JSON array, or `[...SHELL, text]` for the shell form. */
  argv: string[];
  form: "exec" | "shell";
  /** 1-based line of the instruction. */
  line: number;
}

/** A build stage: one FROM and the instructions up to the next. */
export interface DockerStage {
  index: number;
  /** `AS <name>`, lowercased as the builder treats it. */
  name?: string;
  /** The FROM image after ARG substitution (build args override ARG defaults). */
  base: string;
  /** `scratch`, an earlier stage of this Dockerfile, or an image from a registry. */
  baseKind: "scratch" | "stage" | "image";
  parentStage?: number;
  /** 0-based line of the FROM, and of the last line of the stage's last instruction. */
  startLine: number;
  endLine: number;
  instructions: Instruction[];
}

/** What a stage's image runs. `undefined` means "inherited from a registry image, so not known here". */
export interface EffectiveConfig {
  entrypoint?: string[];
  cmd?: string[];
  /** Set by an ENTRYPOINT or CMD instruction of the selected stage itself (not inherited). */
  entrypointInstruction?: DockerCommand;
  cmdInstruction?: DockerCommand;
  /** The SHELL in effect at the end of the stage (default `/bin/sh -c`). */
  shell: string[];
  /** USER in effect at the end of the stage, after substitution; undefined when never set here. */
  user?: string;
}

export interface DockerfileAnalysis {
  stages: DockerStage[];
  /** The stage that gets built: `target`, else the last one. */
  stage: DockerStage;
  config: EffectiveConfig;
  escapeChar: string;
  /** The text split into lines (without line ends) and the line end the file uses. */
  lines: string[];
  eol: string;
}

export interface AnalyzeOptions {
  /** `--target`: the stage to build. Default: the last stage. */
  target?: string;
  /** `--build-arg` values; they override ARG defaults. */
  buildArgs?: Record<string, string>;
}

const KEYWORDS = new Set([
  "ADD", "ARG", "CMD", "COPY", "ENTRYPOINT", "ENV", "EXPOSE", "FROM", "HEALTHCHECK", "LABEL", "MAINTAINER",
  "ONBUILD", "RUN", "SHELL", "STOPSIGNAL", "USER", "VOLUME", "WORKDIR",
]); // prettier-ignore
const DEFAULT_SHELL = ["/bin/sh", "-c"];

const lineOf = (i: Instruction) => i.getRange().start.line + 1;

/**
 * The instruction's arguments as the builder reads them: escaped line ends removed, and comment or empty lines
 * inside a continuation dropped (the builder drops them; dockerfile-ast keeps them in the raw text).
 */
export function foldedArguments(instruction: Instruction, escapeChar: string): string {
  const raw = instruction.getRawArgumentsContent() ?? "";
  const lines = raw.split(/\r?\n/);
  const continuation = new RegExp(`${escapeChar === "`" ? "`" : "\\\\"}[ \\t]*$`);
  let out = "";
  lines.forEach((line, i) => {
    if (i > 0 && (/^\s*#/.test(line) || line.trim() === "")) return;
    out += i < lines.length - 1 ? line.replace(continuation, "") : line;
  });
  return out.trim();
}

/**
 * ENTRYPOINT, CMD and SHELL: exec form when the text is a JSON array of strings. The builder quietly falls back
 * to the shell form for anything else starting with `[`, which turns a typo such as single quotes into
 * `/bin/sh -c "['app']"`; that is always a mistake, so it is an error here.
 */
export function readCommand(
  instruction: Instruction,
  escapeChar: string,
  shell: string[],
): DockerCommand {
  const text = foldedArguments(instruction, escapeChar);
  const line = lineOf(instruction);
  const keyword = instruction.getKeyword();
  if (text.startsWith("[")) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (!Array.isArray(parsed) || parsed.some((v) => typeof v !== "string")) {
      throw new DockerfileError(
        `${keyword} starts with "[" but is not a JSON array of strings (use double quotes: ${keyword} ["/app/server", "--port", "8080"]); Docker would run the text through /bin/sh -c instead`,
        line,
      );
    }
    return { argv: parsed as string[], form: "exec", line };
  }
  if (keyword === "SHELL") {
    throw new DockerfileError(
      `SHELL must be a JSON array, such as SHELL ["/bin/bash", "-c"]`,
      line,
    );
  }
  if (text === "") throw new DockerfileError(`${keyword} has no arguments`, line);
  return { argv: [...shell, text], form: "shell", line };
}

/** Global ARGs (before the first FROM) with their values: build args override defaults. */
function globalArgs(
  instructions: Instruction[],
  buildArgs: Record<string, string>,
): Map<string, string | undefined> {
  const vars = new Map<string, string | undefined>();
  for (const instruction of instructions) {
    if (instruction.getKeyword() === "FROM") break;
    for (const prop of (instruction as any).getProperties?.() ?? []) {
      const name: string = prop.getName();
      const def: string | null = prop.getValue();
      vars.set(
        name,
        buildArgs[name] ?? (def === null ? undefined : substituteVariables(def, vars)),
      );
    }
  }
  return vars;
}

function readStages(
  instructions: Instruction[],
  args: Map<string, string | undefined>,
): DockerStage[] {
  const stages: DockerStage[] = [];
  for (const instruction of instructions) {
    const keyword = instruction.getKeyword();
    if (!KEYWORDS.has(keyword)) {
      throw new DockerfileError(
        `unknown instruction "${instruction.getInstruction()}"`,
        lineOf(instruction),
      );
    }
    if (keyword === "FROM") {
      const from = instruction as any;
      const raw: string | null = from.getImage();
      if (!raw) throw new DockerfileError("FROM has no image", lineOf(instruction));
      const base = substituteVariables(raw, args);
      const lower = base.toLowerCase();
      const parent = stages.find((s) => s.name !== undefined && s.name === lower);
      const name: string | null = from.getBuildStage();
      stages.push({
        index: stages.length,
        name: name ? name.toLowerCase() : undefined,
        base,
        baseKind: lower === "scratch" ? "scratch" : parent ? "stage" : "image",
        parentStage: parent?.index,
        startLine: instruction.getRange().start.line,
        endLine: instruction.getRange().end.line,
        instructions: [],
      });
      continue;
    }
    const current = stages[stages.length - 1];
    if (!current) {
      if (keyword === "ARG") continue;
      throw new DockerfileError(
        `${keyword} before the first FROM (only ARG may come before FROM)`,
        lineOf(instruction),
      );
    }
    current.instructions.push(instruction);
    current.endLine = instruction.getRange().end.line;
  }
  if (stages.length === 0)
    throw new DockerfileError("no FROM instruction: this is not a Dockerfile");
  return stages;
}

/** ENTRYPOINT/CMD/SHELL/USER in effect at the end of `stage`, following `FROM <stage>` chains. */
function effectiveConfig(
  stages: DockerStage[],
  stage: DockerStage,
  escapeChar: string,
  buildArgs: Record<string, string>,
  globals: Map<string, string | undefined>,
  own: boolean,
): EffectiveConfig {
  const parent = stages[stage.parentStage ?? -1];
  const config: EffectiveConfig =
    parent && stage.baseKind === "stage"
      ? { ...effectiveConfig(stages, parent, escapeChar, buildArgs, globals, false) }
      : stage.baseKind === "scratch"
        ? { entrypoint: [], cmd: [], shell: DEFAULT_SHELL }
        : { shell: DEFAULT_SHELL };
  delete config.entrypointInstruction;
  delete config.cmdInstruction;
  const vars = new Map<string, string | undefined>();
  let cmdSet = false;
  for (const instruction of stage.instructions) {
    switch (instruction.getKeyword()) {
      case "ARG":
      case "ENV":
        for (const prop of (instruction as any).getProperties() ?? []) {
          const value: string | null = prop.getValue();
          const name: string = prop.getName();
          const isArg = instruction.getKeyword() === "ARG";
          vars.set(
            name,
            (isArg ? buildArgs[name] : undefined) ??
              (value === null
                ? (vars.get(name) ?? (isArg ? globals.get(name) : undefined))
                : substituteVariables(value, vars)),
          );
        }
        break;
      case "SHELL":
        config.shell = readCommand(instruction, escapeChar, config.shell).argv;
        break;
      case "USER":
        config.user = substituteVariables(foldedArguments(instruction, escapeChar), vars);
        break;
      case "ENTRYPOINT": {
        const command = readCommand(instruction, escapeChar, config.shell);
        config.entrypoint = command.argv;
        if (own) config.entrypointInstruction = command;
        // The builder resets an inherited CMD when a stage sets ENTRYPOINT without its own CMD.
        if (!cmdSet) config.cmd = [];
        break;
      }
      case "CMD": {
        const command = readCommand(instruction, escapeChar, config.shell);
        config.cmd = command.argv;
        if (own) config.cmdInstruction = command;
        cmdSet = true;
        break;
      }
    }
  }
  return config;
}

/** Parse a Dockerfile and find the built stage and what its container runs. Throws `DockerfileError`. */
export function analyzeDockerfile(
  content: string,
  options: AnalyzeOptions = {},
): DockerfileAnalysis {
  const buildArgs = options.buildArgs ?? {};
  const document = DockerfileParser.parse(content);
  const escapeChar = document.getEscapeCharacter();
  const instructions = document.getInstructions();
  const globals = globalArgs(instructions, buildArgs);
  const stages = readStages(instructions, globals);
  let stage = stages[stages.length - 1];
  if (options.target !== undefined) {
    const wanted = options.target.toLowerCase();
    const found = stages.find((s) => s.name === wanted);
    if (!found) {
      const names = stages.map((s) => s.name).filter((n) => n !== undefined);
      throw new DockerfileError(
        `no stage named "${options.target}" (stages with names: ${names.length ? names.join(", ") : "none"})`,
      );
    }
    stage = found;
  }
  const config = effectiveConfig(stages, stage, escapeChar, buildArgs, globals, true);
  const eol = content.includes("\r\n") ? "\r\n" : "\n";
  return { stages, stage, config, escapeChar, lines: content.split(/\r?\n/), eol };
}
