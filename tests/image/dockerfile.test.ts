// The Dockerfile reader and the Defender block: the builder's rules that decide what a container runs, and the
// errors a user gets (with the line) before any Console request.
import { analyzeDockerfile, DockerfileError } from "../../provider/image/dockerfile";
import { substituteVariables } from "../../provider/image/dockerfileVariables";
import {
  embedDefender,
  envValue,
  protectImageDockerfile,
} from "../../provider/image/defenderBlock";

const settings = {
  appId: "demo-app",
  dataFolder: "/twistlock",
  wsAddress: "wss://console.example.com:8084",
  filesystemMonitoring: false,
  bakeInstallBundle: false,
};
const config = (text: string, target?: string, buildArgs?: Record<string, string>) =>
  analyzeDockerfile(text, { target, buildArgs }).config;
const errorOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(DockerfileError);
    return (e as Error).message;
  }
  throw new Error("expected a DockerfileError");
};

describe("what the image runs", () => {
  test("exec form is read as JSON after folding continuations and their comment lines", () => {
    const c = config(`FROM scratch\nENTRYPOINT ["/app", \\\n  # why\n\n  "--x", "a\\"b"]\n`);
    expect(c.entrypoint).toEqual(["/app", "--x", 'a"b']);
    expect(c.entrypointInstruction).toMatchObject({ form: "exec", line: 2 });
  });

  test("shell form runs through the stage's SHELL, default /bin/sh -c", () => {
    expect(config("FROM scratch\nENTRYPOINT /webapp.py --port 80\n").entrypoint).toEqual([
      "/bin/sh",
      "-c",
      "/webapp.py --port 80",
    ]);
    const c = config('FROM scratch\nSHELL ["/bin/bash", "-c"]\nCMD echo $HOME\n');
    expect(c.cmd).toEqual(["/bin/bash", "-c", "echo $HOME"]);
  });

  test("the backtick escape directive folds continuations too", () => {
    const c = config('# escape=`\nFROM scratch\nENTRYPOINT ["C:\\\\app.exe", `\n  "--x"]\n');
    expect(c.entrypoint).toEqual(["C:\\app.exe", "--x"]);
  });

  test("ENTRYPOINT and CMD are not ARG-substituted (the builder leaves them literal)", () => {
    expect(config('FROM scratch\nARG X=1\nENTRYPOINT ["/bin/${X}"]\n').entrypoint).toEqual([
      "/bin/${X}",
    ]);
  });

  test("a stage setting ENTRYPOINT without CMD resets the CMD it inherited", () => {
    const text =
      'FROM scratch AS base\nENTRYPOINT ["/a"]\nCMD ["--x"]\nFROM base\nENTRYPOINT ["/b"]\n';
    expect(config(text)).toMatchObject({ entrypoint: ["/b"], cmd: [] });
    const kept = 'FROM scratch AS base\nCMD ["--x"]\nFROM base\nCMD ["--y"]\nENTRYPOINT ["/b"]\n';
    expect(config(kept)).toMatchObject({ entrypoint: ["/b"], cmd: ["--y"] });
  });

  test("stages are inherited through FROM <stage>, names are case-insensitive", () => {
    const c = config('FROM scratch AS Base\nENTRYPOINT ["/a"]\nCMD ["x"]\nFROM base\nRUN true\n');
    expect(c).toMatchObject({ entrypoint: ["/a"], cmd: ["x"] });
    expect(c.entrypointInstruction).toBeUndefined();
  });

  test("a registry base leaves ENTRYPOINT and CMD unknown", () => {
    const c = config("FROM alpine:3.20\nRUN true\n");
    expect(c.entrypoint).toBeUndefined();
    expect(c.cmd).toBeUndefined();
  });

  test("target picks the stage, and FROM uses global ARGs with build args overriding", () => {
    const text = [
      "ARG BASE=alpine",
      "ARG TAG",
      "FROM ${BASE}:${TAG:-3.20} AS one",
      'ENTRYPOINT ["/one"]',
      "FROM one AS two",
      'CMD ["x"]',
    ].join("\n");
    const a = analyzeDockerfile(text, { target: "ONE", buildArgs: { TAG: "3.19", OTHER: "x" } });
    expect(a.stage.name).toBe("one");
    expect(a.stage.base).toBe("alpine:3.19");
    expect(analyzeDockerfile(text).stage.base).toBe("one");
    expect(analyzeDockerfile(text).stage.baseKind).toBe("stage");
  });

  test("USER is substituted with in-stage ARGs, a redeclared global ARG and build args", () => {
    const text = 'ARG U=g\nFROM scratch\nARG U\nARG G=grp\nUSER ${U}:${G}\nCMD ["x"]\n';
    expect(config(text).user).toBe("g:grp");
    expect(config(text, undefined, { G: "staff" }).user).toBe("g:staff");
  });
});

describe("variable substitution", () => {
  const vars = new Map<string, string | undefined>([
    ["SET", "v"],
    ["EMPTY", ""],
    ["NOVALUE", undefined],
  ]);
  test.each([
    ["$SET/${SET}", "v/v"],
    ["${MISSING}x", "x"],
    ["${EMPTY:-d} ${EMPTY-d}", "d "],
    ["${NOVALUE-d} ${MISSING:-$SET}", "d v"],
    ["${SET:+alt} ${EMPTY:+alt} ${EMPTY+alt}", "alt  alt"],
    ["\\$SET costs $", "$SET costs $"],
  ])("%s", (input, expected) => expect(substituteVariables(input, vars)).toBe(expected));
});

describe("Dockerfiles we refuse, with the line", () => {
  test.each([
    [
      "FROM scratch\nENTRYPOINT ['/app']\n",
      'line 2: ENTRYPOINT starts with "[" but is not a JSON array',
    ],
    ['FROM scratch\nCMD ["/app", 1]\n', "line 2: CMD starts with"],
    ["FROM scratch\nSHELL /bin/bash -c\n", "line 2: SHELL must be a JSON array"],
    ["FROM scratch\nENTRYPONT /app\n", 'line 2: unknown instruction "ENTRYPONT"'],
    ["RUN true\nFROM scratch\n", "line 1: RUN before the first FROM"],
    ["# only a comment\n", "no FROM instruction"],
    ["FROM\n", "line 1: FROM has no image"],
  ])("%j", (text, message) => {
    expect(errorOf(() => analyzeDockerfile(text))).toContain(message);
  });

  test("an unknown target names the stages there are", () => {
    const message = errorOf(() =>
      analyzeDockerfile("FROM a AS build\nFROM b AS app\n", { target: "prod" }),
    );
    expect(message).toBe('no stage named "prod" (stages with names: build, app)');
  });

  test("neither ENTRYPOINT nor CMD is an error that says what to do", () => {
    expect(errorOf(() => embedDefender("FROM scratch\nCOPY a /a\n", settings))).toContain(
      "has neither ENTRYPOINT nor CMD",
    );
    const message = errorOf(() => embedDefender("FROM node:20\nCOPY . /app\n", settings));
    expect(message).toContain("`originalEntrypoint`/`originalCommand`");
    expect(message).toContain("docker inspect");
  });

  test("mode `image` needs the original program", () => {
    expect(
      errorOf(() => protectImageDockerfile({ ...settings, baseImage: "nginx:1.27" })),
    ).toContain("mode `image` needs the image's `originalEntrypoint` and/or `originalCommand`");
  });

  test("a setting with a line break cannot inject instructions", () => {
    expect(() => envValue("a\nRUN evil")).toThrow(DockerfileError);
    expect(() =>
      embedDefender('FROM scratch\nCMD ["x"]\n', { ...settings, wsAddress: "wss://h\nRUN x" }),
    ).toThrow("line break");
  });
});

describe("the block", () => {
  test("ENV values are quoted so the builder substitutes nothing", () => {
    expect(envValue('a$b"c\\d')).toBe('"a\\$b\\"c\\\\d"');
    const result = embedDefender('FROM scratch\nCMD ["x"]\n', { ...settings, appId: "a$HOME" });
    expect(analyzeDockerfile(result.dockerfile).stage.instructions.length).toBeGreaterThan(1);
    expect(result.dockerfile).toContain('ENV DEFENDER_APP_ID="a\\$HOME"');
  });

  test("the base image's entrypoint, when given, is wrapped; the Dockerfile's own wins", () => {
    const given = embedDefender('FROM node:20\nCMD ["node", "app.js"]\n', {
      ...settings,
      originalEntrypoint: ["docker-entrypoint.sh"],
    });
    expect(given.wrappedEntrypoint).toEqual([
      "/twistlock/defender",
      "app-embedded",
      "docker-entrypoint.sh",
    ]);
    expect(given.command).toEqual(["node", "app.js"]);
    expect(given.warnings).toEqual([]);
    const own = embedDefender('FROM node:20\nENTRYPOINT ["/x"]\n', {
      ...settings,
      originalEntrypoint: ["docker-entrypoint.sh"],
    });
    expect(own.wrappedEntrypoint).toEqual(["/twistlock/defender", "app-embedded", "/x"]);
    expect(own.warnings).toEqual([
      "`originalEntrypoint` is ignored: the Dockerfile sets it on line 2",
    ]);
  });

  test("a non-root USER gets the data folder through ADD --chown; root does not", () => {
    const base = 'FROM alpine:3.20\nUSER app:staff\nENTRYPOINT ["/app"]\n';
    const result = embedDefender(base, settings);
    expect(result.dockerfile).toContain(
      'ADD --chown=app:staff ["twistlock_defender_app_embedded.tar.gz", "/twistlock"]',
    );
    expect(result.warnings).toEqual([]);
    for (const root of ["USER 0:0", "USER root"]) {
      const asRoot = embedDefender(base.replace("USER app:staff", root), settings);
      expect(asRoot.dockerfile).toContain('ADD ["twistlock_defender_app_embedded.tar.gz"');
    }
    // Inherited from a parent stage, and substituted from a build arg.
    const inherited = 'FROM alpine:3.20 AS b\nARG U\nUSER ${U}\nFROM b\nENTRYPOINT ["/app"]\n';
    expect(
      embedDefender(inherited, { ...settings, buildArgs: { U: "10001" } }).dockerfile,
    ).toContain("ADD --chown=10001 [");
    expect(errorOf(() => embedDefender(base.replace("app:staff", "a b"), settings))).toMatch(
      /USER "a b" is not a user name or uid/,
    );
  });

  test.each([
    ["COPY app.sh /twistlock/notes.txt", 2, "COPY"],
    ["COPY --chown=app a.sh b.sh /twistlock/", 2, "COPY"],
    ['ADD ["x", "/twistlock"]', 2, "ADD"],
    ["WORKDIR /twistlock/work", 2, "WORKDIR"],
    ["VOLUME /twistlock", 2, "VOLUME"],
    ["RUN mkdir -p /twistlock", 2, "RUN"],
  ])("a folder that exists before the ADD (%s) is warned about", (instruction, line, keyword) => {
    const text = `FROM alpine:3.20\n${instruction}\nUSER 10001\nENTRYPOINT ["/app"]\n`;
    expect(embedDefender(text, settings).warnings).toEqual([
      expect.stringContaining(
        `runs as USER 10001, and line ${line} (${keyword}) may create dataFolder /twistlock before the Defender is added`,
      ),
    ]);
  });

  test.each([
    "RUN mkdir -p /twistlock && chown app /twistlock",
    "RUN mkdir -p /twistlock2",
    "COPY notes.txt /twistlock2/",
    "ENV DATA_FOLDER=/twistlock",
  ])(
    "no warning when the Dockerfile prepares the folder or does not create it: %s",
    (instruction) => {
      const text = `FROM alpine:3.20\n${instruction}\nUSER app\nENTRYPOINT ["/app"]\n`;
      expect(embedDefender(text, settings).warnings).toEqual([]);
    },
  );

  test("CRLF files stay CRLF", () => {
    const result = embedDefender('FROM scratch\r\nCMD ["x"]\r\n', settings);
    expect(
      result.dockerfile.split("\n").every((l, i, all) => i === all.length - 1 || l.endsWith("\r")),
    ).toBe(true);
  });
});
