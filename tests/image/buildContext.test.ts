// Staging the build context: outside the user's tree, content-addressed, private, faithful to content and modes,
// .dockerignore respected, and reused while nothing changes.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import {
  listContext,
  pruneStagedContexts,
  STAGED_DOCKERFILE,
  stageBuildContext,
} from "../../provider/image/buildContext";
import { DEFENDER_TARBALL } from "../../provider/image/defenderBlock";

let work: string;
let context: string;
let cacheDir: string;
let tarball: { path: string; sha256: string };

const write = (rel: string, content: string, mode = 0o644) => {
  const file = path.join(context, rel);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  fs.chmodSync(file, mode);
};

/** path -> [type, mode, content or link target] of a tree, to compare trees. */
function tree(dir: string): Record<string, [string, number, string]> {
  const out: Record<string, [string, number, string]> = {};
  const walk = (rel: string) => {
    for (const name of fs.readdirSync(path.join(dir, rel)).sort()) {
      const r = rel ? `${rel}/${name}` : name;
      const full = path.join(dir, r);
      const st = fs.lstatSync(full);
      if (st.isSymbolicLink()) out[r] = ["link", 0, fs.readlinkSync(full)];
      else if (st.isDirectory()) {
        out[r] = ["dir", st.mode & 0o7777, ""];
        walk(r);
      } else out[r] = ["file", st.mode & 0o7777, fs.readFileSync(full, "utf8")];
    }
  };
  walk("");
  return out;
}

beforeEach(() => {
  work = fs.mkdtempSync(path.join(os.tmpdir(), "edi-context-"));
  context = path.join(work, "app");
  cacheDir = path.join(work, "cache");
  fs.mkdirSync(context);
  write("Dockerfile", 'FROM scratch\nCMD ["/app"]\n');
  write("app", "#!/bin/sh\necho hi\n", 0o755);
  write("conf/settings.yaml", "a: 1\n", 0o600);
  write("conf/readonly/secret.txt", "x\n", 0o444);
  fs.chmodSync(path.join(context, "conf/readonly"), 0o555);
  fs.symlinkSync("conf/settings.yaml", path.join(context, "settings-link"));
  const tgz = path.join(work, "defender.tar.gz");
  fs.writeFileSync(tgz, "not really a tarball, staging does not open it");
  tarball = { path: tgz, sha256: createHash("sha256").update(fs.readFileSync(tgz)).digest("hex") };
});

afterEach(() => {
  fs.chmodSync(path.join(context, "conf/readonly"), 0o755);
  for (const dir of fs.existsSync(cacheDir) ? [cacheDir] : []) {
    for (const d of fs.readdirSync(path.join(dir, "contexts"))) {
      const staged = path.join(dir, "contexts", d, "conf/readonly");
      if (fs.existsSync(staged)) fs.chmodSync(staged, 0o755);
    }
  }
  fs.rmSync(work, { recursive: true, force: true });
});

const stage = (dockerfile = "FROM scratch\n# protected\n") =>
  stageBuildContext({
    contextDir: context,
    dockerfilePath: path.join(context, "Dockerfile"),
    dockerfile,
    tarball,
    cacheDir,
  });

test("the staged context is the user's files, same content and modes, plus ours; the source is untouched", async () => {
  const before = tree(context);
  const staged = await stage();
  expect(tree(context)).toEqual(before);
  expect(staged.dir.startsWith(path.join(cacheDir, "contexts") + path.sep)).toBe(true);
  const copy = tree(staged.dir);
  expect(copy[STAGED_DOCKERFILE]).toEqual(["file", 0o600, "FROM scratch\n# protected\n"]);
  expect(copy[DEFENDER_TARBALL]?.[0]).toBe("file");
  delete copy[STAGED_DOCKERFILE];
  delete copy[DEFENDER_TARBALL];
  expect(copy).toEqual(before);
  expect(staged.dockerfile).toBe(path.join(staged.dir, STAGED_DOCKERFILE));
  expect(fs.statSync(cacheDir).mode & 0o777).toBe(0o700);
  expect(fs.statSync(path.join(cacheDir, "contexts")).mode & 0o777).toBe(0o700);
  expect(fs.statSync(staged.dir).mode & 0o777).toBe(0o700);
});

test("unchanged inputs give the same directory and reuse it; any change gives another", async () => {
  const first = await stage();
  const again = await stage();
  expect(again).toEqual({ ...first, reused: true });
  const otherDockerfile = await stage("FROM scratch\n# other\n");
  expect(otherDockerfile.dir).not.toBe(first.dir);
  fs.chmodSync(path.join(context, "app"), 0o700);
  const modeChanged = await stage();
  expect(modeChanged.dir).not.toBe(first.dir);
  write("app", "#!/bin/sh\necho changed\n", 0o700);
  const contentChanged = await stage();
  expect(contentChanged.dir).not.toBe(modeChanged.dir);
  expect(contentChanged.reused).toBe(false);
});

test(".dockerignore is applied like Docker does, and is not staged itself", async () => {
  write(".dockerignore", "# comment\n*.log\nnode_modules\nconf\n!conf/settings.yaml\n");
  write("debug.log", "x");
  write("sub/keep.log", "nested logs are not matched by *.log");
  write("node_modules/x/index.js", "x");
  const rels = (await listContext(context, path.join(context, "Dockerfile"))).map((e) => e.rel);
  expect(rels).toEqual([
    "Dockerfile",
    "app",
    "conf/settings.yaml",
    "settings-link",
    "sub",
    "sub/keep.log",
  ]);
  const staged = await stage();
  expect(Object.keys(tree(staged.dir)).sort()).toEqual(
    [...rels, "conf", DEFENDER_TARBALL, STAGED_DOCKERFILE].sort(),
  );
  // A directory reopened by an exception keeps its source mode.
  expect(fs.statSync(path.join(staged.dir, "conf")).mode & 0o777).toBe(
    fs.statSync(path.join(context, "conf")).mode & 0o777,
  );
});

test("<Dockerfile>.dockerignore next to the Dockerfile wins over <context>/.dockerignore", async () => {
  write(".dockerignore", "app\n");
  fs.writeFileSync(path.join(work, "build.Dockerfile"), "FROM scratch\n");
  fs.writeFileSync(path.join(work, "build.Dockerfile.dockerignore"), "conf\n");
  const rels = (await listContext(context, path.join(work, "build.Dockerfile"))).map((e) => e.rel);
  expect(rels).toContain("app");
  expect(rels).not.toContain("conf");
});

test("a user file with one of our names is replaced, and reported", async () => {
  write(DEFENDER_TARBALL, "an old tarball someone left here");
  const staged = await stage();
  expect(staged.replaced).toEqual([DEFENDER_TARBALL]);
  expect(fs.readFileSync(path.join(staged.dir, DEFENDER_TARBALL), "utf8")).toBe(
    fs.readFileSync(tarball.path, "utf8"),
  );
});

test("a tarball that is not what was downloaded is refused, and nothing is left behind", async () => {
  fs.appendFileSync(tarball.path, "tampered");
  await expect(stage()).rejects.toThrow("changed while it was being staged");
  expect(fs.readdirSync(path.join(cacheDir, "contexts"))).toEqual([]);
});

test("staged contexts unused for long are pruned; fresh ones stay", async () => {
  const old = await stage("FROM scratch\n# old\n");
  const fresh = await stage();
  const past = new Date(Date.now() - 30 * 24 * 3600 * 1000);
  fs.utimesSync(`${old.dir}.json`, past, past);
  fs.chmodSync(path.join(old.dir, "conf/readonly"), 0o755);
  pruneStagedContexts(path.join(cacheDir, "contexts"), 14 * 24 * 3600 * 1000);
  expect(fs.existsSync(old.dir)).toBe(false);
  expect(fs.existsSync(fresh.dir)).toBe(true);
});
