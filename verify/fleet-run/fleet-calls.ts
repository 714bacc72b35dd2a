/**
 * The IAM actions the blue/green runs made, read from what the servers received: moto's recording of
 * the Elastic Load Balancing, Auto Scaling and CloudWatch requests (query API: the operation and its
 * resources are in the body) and the CodeDeploy stand-in's log, each attributed to a role by the
 * access key that signed it, then checked against the IAM proof's expectations of the role's kind.
 */
import { FleetRelease, MotoWorld } from './fleet-release-run';
import { resourcesOfType } from '../../test/support/template-resources';
import { classifyRoles } from '../iam/classify-roles';
import { neededActions } from '../iam/needed-actions';
import { resourceArn } from '../iam/resource-arns';
import { KIND_LABELS, RoleKind } from '../iam/role-jobs';
import { simulate } from '../iam/simulate';
import { accessKeyOf } from '../release-run/observed-actions';
import { CheckCase } from '../template-checks/check-cases';

/** An IAM action a request needed, on the resource it named. */
export interface FleetCall {
  readonly action: string;
  readonly resource: string;
  readonly operation: string;
  readonly accessKey?: string;
}

/** A request moto received, with its body. */
export interface MotoRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/**
 * What each query-API operation the program sends needs, and on what: the service authorization
 * reference's resource type for the operation, from the request's parameters; `*` where the action
 * has no resource-level permissions.
 *
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_awselasticloadbalancingv2.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonec2autoscaling.html
 * @see https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazoncloudwatch.html
 */
const QUERY_RESOURCES: Record<string, (params: URLSearchParams, names: Names) => string[]> = {
  'elasticloadbalancing:DescribeRules': () => ['*'],
  'elasticloadbalancing:DescribeTargetHealth': () => ['*'],
  'elasticloadbalancing:CreateRule': (p, n) => [n.listener(p.get('ListenerArn')!)],
  'elasticloadbalancing:ModifyRule': (p, n) => [n.rule(p.get('RuleArn')!)],
  'elasticloadbalancing:DeleteRule': (p, n) => [n.rule(p.get('RuleArn')!)],
  'autoscaling:DescribeAutoScalingGroups': () => ['*'],
  'autoscaling:DescribeScheduledActions': () => ['*'],
  'autoscaling:UpdateAutoScalingGroup': (p, n) => [n.group(p.get('AutoScalingGroupName')!)],
  'autoscaling:PutScheduledUpdateGroupAction': (p, n) => [n.group(p.get('AutoScalingGroupName')!)],
  'autoscaling:DeleteScheduledAction': (p, n) => [n.group(p.get('AutoScalingGroupName')!)],
  'cloudwatch:GetMetricData': () => ['*'],
  'cloudwatch:DescribeAlarms': (p, n) => [...p.entries()].filter(([k]) => k.startsWith('AlarmNames.member.')).map(([, v]) => n.alarm(v)),
};

/** Moto's ARNs as the template's resolved ones, so that iam-simulate judges them against the template's policies. */
interface Names {
  listener(arn: string): string;
  rule(arn: string): string;
  group(name: string): string;
  alarm(name: string): string;
}

/** The calls of one recorded query-API request; throws for an operation the table does not know. */
export function queryCalls(request: MotoRequest, names: Names): FleetCall[] {
  const auth = Object.entries(request.headers).find(([k]) => k.toLowerCase() === 'authorization')?.[1] ?? '';
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(auth)?.[1];
  const params = new URLSearchParams(request.body);
  const operation = params.get('Action');
  if (!service || !operation) return [];
  const action = `${service === 'monitoring' ? 'cloudwatch' : service}:${operation}`;
  const resources = QUERY_RESOURCES[action];
  if (!resources) throw new Error(`no IAM resource is known for ${action}`);
  return resources(params, names).map((resource) => ({ action, resource, operation, accessKey: accessKeyOf(request) }));
}

/** How moto's names map to the template's resolved ones. */
export function templateNames(fleet: FleetRelease, world: MotoWorld): Names {
  const settings = fleet.release.settings;
  const motoListenerRules = world.listenerArn.replace(':listener/', ':listener-rule/');
  const templateListenerRules = String(settings.listenerArn).replace(':listener/', ':listener-rule/');
  const { resolver } = fleet.model;
  const logicalIdNamed = (type: string, name: string) => resourcesOfType(fleet.model.template, type)
    .find(([id]) => resolver.physicalName(id) === name)?.[0];
  const { partition, region, account } = fleet.model.env;
  return {
    listener: (arn) => (arn === world.listenerArn ? settings.listenerArn : arn),
    rule: (arn) => (arn.startsWith(`${motoListenerRules}/`) ? `${templateListenerRules}${arn.slice(motoListenerRules.length)}` : arn),
    group: (name) => {
      const id = logicalIdNamed('AWS::AutoScaling::AutoScalingGroup', name);
      return id ? resourceArn(resolver, id) : `arn:${partition}:autoscaling:${region}:${account}:autoScalingGroup:unknown:autoScalingGroupName/${name}`;
    },
    alarm: (name) => {
      const id = logicalIdNamed('AWS::CloudWatch::Alarm', name);
      return id ? resourceArn(resolver, id) : `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`;
    },
  };
}

/**
 * Actions a fleet project's kind needs that the proof's runs do not make, and why; every other
 * action of the kind must be made by a run, and none listed here may be.
 */
export const NOT_MADE_BY_FLEET_RUNS: Partial<Record<RoleKind, Record<string, string>>> = {
  'fleet-release-project': {
    'codedeploy:GetDeploymentConfig': 'CodeDeploy reads the deployment configuration itself when it creates a deployment; the stand-in does not call IAM for it',
    'codedeploy:RegisterApplicationRevision': 'CodeDeploy registers a revision a deployment names on its first use, with the caller\'s rights; the stand-in does not call IAM for it',
    'logs:CreateLogGroup': 'CodeBuild writes the build log; the runs print to the proof',
    'logs:CreateLogStream': 'CodeBuild writes the build log; the runs print to the proof',
    'logs:PutLogEvents': 'CodeBuild writes the build log; the runs print to the proof',
  },
  'fleet-rollback-project': {
    'elasticloadbalancing:CreateRule': 'only when no release went live yet and $FLEET names a fleet: the live rule does not exist then (the release project\'s runs create it)',
    'logs:CreateLogGroup': 'CodeBuild writes the build log; the runs print to the proof',
    'logs:CreateLogStream': 'CodeBuild writes the build log; the runs print to the proof',
    'logs:PutLogEvents': 'CodeBuild writes the build log; the runs print to the proof',
  },
};

/** The services whose actions a fleet project's runs are held to: each needed one made, or listed with its reason. */
const RUN_SERVICES = /^(elasticloadbalancing|autoscaling|codedeploy|cloudwatch|logs):/;

/** What the runs of each fleet project made, checked against the IAM proof's expectations of its role's kind. */
export async function fleetCallCases(fleet: FleetRelease, calls: FleetCall[], roleOfAccessKey: (key: string) => string | undefined)
  : Promise<{ cases: CheckCase[]; details: string[] }> {
  const { jobs } = classifyRoles(fleet.model);
  const cases: CheckCase[] = [];
  const details: string[] = [];
  for (const project of [fleet.release, fleet.rollback]) {
    const job = jobs.find((j) => j.role.logicalId === project.roleLogicalId);
    if (!job) {
      cases.push({ name: `${project.logicalId}: its role is classified by the IAM proof`, problem: `classifyRoles has no job for ${project.roleLogicalId}` });
      continue;
    }
    const label = KIND_LABELS[job.kind];
    const own = calls.filter((c) => c.accessKey && roleOfAccessKey(c.accessKey) === project.roleLogicalId);
    const needed = new Set(neededActions(job.kind));
    const made = new Set(own.map((c) => c.action));
    const unneeded = [...made].filter((a) => !needed.has(a));
    cases.push({ name: `${label}: every action its runs made is one the IAM proof says its kind needs`, problem: unneeded.length ? unneeded.join(', ') : undefined });
    const denied: string[] = [];
    const caller = { principal: job.role.arn, identityPolicies: job.role.policies };
    for (const call of distinct(own)) {
      const outcome = await simulate(fleet.model, caller, { action: call.action, resource: call.resource, expect: 'allowed' });
      if (outcome.result !== 'Allowed') denied.push(`${call.operation}: ${call.action} on ${call.resource}: ${outcome.result} (${outcome.why})`);
    }
    cases.push({ name: `${label}: its policies grant every call its runs made (iam-simulate, on the template's resources)`, problem: denied.length ? denied.slice(0, 5).join('; ') : undefined });
    const reasons = NOT_MADE_BY_FLEET_RUNS[job.kind] ?? {};
    const unmade = [...needed].filter((a) => RUN_SERVICES.test(a) && !made.has(a) && !reasons[a]);
    const stale = Object.keys(reasons).filter((a) => made.has(a));
    cases.push({
      name: `${label}: every Elastic Load Balancing, Auto Scaling, CodeDeploy and CloudWatch action its kind needs is made by a run, or listed with the reason it is not`,
      problem: unmade.length || stale.length ? [unmade.length ? `needed, never made, no reason: ${unmade.join(', ')}` : '', stale.length ? `listed as not made but made: ${stale.join(', ')}` : ''].filter(Boolean).join('; ') : undefined,
    });
    details.push(`${label} made: ${[...made].sort().map((a) => `${a} x${own.filter((c) => c.action === a).length}`).join(', ')}`);
  }
  return { cases, details };
}

/** Calls with the same action and resource once. */
function distinct(calls: FleetCall[]): FleetCall[] {
  return [...new Map(calls.map((c) => [`${c.action} ${c.resource}`, c])).values()];
}
