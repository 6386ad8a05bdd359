// Reading back what the Console's image would exec: its `sh -c "exec ..."` wrapper into argv, and nothing that
// needs the shell to expand something.
import { execedArgv, sameArgv, shellWords } from "../../provider/image/consoleArgv";

test.each<[string, string[] | undefined]>([
  [
    "/twistlock/defender app-embedded /bin/sh -c '/webapp.py --port 80'",
    ["/twistlock/defender", "app-embedded", "/bin/sh", "-c", "/webapp.py --port 80"],
  ],
  [`a 'it'\\''s' "q\\"x" b\\ c`, ["a", "it's", 'q"x', "b c"]],
  ["a  b ", ["a", "b"]],
  ["echo $HOME", undefined],
  ['echo "$HOME"', undefined],
  ["a; b", undefined],
  ["a | b", undefined],
  ["'unterminated", undefined],
  ["a\tb", undefined],
])("shellWords(%j)", (text, words) => expect(shellWords(text)).toEqual(words));

test("a shell-form wrapper is the argv it execs; extra arguments after the script are not passed on", () => {
  expect(execedArgv(["/bin/sh", "-c", "exec /d app-embedded /bin/sh -c '/x'", "ignored"])).toEqual([
    "/d",
    "app-embedded",
    "/bin/sh",
    "-c",
    "/x",
  ]);
  // Not an exec, or not plain words: compared as it is, so it cannot match a wrapped argv by accident.
  const sh = ["/bin/sh", "-c", "/d app-embedded /x"];
  expect(execedArgv(sh)).toEqual(sh);
  const expanding = ["/bin/sh", "-c", "exec /d app-embedded $APP"];
  expect(execedArgv(expanding)).toEqual(expanding);
  expect(execedArgv(["/d", "app-embedded", "/x"])).toEqual(["/d", "app-embedded", "/x"]);
  expect(sameArgv(["a", "b"], ["a", "b"])).toBe(true);
  expect(sameArgv(["a", "b"], ["a", "b", ""])).toBe(false);
});
