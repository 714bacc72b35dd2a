import {
  anonymousPrincipal,
  getDenialReasons,
  getGrantReasons,
  runSimulation,
  type RequestAnalysis,
  type RequestDenial,
  type RequestGrant,
} from '@cloud-copilot/iam-simulate';
import { ExpectedCall, Expectation } from './expectations';
import { NamedPolicy, PolicyDocument, resourcePolicyFor, StackModel } from './stack-model';

/** Who makes a simulated call, with the identity policies it has. */
export interface Caller {
  /** ARN of a role, a service principal (`codebuild.amazonaws.com`), or 'anonymous' for unsigned requests. */
  readonly principal: string;
  readonly identityPolicies: NamedPolicy[];
}

/** What IAM answered, and the statements that decided it. */
export interface Outcome {
  readonly result: 'Allowed' | 'ExplicitlyDenied' | 'ImplicitlyDenied' | 'Error';
  readonly why: string;
}

/**
 * Simulates `call` by `caller` with iam-simulate: the caller's identity policies together with
 * the resource policy of the target (bucket, key, topic policy, or the trust policy of a role
 * being assumed), same account unless the ARNs say otherwise.
 */
export async function simulate(model: StackModel, caller: Caller, call: ExpectedCall): Promise<Outcome> {
  const policy = call.resource === '*' ? undefined : resourcePolicyFor(model, call.resource);
  const rename = call.renameContextKey;
  const resourcePolicy = policy && rename ? renameKey(policy, rename.from, rename.to) : policy;
  const context = rename && call.context ? renameKey(call.context, rename.from, rename.to) : call.context;
  const anonymous = caller.principal === 'anonymous';
  const response = await runSimulation({
    request: {
      principal: anonymous ? anonymousPrincipal : caller.principal,
      action: call.action,
      resource: { resource: call.resource, accountId: accountOf(call.resource) ?? model.env.account },
      contextVariables: { 'aws:SecureTransport': 'true', ...context },
    },
    identityPolicies: caller.identityPolicies.map((p) => ({ name: p.name, policy: p.document })),
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy,
  }, {});
  if (response.resultType === 'error') {
    return { result: 'Error', why: `the simulator rejected the request: ${JSON.stringify(response.errors)}` };
  }
  const analyses = response.resultType === 'single'
    ? [response.result.analysis]
    : response.results.map((r) => r.analysis);
  const decisive = analyses.find((a) => a.result === response.overallResult) ?? analyses[0];
  return { result: response.overallResult, why: decisive ? explain(decisive, caller, resourcePolicy) : 'no resource pattern matched' };
}

/** `value` with every object key `from` renamed `to`, at any depth. */
function renameKey<T>(value: T, from: string, to: string): T {
  if (Array.isArray(value)) {
    return value.map((v) => renameKey(v, from, to)) as T;
  }
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k === from ? to : k, renameKey(v, from, to)])) as T;
  }
  return value;
}

/** Whether an outcome is what the expectation asks for. */
export function meets(expectation: Expectation, outcome: Outcome): boolean {
  switch (expectation) {
    case 'allowed': return outcome.result === 'Allowed';
    case 'denied': return outcome.result === 'ExplicitlyDenied' || outcome.result === 'ImplicitlyDenied';
    case 'explicitly denied': return outcome.result === 'ExplicitlyDenied';
  }
}

/** The statements that decided an analysis, quoted, so a failure line names the statement at fault. */
function explain(analysis: RequestAnalysis, caller: Caller, resourcePolicy?: PolicyDocument): string {
  const statement = (reason: RequestGrant | RequestDenial) => {
    const index = 'statementIndex' in reason ? reason.statementIndex : 0;
    if (reason.policyType === 'resource') {
      return `resource policy statement ${index}: ${JSON.stringify(resourcePolicy?.Statement[index - 1])}`;
    }
    const name = 'policyIdentifier' in reason ? reason.policyIdentifier : undefined;
    const policy = caller.identityPolicies.find((p) => p.name === name);
    return `${reason.policyType} policy ${name} statement ${index}: ${JSON.stringify(policy?.document.Statement[index - 1])}`;
  };
  if (analysis.result === 'Allowed') {
    return `allowed by ${getGrantReasons(analysis).map(statement).join('; ')}`;
  }
  const denials = getDenialReasons(analysis);
  const explicit = denials.filter((d) => d.denialType === 'Explicit');
  if (explicit.length) {
    return `denied by ${explicit.map(statement).join('; ')}`;
  }
  return `no statement allows it${denials.length ? ` (missing: ${[...new Set(denials.map((d) => d.policyType))].join(', ')} policy)` : ''}`;
}

/** The account of an ARN, when it has one (S3 ARNs do not). */
function accountOf(arn: string): string | undefined {
  const account = arn.split(':')[4];
  return account && /^\d{12}$/.test(account) ? account : undefined;
}
