import { Aws, CfnCondition, Fn, ICfnConditionExpression, Stack } from 'aws-cdk-lib';

/** CloudFormation takes 2 to 10 conditions in one `Fn::Or`. */
const MAX_OR_CONDITIONS = 10;

/**
 * The stack's condition "the deploy region is one of `regions`", made once under `id`, for a
 * stack whose region is known only at deploy time.
 */
export function regionIsOneOf(stack: Stack, id: string, regions: readonly string[]): CfnCondition {
  return stack.node.tryFindChild(id) as CfnCondition | undefined ?? new CfnCondition(stack, id, {
    expression: anyOf(regions.map((region) => Fn.conditionEquals(Aws.REGION, region))),
  });
}

/** One condition true when any of `conditions` is, nesting `Fn::Or` to stay within its 10 operands. */
function anyOf(conditions: ICfnConditionExpression[]): ICfnConditionExpression {
  if (conditions.length <= MAX_OR_CONDITIONS) {
    return Fn.conditionOr(...conditions);
  }
  const groups: ICfnConditionExpression[] = [];
  for (let i = 0; i < conditions.length; i += MAX_OR_CONDITIONS) {
    const group = conditions.slice(i, i + MAX_OR_CONDITIONS);
    groups.push(group.length === 1 ? group[0] : Fn.conditionOr(...group));
  }
  return anyOf(groups);
}
