/**
 * Whether CodePipeline enters a stage of a synthesized pipeline, read from the stage's entry
 * conditions (`BeforeEntry`): a condition holds when each of its rules holds, and one that does not
 * hold applies its result (SKIP, FAIL) instead of entering. Only the VariableCheck rule is read, with
 * the operators this library writes; anything else throws, so a new rule cannot pass unread.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-conditions.html
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-VariableCheck.html
 */

/** A stage as the template declares it. */
export interface DeclaredStage {
  readonly Name: string;
  readonly BeforeEntry?: unknown;
}

/**
 * What CodePipeline does at the stage's entry with these variables (`#{Namespace.Name}` -> value):
 * `enter`, or the result of the first condition that does not hold.
 */
export function stageEntry(stage: DeclaredStage, variables: Record<string, string>): 'enter' | 'SKIP' | 'FAIL' {
  const conditions: any[] = (stage.BeforeEntry as any)?.Conditions ?? [];
  for (const condition of conditions) {
    if (!condition.Rules.every((rule: any) => ruleHolds(rule, variables))) {
      return condition.Result;
    }
  }
  return 'enter';
}

/** Whether a VariableCheck rule holds for the variables. */
function ruleHolds(rule: any, variables: Record<string, string>): boolean {
  if (rule.RuleTypeId?.Provider !== 'VariableCheck') {
    throw new Error(`stage conditions: no reading of ${rule.RuleTypeId?.Provider} rules here`);
  }
  const { Variable: variable, Operator: operator, Value: value } = rule.Configuration;
  if (!(variable in variables)) {
    throw new Error(`stage conditions: rule ${rule.Name} reads ${variable}, which the run did not set`);
  }
  const actual = variables[variable];
  switch (operator) {
    case 'EQ': return actual === value;
    case 'NE': return actual !== value;
    case 'CONTAINS': return actual.includes(value);
    default: throw new Error(`stage conditions: no reading of the VariableCheck operator ${operator} here`);
  }
}
