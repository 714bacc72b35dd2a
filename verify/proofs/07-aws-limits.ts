/**
 * AWS limits: every quota and format rule of AWS that the example templates meet (buildspec and
 * action configuration sizes, function code, IAM policy sizes and counts, template size and
 * counts, name rules), checked on each example stack; the fuzz proof checks the same on every
 * case that synthesizes. Each limit first fails on its own negative control, so a check that
 * cannot fail is itself a failure.
 */
import { Template } from 'aws-cdk-lib/assertions';
import { exampleStacks } from '../example-stacks';
import { AWS_LIMITS, checkLimit, largestFractions, RULE_BUDGET_LIMIT } from '../limits/aws-limits';
import { Proof, ProofResult } from '../proof';

const NAME = 'AWS limits: quotas and name rules';

const proof: Proof = {
  async run(): Promise<ProofResult> {
    const failures: string[] = [];
    let tried = 0;
    // The rule budget holds at the example stacks' settings (the defaults), so it is checked on them only.
    const limits = [...AWS_LIMITS, RULE_BUDGET_LIMIT];
    for (const limit of limits) {
      tried++;
      if (checkLimit(limit, limit.violation).length === 0) {
        failures.push(`${limit.name}: the check passed its negative control, which breaks the limit; it cannot fail`);
      }
    }
    const details: string[] = [];
    for (const stack of exampleStacks()) {
      const template = Template.fromStack(stack).toJSON();
      for (const limit of limits) {
        tried++;
        failures.push(...checkLimit(limit, template).map((v) => `${stack.stackName}: ${v.limit} at ${v.where}: ${v.detail} (${limit.source})`));
      }
      const fractions = [...largestFractions(template)].filter(([, f]) => f > 0).sort((a, b) => b[1] - a[1]);
      details.push(`${stack.stackName}: ${fractions.slice(0, 6).map(([name, f]) => `${name} ${(f * 100).toFixed(0)}%`).join(', ')}`);
    }
    return { proof: NAME, tried, passed: tried - failures.length, failures, details };
  },
};

export default proof;
