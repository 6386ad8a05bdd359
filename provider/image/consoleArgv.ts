// Mode Console: what the Console's rewritten image would run, compared with what the Dockerfile runs under Docker.
// The Console wraps what it reads as the original program; when its reading differs from the builder's, its image
// runs something else (a lost ENTRYPOINT, a broken argv, an extra argument). Its shell-form wrapper
// (`/bin/sh -c "exec <defender> app-embedded ..."`) is read back into the argv the shell would exec.

/** Characters the shell would interpret outside quotes: a wrapper using them is not a plain exec. */
const SPECIAL = new Set([..."$`;&|<>()*?[]{}~#!\n\r\t"]);

/** POSIX shell words of `text` when it is plain words and quotes only (no expansion), else undefined. */
export function shellWords(text: string): string[] | undefined {
  const words: string[] = [];
  let word: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === " ") {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end < 0) return undefined;
      word = (word ?? "") + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let value = "";
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === "$" || text[j] === "`") return undefined;
        if (text[j] === "\\" && '"\\$`'.includes(text[j + 1] ?? "")) j++;
        value += text[j];
      }
      if (j >= text.length) return undefined;
      word = (word ?? "") + value;
      i = j;
    } else if (c === "\\") {
      if (i + 1 >= text.length || text[i + 1] === "\n") return undefined;
      word = (word ?? "") + text[++i];
    } else if (SPECIAL.has(c)) {
      return undefined;
    } else {
      word = (word ?? "") + c;
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}

/**
 * The argv a container ends up running for image config argv `argv` (Entrypoint + Cmd): a
 * `<shell> -c "exec <words>"` wrapper is the words it execs (arguments after the script only set $0...), anything
 * else is itself.
 */
export function execedArgv(argv: string[]): string[] {
  const [, flag, script] = argv;
  if (argv.length >= 3 && flag === "-c" && /^exec\s/.test(script)) {
    const words = shellWords(script.replace(/^exec\s+/, "").trim());
    if (words?.length) return words;
  }
  return argv;
}

export const sameArgv = (a: string[], b: string[]) =>
  a.length === b.length && a.every((v, i) => v === b[i]);
