/**
 * The limits a blue/green release meets at run time, checked on every project that runs the fleet
 * release program (its $FLEET_RELEASE settings) and every pipeline action that starts a traffic
 * step: the listener rules it adds (their priorities and the Application Load Balancer's rule
 * quota), the check rule's header condition, the weights and stickiness of the live rule, the name
 * of the scheduled scale-in, and the time a traffic step takes on Lambda compute.
 */
import type { AwsLimit, CfnTemplate, Measured } from './aws-limits';
import { SHIFT_MINUTES_BESIDES_BAKE } from '../../src/server-app/blue-green-release';
import { FLEET_RELEASE, FLEET_RELEASE_ENV } from '../../src/server-app/fleet-release-contract';
import { resourcesOfType } from '../../test/support/template-resources';

const ALB_QUOTAS = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-limits.html';
const RULE_CONDITIONS = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/rule-condition-types.html';
const FORWARD_ACTIONS = 'https://docs.aws.amazon.com/elasticloadbalancing/latest/application/load-balancer-listeners.html#forward-actions';
const LAMBDA_ENVIRONMENT_TYPES = ['LINUX_LAMBDA_CONTAINER', 'ARM_LAMBDA_CONTAINER'];
/** The rules a release adds to its listener: the live rule, and the check rule while a release is checked. */
const RULES_A_RELEASE_ADDS = 2;
/** The check's secret: 16 random bytes in hex. */
const CHECK_SECRET_CHARS = 32;

/** The release settings of each project running the program, with the project's logical id and properties. */
function releaseProjects(template: CfnTemplate): Array<{ id: string; props: any; settings: any }> {
  return resourcesOfType(template, 'AWS::CodeBuild::Project')
    .flatMap(([id, r]) => (r.Properties?.Environment?.EnvironmentVariables ?? [])
      .filter((v: any) => v.Name === FLEET_RELEASE_ENV.settings)
      .map((v: any) => ({ id, props: r.Properties, settings: JSON.parse(flatText(v.Value)) })));
}

/** A settings value as JSON text, every reference standing for a string (a name or an ARN). */
function flatText(value: unknown): string {
  if (typeof value === 'string') return value;
  const join = (value as any)['Fn::Join'];
  return join ? (join[1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'x')).join(join[0]) : 'x';
}

/** A project of the program with `settings`, for the negative controls. */
function projectWith(settings: object, environmentType = 'LINUX_LAMBDA_CONTAINER'): CfnTemplate {
  return {
    Resources: {
      Bad: {
        Type: 'AWS::CodeBuild::Project',
        Properties: {
          Environment: { Type: environmentType, EnvironmentVariables: [{ Name: FLEET_RELEASE_ENV.settings, Value: JSON.stringify(settings) }] },
        },
      },
    },
  };
}

/** The value of each pipeline action's `variable` (action environment variables are JSON in the configuration). */
function actionVariables(template: CfnTemplate, variable: string): Measured[] {
  return resourcesOfType(template, 'AWS::CodePipeline::Pipeline')
    .flatMap(([id, r]) => (r.Properties?.Stages ?? []).flatMap((stage: any) => (stage.Actions ?? []).flatMap((action: any) => {
      const variables = typeof action.Configuration?.EnvironmentVariables === 'string' ? JSON.parse(action.Configuration.EnvironmentVariables) : [];
      return variables.filter((v: any) => v.name === variable).map((v: any) => ({ where: `${id}.${stage.Name}.${action.Name}`, size: Number(v.value) }));
    })));
}

/** The listener rule priorities the release takes: 1 to 50,000. */
export const FLEET_RULE_PRIORITIES: AwsLimit = {
  name: 'ALB listener rule priority of a blue/green release\'s rules (1 to 50,000)',
  max: 50000,
  unit: 'priority',
  source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_CreateRule.html',
  measure: (t) => releaseProjects(t).flatMap(({ id, settings }) => [
    settings.liveRulePriority ?? FLEET_RELEASE.liveRulePriority,
    settings.checkRulePriority ?? FLEET_RELEASE.checkRulePriority,
  ].map((priority: number) => ({
    where: `${id} rule priority`,
    size: priority >= 1 && Number.isInteger(priority) ? priority : -1,
    problem: `priority ${priority} is not 1 to 50,000`,
  }))),
  violation: projectWith({ liveRulePriority: 50001 }),
};

/** Rules per Application Load Balancer: the template's on the fleets' load balancer, and the release's. */
export const FLEET_RULES_PER_LOAD_BALANCER: AwsLimit = {
  name: 'ALB rules per load balancer, default rules aside, with a blue/green release\'s',
  max: 100,
  unit: 'rules',
  source: ALB_QUOTAS,
  measure: (t) => {
    const inTemplate = resourcesOfType(t, 'AWS::ElasticLoadBalancingV2::ListenerRule').length;
    return releaseProjects(t).map(({ id }) => ({ where: `${id} listener`, size: inTemplate + RULES_A_RELEASE_ADDS }));
  },
  violation: {
    Resources: {
      ...Object.fromEntries(Array.from({ length: 99 }, (_, i) => [`Rule${i}`, { Type: 'AWS::ElasticLoadBalancingV2::ListenerRule' }])),
      ...projectWith({}).Resources,
    },
  },
};

/** The check rule's http-header condition: the header name (40 characters of the allowed ones) and the value (128). */
export const FLEET_CHECK_HEADER: AwsLimit = {
  name: 'ALB http-header condition of the release check: name 40 characters (letters, digits, !#$%&\'*+-.^_`|~), value 128',
  max: 128,
  unit: 'characters',
  source: RULE_CONDITIONS,
  measure: (t) => releaseProjects(t).flatMap(({ id, settings }) => {
    const header: string = settings.checkHeader ?? FLEET_RELEASE.checkHeader;
    const nameOk = header.length <= 40 && /^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(header);
    return [
      nameOk
        ? { where: `${id} check header name`, size: header.length }
        : { where: `${id} check header name`, size: -1, problem: `'${header}' is not a header name the condition takes` },
      { where: `${id} check header value`, size: CHECK_SECRET_CHARS },
    ];
  }),
  violation: projectWith({ checkHeader: 'x release check' }),
};

/** The weight of a target group in a forward action: 0 to 999; the release gives each traffic step's percent. */
export const FLEET_WEIGHTS: AwsLimit = {
  name: 'ALB target group weight of a traffic step (0 to 999)',
  max: 999,
  unit: 'weight',
  source: FORWARD_ACTIONS,
  measure: (t) => actionVariables(t, FLEET_RELEASE_ENV.trafficPercent)
    .map((m) => (m.size >= 0 && Number.isInteger(m.size) ? m : { ...m, size: -1, problem: `weight ${m.size} is not a whole number 0 to 999` })),
  violation: {
    Resources: {
      Bad: {
        Type: 'AWS::CodePipeline::Pipeline',
        Properties: { Stages: [{ Name: 'S', Actions: [{ Name: 'A', Configuration: { EnvironmentVariables: JSON.stringify([{ name: FLEET_RELEASE_ENV.trafficPercent, value: '1000' }]) } }] }] },
      },
    },
  },
};

/** Group stickiness of the live rule: 1 second to 7 days (0 turns it off). */
export const FLEET_STICKINESS: AwsLimit = {
  name: 'ALB target group stickiness of the live rule (1 to 604,800 seconds, or off)',
  max: 604800,
  unit: 'seconds',
  source: 'https://docs.aws.amazon.com/elasticloadbalancing/latest/APIReference/API_TargetGroupStickinessConfig.html',
  measure: (t) => releaseProjects(t).map(({ id, settings }) => ({ where: `${id} stickiness`, size: settings.stickinessSeconds })),
  violation: projectWith({ stickinessSeconds: 604801 }),
};

/** The name of the scheduled scale-in: 1 to 255 characters. */
export const FLEET_SCALE_IN_NAME: AwsLimit = {
  name: 'Auto Scaling scheduled action name of the scale-in (1 to 255 characters)',
  max: 255,
  unit: 'characters',
  source: 'https://docs.aws.amazon.com/autoscaling/ec2/APIReference/API_PutScheduledUpdateGroupAction.html',
  measure: (t) => releaseProjects(t).map(({ id, settings }) => ({
    where: `${id} scheduled action`,
    size: String(settings.scaleInActionName ?? FLEET_RELEASE.scaleInActionName).length,
  })),
  violation: projectWith({ scaleInActionName: 'x'.repeat(256) }),
};

/** A traffic step on Lambda compute: its bake time and the rest of the step within CodeBuild's 15 minutes. */
export const FLEET_STEP_TIME: AwsLimit = {
  name: 'CodeBuild Lambda compute: a traffic step\'s bake time plus the rest of the step within the 15-minute build limit',
  max: 15,
  unit: 'minutes',
  source: 'https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html',
  measure: (t) => releaseProjects(t)
    .filter(({ props }) => LAMBDA_ENVIRONMENT_TYPES.includes(props.Environment?.Type))
    .map(({ id, settings }) => ({ where: `${id} bake`, size: settings.bakeSeconds / 60 + SHIFT_MINUTES_BESIDES_BAKE })),
  violation: projectWith({ bakeSeconds: 13 * 60 }),
};

/** Every limit of blue/green releases. */
export const FLEET_RELEASE_LIMITS: AwsLimit[] = [
  FLEET_RULE_PRIORITIES, FLEET_RULES_PER_LOAD_BALANCER, FLEET_CHECK_HEADER, FLEET_WEIGHTS, FLEET_STICKINESS, FLEET_SCALE_IN_NAME, FLEET_STEP_TIME,
];
