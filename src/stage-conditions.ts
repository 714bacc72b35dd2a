import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';

/** A pipeline variable compared with a value: a stage is entered when it holds, skipped when not. */
export interface EntryRule {
  /** The rule's name. */
  readonly name: string;
  /** The variable, as an expression (`#{<namespace>.<name>}`). */
  readonly variable: string;
  readonly operator: 'EQ' | 'NE';
  readonly value: string;
}

/**
 * Gives every stage of `pipeline` from index `from` on an entry condition: skip the stage unless
 * `rule` holds (a condition's result applies when its rules fail). Written on the CloudFormation resource: aws-cdk-lib has stage conditions only
 * from versions later than the oldest this library supports, and no SKIP result.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/stage-conditions.html
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/rule-reference-VariableCheck.html
 */
export function skipStagesUnless(pipeline: codepipeline.Pipeline, from: number, rule: EntryRule): void {
  const cfnPipeline = pipeline.node.defaultChild as codepipeline.CfnPipeline;
  for (let index = from; index < pipeline.stageCount; index++) {
    cfnPipeline.addPropertyOverride(`Stages.${index}.BeforeEntry`, {
      Conditions: [{
        Result: 'SKIP',
        Rules: [{
          Name: rule.name,
          RuleTypeId: { Category: 'Rule', Owner: 'AWS', Provider: 'VariableCheck', Version: '1' },
          Configuration: { Variable: rule.variable, Operator: rule.operator, Value: rule.value },
        }],
      }],
    });
  }
}
