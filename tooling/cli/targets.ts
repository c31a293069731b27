/**
 * Which stacks a command works on, from `--stack NAME|all` and `--config FILE` (`golive plan` and
 * `golive cost` read the same options the same way).
 */
import { existsSync } from "node:fs";
import path from "node:path";
import {
  isValidStackName,
  listStacks,
  PlanInputError,
  stackFileOf,
  stackNameOfFile,
  type PulumiProject,
} from "../plan/project";
import type { StackTarget } from "../plan/run";

export interface StackSelection {
  readonly stack?: string | undefined;
  readonly config?: string | undefined;
}

/** The stacks selected: one stack file given by `--config`, one named stack, or every stack file. */
export function targetsOf(args: StackSelection, project: PulumiProject, cwd: string): StackTarget[] {
  if (args.config !== undefined) {
    const configFile = path.resolve(cwd, args.config);
    if (!existsSync(configFile)) {
      throw new PlanInputError(
        `${configFile} does not exist: --config takes the path of a stack file (Pulumi.<stack>.yaml)`,
      );
    }
    if (args.stack === "all")
      throw new PlanInputError("--config plans one stack: give --stack NAME, not all");
    const stack = args.stack ?? stackNameOfFile(configFile);
    if (stack === undefined) {
      throw new PlanInputError(
        `cannot tell the stack of ${configFile} from its name; name it Pulumi.<stack>.yaml or pass --stack NAME`,
      );
    }
    if (!isValidStackName(stack))
      throw new PlanInputError(`stack name "${stack}" must be letters, digits, "_", "." or "-"`);
    return [{ stack, configFile }];
  }
  const stacks = listStacks(project);
  if (args.stack === undefined || args.stack === "all") {
    if (stacks.length === 0) {
      throw new PlanInputError(
        `${project.dir} has no stack files (Pulumi.<stack>.yaml); create one or pass --config FILE`,
      );
    }
    return stacks.map((stack) => ({ stack, configFile: stackFileOf(project, stack) }));
  }
  if (!isValidStackName(args.stack) || !stacks.includes(args.stack)) {
    throw new PlanInputError(
      `unknown stack "${args.stack}": ${stackFileOf(project, isValidStackName(args.stack) ? args.stack : "<stack>")} does not exist; ` +
        (stacks.length > 0 ? `stacks here: ${stacks.join(", ")}` : "this project has no stack files"),
    );
  }
  return [{ stack: args.stack, configFile: stackFileOf(project, args.stack) }];
}
