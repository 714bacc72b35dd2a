import { ExpectedCall } from './expectations';
import { RoleJob, RoleKind } from './role-jobs';
import { Caller } from './simulate';
import { StackModel } from './stack-model';

/** A simulated `sts:AssumeRole` of a role of the stack. */
export interface TrustCheck {
  readonly caller: Caller;
  readonly call: ExpectedCall;
}

/** The service that assumes roles of each kind; action roles are assumed by their pipeline's role instead. */
const SERVICE_OF: Partial<Record<RoleKind, string>> = {
  'pipeline': 'codepipeline.amazonaws.com',
  'build-project': 'codebuild.amazonaws.com',
  'site-deploy-project': 'codebuild.amazonaws.com',
  'release-upload-project': 'codebuild.amazonaws.com',
  'go-live-project': 'codebuild.amazonaws.com',
  'rollback-project': 'codebuild.amazonaws.com',
  'preview-build-project': 'codebuild.amazonaws.com',
  'preview-identify-project': 'codebuild.amazonaws.com',
  'preview-upload-project': 'codebuild.amazonaws.com',
  'preview-project': 'codebuild.amazonaws.com',
  'events': 'events.amazonaws.com',
  'events-build': 'events.amazonaws.com',
  'codedeploy-service': 'codedeploy.amazonaws.com',
  'flow-logs': 'vpc-flow-logs.amazonaws.com',
};

const ACTION_KINDS: RoleKind[] = ['codecommit-source', 'connection-source', 'codebuild-action', 'codedeploy-action', 'approval-action'];

/**
 * Who may become the role: the one principal its job needs (the service running it, or for an
 * action role the pipeline's role), and nobody else, neither an unrelated role of the account
 * allowed to assume any role, nor another account, nor another service.
 */
export function trustChecks(job: RoleJob, model: StackModel): TrustCheck[] {
  if (job.role.external) {
    return [];
  }
  const { partition, account } = model.env;
  const assume = (expect: ExpectedCall['expect'], context?: Record<string, string>): ExpectedCall =>
    ({ action: 'sts:AssumeRole', resource: job.role.arn, expect, context });
  const anyRole = [{ name: 'AssumeAnyRole', document: { Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole', Resource: '*' }] } }];
  const sourceAccount = { 'aws:SourceAccount': account };
  const checks: TrustCheck[] = [
    { caller: { principal: `arn:${partition}:iam::${account}:role/unrelated-developer`, identityPolicies: anyRole }, call: assume('denied') },
    { caller: { principal: `arn:${partition}:iam::210987654321:role/outsider`, identityPolicies: anyRole }, call: assume('denied') },
    { caller: { principal: 'lambda.amazonaws.com', identityPolicies: [] }, call: assume('denied', sourceAccount) },
  ];
  const service = job.kind === 'instance' ? (job.fromInstanceProfile ? 'ec2.amazonaws.com' : undefined) : SERVICE_OF[job.kind];
  if (service) {
    checks.push({ caller: { principal: service, identityPolicies: [] }, call: assume('allowed', sourceAccount) });
  }
  if (ACTION_KINDS.includes(job.kind)) {
    const pipelineRole = model.roles.find((r) => r.arn === job.pipeline!.roleArn);
    checks.push({ caller: { principal: job.pipeline!.roleArn, identityPolicies: pipelineRole?.policies ?? [] }, call: assume('allowed') });
  }
  return checks;
}
