// What the pure rules and transforms report when an input (or the Console's answer for it) is wrong: each problem
// names its field, so every component can print it the same way (core/check.ts). No Pulumi here: these modules run
// on plain values, in the component, the stack tools and the CLI alike.

/**
 * One problem with one input. `field` is the argument as the user writes it (`runtime`, `console.url`,
 * `containerDefinitions`, `dockerfile`); `message` says what is wrong and then how to fix it
 * (`"nodejs8.10" is not a Lambda runtime. Use one of: nodejs20.x, …`).
 */
export interface InputProblem {
  field: string;
  message: string;
}

/** A problem with `field`. */
export function problem(field: string, message: string): InputProblem {
  return { field, message };
}

/** `field: message`, as a problem reads without its component (lists, skip notes). */
export function describeProblem(p: InputProblem): string {
  return `${p.field}: ${p.message}`;
}

/** Thrown by the rules and transforms: one or more problems, each naming its field. */
export class ProblemsError extends Error {
  readonly problems: InputProblem[];

  constructor(problems: InputProblem[] | InputProblem) {
    const list = Array.isArray(problems) ? problems : [problems];
    super(list.map(describeProblem).join("\n"));
    this.name = "ProblemsError";
    this.problems = list;
  }
}

/** Throws `problems` when there are any. */
export function throwProblems(problems: InputProblem[]): void {
  if (problems.length) throw new ProblemsError(problems);
}
