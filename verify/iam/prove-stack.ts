import { Stack, Stage, Token } from 'aws-cdk-lib';
import { classifyRoles } from './classify-roles';
import { ExpectedCall, expectedCalls } from './expectations';
import { unknownActions } from './known-actions';
import { unneededGrants } from './needed-actions';
import { CfnTemplate } from './resolve-template';
import { DeployEnvironment } from './resource-attributes';
import { resourcePolicyChecks } from './resource-policy-expectations';
import { jobLabel, KIND_LABELS, RoleJob } from './role-jobs';
import { Caller, meets, simulate } from './simulate';
import { readStackModel, StackModel } from './stack-model';
import { StackScope, stackScope } from './stack-scope';
import { Tally } from './tally';

export { Tally };
import { trustChecks } from './trust-expectations';

/** Where stacks without an explicit environment are deemed deployed. */
const DEFAULT_ENV = { account: '123456789012', region: 'eu-west-1', partition: 'aws' };

/**
 * Proves, for one stack, that every role can make the calls its job needs and none it must not,
 * that only its intended principal can assume it, that it is granted no action beyond its job,
 * that every action named in a policy exists, and that the bucket, topic and key policies stop
 * anonymous, insecure and foreign requests. Each simulated call is a case of `tally`.
 */
export async function proveStack(stack: Stack, tally: Tally): Promise<void> {
  const name = stack.stackName;
  const model = readStackModel(stack, synthesize(stack), deployEnvironment(stack));
  model.problems.forEach((p) => tally.fail(`${name} ${p}`));

  const actions = await unknownActions(model.allPolicies);
  for (let i = 0; i < actions.checked - actions.unknown.length; i++) {
    tally.check(true, () => '');
  }
  actions.unknown.forEach((a) => tally.fail(`${name} names an IAM action that does not exist: ${a}`));

  const { jobs, failures } = classifyRoles(model);
  failures.forEach((f) => tally.fail(`${name} ${f}`));
  const scope = stackScope(model);
  for (const job of jobs) {
    await proveRole(model, job, scope, tally);
  }

  const checks = resourcePolicyChecks(model, scope);
  let passed = 0;
  for (const { subject, caller, call } of checks) {
    const outcome = await simulate(model, caller, call);
    if (tally.check(meets(call.expect, outcome), () => `${name} ${subject}: ${caller.principal} ${callLine(call, outcome)}`)) {
      passed++;
    }
  }
  tally.details.push(`${name} resource policies (${scope.buckets.length} buckets, ${scope.topicArns.length} topics, ${scope.keyArns.length} keys): ${passed}/${checks.length} calls as required; ${actions.checked} distinct actions named, ${actions.unknown.length} unknown`);
}

/** Simulates the calls of one role's job, who may assume it, and its grants beyond the job. */
async function proveRole(model: StackModel, job: RoleJob, scope: StackScope, tally: Tally): Promise<void> {
  const label = jobLabel(model.stackName, job);
  const self: Caller = { principal: job.role.arn, identityPolicies: job.role.policies };
  const counts = { allowed: [0, 0], denied: [0, 0], assume: [0, 0], unneeded: 0 };
  const record = async (caller: Caller, call: ExpectedCall, bucket: number[], by = '') => {
    const outcome = await simulate(model, caller, call);
    bucket[1]++;
    if (tally.check(meets(call.expect, outcome), () => `${label} ${by}${callLine(call, outcome)}`)) {
      bucket[0]++;
    }
  };

  for (const call of expectedCalls(job, scope)) {
    await record(self, call, call.expect === 'allowed' ? counts.allowed : counts.denied);
  }
  for (const { caller, call } of trustChecks(job, model)) {
    await record(caller, call, counts.assume, `assumed by ${caller.principal}: `);
  }
  for (const call of await unneededGrants(job)) {
    const outcome = await simulate(model, self, call);
    counts.unneeded++;
    tally.check(meets(call.expect, outcome), () => `${label} ${call.action} on ${call.resource}: expected denied (no ${KIND_LABELS[job.kind]} needs it), got ${outcome.result} (${outcome.why})`);
  }

  const [allowed, denied, assume] = [counts.allowed, counts.denied, counts.assume].map(([ok, all]) => `${ok}/${all}`);
  tally.details.push(`${label} [${job.role.logicalId}]: must allow ${allowed}, must deny ${denied}, who may assume ${assume}, actions beyond its job ${counts.unneeded}`);
  if (job.role.external) {
    tally.details.push(`${label} [${job.role.logicalId}]: imported role; only the policies the template attaches are simulated, and who may assume it is outside the template`);
  }
  if (job.role.awsManagedPolicyArns.length) {
    tally.details.push(`${label} [${job.role.logicalId}]: AWS managed ${job.role.awsManagedPolicyArns.join(', ')} not simulated (AWS keeps its text); the denials above hold for the role's own policies only`);
  }
}

/** `<action> on <resource>: expected X, got Y (why)`. */
function callLine(call: ExpectedCall, outcome: { result: string; why: string }): string {
  const context = call.context ? ` with ${Object.entries(call.context).map(([k, v]) => `${k}=${v}`).join(', ')}` : '';
  return `${call.action} on ${call.resource}${context}: expected ${call.expect}, got ${outcome.result} (${outcome.why})`;
}

/** The synthesized template of a stack of an example app. */
function synthesize(stack: Stack): CfnTemplate {
  return Stage.of(stack)!.synth().getStackArtifact(stack.artifactId).template;
}

/** The stack's account and region, or the defaults for an environment-agnostic stack. */
function deployEnvironment(stack: Stack): DeployEnvironment {
  return {
    account: Token.isUnresolved(stack.account) ? DEFAULT_ENV.account : stack.account,
    region: Token.isUnresolved(stack.region) ? DEFAULT_ENV.region : stack.region,
    partition: DEFAULT_ENV.partition,
    stackName: stack.stackName,
  };
}
