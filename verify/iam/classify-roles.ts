import { CfnResource } from './resolve-template';
import { resourceArn } from './resource-arns';
import { DeploymentGroupModel, FleetReleaseModel, PipelineModel, RoleJob, RoleKind } from './role-jobs';
import { RoleModel, StackModel } from './stack-model';
import { ProjectKind } from '../../src/project-kind';
import { resourcesOfType } from '../../test/support/template-resources';

/**
 * The role kind of each kind of CodeBuild project the library records (src/project-kind.ts), and
 * whether a pipeline action runs it: all but the rollbacks (started by hand) and the CodeCommit
 * preview build (started by EventBridge rules) do; a preview's Publish and Remove are pipeline
 * steps of a connection and started by the preview build or rules on CodeCommit.
 */
const PROJECT_KINDS: Record<ProjectKind, { readonly kind: RoleKind; readonly inPipeline: boolean | 'either' }> = {
  [ProjectKind.BUILD]: { kind: 'build-project', inPipeline: true },
  // The build of a connection's preview pipeline is a build project of its own pipeline.
  [ProjectKind.PREVIEW_PIPELINE_BUILD]: { kind: 'build-project', inPipeline: true },
  [ProjectKind.SITE_DEPLOY]: { kind: 'site-deploy-project', inPipeline: true },
  [ProjectKind.RELEASE_UPLOAD]: { kind: 'release-upload-project', inPipeline: true },
  [ProjectKind.GO_LIVE]: { kind: 'go-live-project', inPipeline: true },
  [ProjectKind.ROLLBACK]: { kind: 'rollback-project', inPipeline: false },
  [ProjectKind.CHANGES_CHECK]: { kind: 'changes-check-project', inPipeline: true },
  [ProjectKind.PREVIEW_BUILD]: { kind: 'preview-build-project', inPipeline: false },
  [ProjectKind.PREVIEW_IDENTIFY]: { kind: 'preview-identify-project', inPipeline: true },
  [ProjectKind.PREVIEW_UPLOAD]: { kind: 'preview-upload-project', inPipeline: true },
  [ProjectKind.PREVIEW_PUBLISH]: { kind: 'preview-project', inPipeline: 'either' },
  [ProjectKind.PREVIEW_REMOVE]: { kind: 'preview-project', inPipeline: 'either' },
  [ProjectKind.FLEET_RELEASE]: { kind: 'fleet-release-project', inPipeline: true },
  [ProjectKind.FLEET_ROLLBACK]: { kind: 'fleet-rollback-project', inPipeline: false },
};

/** What a role of the template is for, or why the proof cannot tell. */
export interface Classification {
  readonly jobs: RoleJob[];
  /** Unclassified and shared roles, unreadable wiring: each a failure. */
  readonly failures: string[];
}

/**
 * Tells what every role of the stack is for from what uses it: the pipeline and its actions,
 * CodeBuild projects, EventBridge rules starting a pipeline, CodeDeploy deployment groups and
 * instance profiles. A role nothing explains, or one doing two jobs, is a failure, so a new role
 * cannot escape the proof.
 */
export function classifyRoles(model: StackModel): Classification {
  const wiring = new Wiring(model);
  const pipelines = resourcesOfType(model.template, 'AWS::CodePipeline::Pipeline').flatMap(([id, r]) => wiring.pipeline(id, r));
  for (const { model: pipeline, resource } of pipelines) {
    wiring.pipelineJobs(pipeline, resource);
  }
  const pipelineModels = pipelines.map((p) => p.model);
  for (const [id, r] of resourcesOfType(model.template, 'AWS::CodeBuild::Project')) {
    wiring.projectJob(id, r);
  }
  for (const [id, r] of resourcesOfType(model.template, 'AWS::Events::Rule')) {
    wiring.eventsJobs(id, r, pipelineModels);
  }
  for (const [id, r] of resourcesOfType(model.template, 'AWS::CodeDeploy::DeploymentGroup')) {
    wiring.deploymentJobs(id, r);
  }
  for (const [id, r] of resourcesOfType(model.template, 'AWS::EC2::FlowLog')) {
    wiring.flowLogsJob(id, r);
  }
  wiring.remainingArtifactReaders(pipelineModels);
  return wiring.result();
}

/** What the classification has found so far, and the lookups it needs. */
class Wiring {
  private readonly jobs: RoleJob[] = [];
  private readonly failures: string[] = [];
  /** Projects by name: the pipeline and action running them. */
  private readonly projectUses = new Map<string, { pipeline: PipelineModel; action: string; inputs: string[]; outputs: string[] }>();
  /** Deployment groups by ARN: the pipeline and action deploying to them, and the artifacts it deploys. */
  private readonly deployments = new Map<string, { pipeline: PipelineModel; action: string; inputs: string[] }>();

  constructor(private readonly model: StackModel) {}

  /** The pipeline model of an `AWS::CodePipeline::Pipeline`. */
  public pipeline(id: string, r: CfnResource): Array<{ model: PipelineModel; resource: CfnResource }> {
    return this.attempt(`pipeline ${id}`, () => {
      const props = r.Properties ?? {};
      if (!props.ArtifactStore) {
        throw new Error('it has no single ArtifactStore (cross-region pipelines have no expectations here)');
      }
      const actions: any[] = (props.Stages ?? []).flatMap((s: any) => s.Actions ?? []);
      const model: PipelineModel = {
        logicalId: id,
        name: this.string({ Ref: id }),
        arn: resourceArn(this.model.resolver, id),
        roleArn: this.string(props.RoleArn),
        artifactBucket: this.string(props.ArtifactStore.Location),
        artifactKeyArn: props.ArtifactStore.EncryptionKey ? this.string(props.ArtifactStore.EncryptionKey.Id) : undefined,
        actionRoleArns: actions.filter((a) => a.RoleArn).map((a) => this.string(a.RoleArn)),
        artifacts: actions.flatMap((a) => names(a.OutputArtifacts)),
      };
      return [{ model, resource: r }];
    }) ?? [];
  }

  /** The pipeline role's job, and one for the role of each action (the pipeline role when the action names none). */
  public pipelineJobs(pipeline: PipelineModel, r: CfnResource): void {
    this.add('pipeline', pipeline.roleArn, { pipeline });
    for (const stage of r.Properties?.Stages ?? []) {
      for (const a of stage.Actions ?? []) {
        const action = `${stage.Name}/${a.Name}`;
        this.attempt(`action ${action} of ${pipeline.logicalId}`, () => this.actionJob(pipeline, action, a));
      }
    }
  }

  /** The job of the role of a CodeBuild project, from the kind the library recorded on it and the action running it. */
  public projectJob(id: string, r: CfnResource): void {
    this.attempt(`CodeBuild project ${id}`, () => {
      const props = r.Properties ?? {};
      const projectKind = this.model.projectKinds.get(id);
      if (!projectKind) {
        throw new Error('it has no project kind recorded (src/project-kind.ts), so its role\'s job is unknown');
      }
      const known = PROJECT_KINDS[projectKind];
      const name = this.string({ Ref: id });
      const use = this.projectUses.get(name);
      if (known.inPipeline !== 'either' && known.inPipeline !== Boolean(use)) {
        throw new Error(known.inPipeline ? 'no pipeline action runs it' : `pipeline action ${use?.action} runs it, which a ${known.kind} never is`);
      }
      const siteBucket = this.environmentValue(props, 'AWS::S3::Bucket');
      const job = {
        pipeline: use?.pipeline,
        action: use?.action,
        project: { name, arn: resourceArn(this.model.resolver, id), logGroup: this.logGroupOf(props, name) },
        inputArtifacts: use?.inputs,
        outputArtifacts: use?.outputs,
        cachePrefix: use ? this.cachePrefix(props, use.pipeline) : undefined,
        reportGroupArns: this.reportGroups(props, name),
        siteBucket,
        distributionId: this.environmentValue(props, 'AWS::CloudFront::Distribution'),
        keyValueStoreArn: this.environmentValue(props, 'AWS::CloudFront::KeyValueStore'),
        notFoundPage: siteBucket ? this.notFoundPageOf(siteBucket) : undefined,
        repositoryArn: this.repositoryArnOf(props),
        fleet: this.fleetOf(props),
      };
      const missing = NEEDS[known.kind].filter((field) => job[field] === undefined);
      if (missing.length) {
        throw new Error(`cannot tell its ${missing.join(', ')} (from its environment variables and the distribution of its bucket)`);
      }
      this.add(known.kind, this.string(props.ServiceRole), job);
      // A blue/green release deploys the build to its fleets' deployment groups with CodeDeploy, as a CodeDeploy action would.
      if (known.kind === 'fleet-release-project' && use && job.fleet) {
        job.fleet.deploymentGroupArns.forEach((arn) => this.deployments.set(arn, { pipeline: use.pipeline, action: use.action, inputs: use.inputs }));
      }
    });
  }

  /** An events job for each rule target that starts a pipeline (or a CodeBuild project of the stack) with a role. */
  public eventsJobs(id: string, r: CfnResource, pipelines: PipelineModel[]): void {
    for (const target of r.Properties?.Targets ?? []) {
      if (!target.RoleArn) {
        continue;
      }
      this.attempt(`events rule ${id}`, () => {
        const targetArn = this.string(target.Arn);
        const projectId = resourcesOfType(this.model.template, 'AWS::CodeBuild::Project').find(([pid]) => resourceArn(this.model.resolver, pid) === targetArn)?.[0];
        if (projectId) {
          this.add('events-build', this.string(target.RoleArn), { project: { name: this.string({ Ref: projectId }), arn: targetArn } });
          return;
        }
        const pipeline = pipelines.find((p) => p.arn === targetArn);
        if (!pipeline) {
          throw new Error(`its target ${this.string(target.Arn)} is not a pipeline of the stack, so its role's job is unknown`);
        }
        this.add('events', this.string(target.RoleArn), { pipeline });
      });
    }
  }

  /** The jobs of the service role of a deployment group and of the instance roles of its groups. */
  public deploymentJobs(id: string, r: CfnResource): void {
    this.attempt(`deployment group ${id}`, () => {
      const group = this.deploymentGroup(id, r);
      const deployment = this.deployments.get(group.arn);
      if (!deployment) {
        throw new Error('no pipeline action deploys to it');
      }
      const { pipeline, action, inputs } = deployment;
      this.add('codedeploy-service', this.string(r.Properties?.ServiceRoleArn), { pipeline, action, deploymentGroup: group });
      for (const roleArn of group.instanceRoleArns) {
        this.add('instance', roleArn, { pipeline, inputArtifacts: inputs, fromInstanceProfile: true });
      }
    });
  }

  /** The job of the role a VPC flow log delivers to CloudWatch Logs with. */
  public flowLogsJob(id: string, r: CfnResource): void {
    const props = r.Properties ?? {};
    if (!props.DeliverLogsPermissionArn) {
      return;
    }
    this.attempt(`flow log ${id}`, () => {
      const logGroup = props.LogGroupName
        ? this.string(props.LogGroupName)
        : this.string(props.LogDestination).split(':log-group:')[1]?.replace(/:\*$/, '');
      if (!logGroup) {
        throw new Error('it names no CloudWatch Logs group');
      }
      this.add('flow-logs', this.string(props.DeliverLogsPermissionArn), { logGroup });
    });
  }

  /**
   * Roles nothing else explains that read a pipeline's artifacts and are imported or assumed by EC2
   * are instance roles of fleets the template does not launch (EC2 tags, on-premises servers).
   */
  public remainingArtifactReaders(pipelines: PipelineModel[]): void {
    for (const role of this.unclassified().filter((r) => r.external || trusts(r, 'ec2.amazonaws.com'))) {
      const pipeline = pipelines.find((p) => readsArtifacts(role, `arn:${this.model.env.partition}:s3:::${p.artifactBucket}/`));
      const deployment = [...this.deployments.values()].find((d) => d.pipeline === pipeline);
      if (pipeline && deployment) {
        this.add('instance', role.arn, { pipeline, inputArtifacts: deployment.inputs });
      }
    }
  }

  /** The jobs found, and a failure for each role without one and each role with jobs of two kinds. */
  public result(): Classification {
    const failures = [...this.failures];
    for (const role of this.unclassified()) {
      failures.push(`role ${role.logicalId} (trusts ${trustedPrincipals(role)}) is used by nothing the proof knows: it has no expectations, so it cannot be proven to do its job and nothing else`);
    }
    for (const role of this.model.roles) {
      const kinds = [...new Set(this.jobs.filter((j) => j.role === role).map((j) => j.kind))];
      if (kinds.length > 1) {
        failures.push(`role ${role.logicalId} does ${kinds.length} jobs (${kinds.join(', ')}): each job needs its own role, or one job's rights leak into the other's`);
      }
    }
    return { jobs: this.jobs, failures };
  }

  private actionJob(pipeline: PipelineModel, action: string, a: any): void {
    const roleArn = a.RoleArn ? this.string(a.RoleArn) : pipeline.roleArn;
    const config = a.Configuration ?? {};
    const type = `${a.ActionTypeId.Category}/${a.ActionTypeId.Provider}`;
    const { env } = this.model;
    switch (type) {
      case 'Source/CodeCommit':
        this.add('codecommit-source', roleArn, {
          pipeline,
          action,
          repositoryArn: `arn:${env.partition}:codecommit:${env.region}:${env.account}:${this.string(config.RepositoryName)}`,
          outputArtifacts: names(a.OutputArtifacts),
        });
        return;
      case 'Source/CodeStarSourceConnection':
        this.add('connection-source', roleArn, {
          pipeline, action, connectionArn: this.string(config.ConnectionArn), outputArtifacts: names(a.OutputArtifacts),
        });
        return;
      case 'Build/CodeBuild':
      case 'Test/CodeBuild': {
        const name = this.string(config.ProjectName);
        const projectId = resourcesOfType(this.model.template, 'AWS::CodeBuild::Project').find(([id]) => this.string({ Ref: id }) === name)?.[0];
        if (!projectId) {
          throw new Error(`it runs project ${name}, which is not in the stack`);
        }
        this.projectUses.set(name, { pipeline, action, inputs: names(a.InputArtifacts), outputs: names(a.OutputArtifacts) });
        this.add('codebuild-action', roleArn, {
          pipeline, action, project: { name, arn: resourceArn(this.model.resolver, projectId) },
        });
        return;
      }
      case 'Deploy/CodeDeploy': {
        const application = this.string(config.ApplicationName);
        const groupArn = `arn:${env.partition}:codedeploy:${env.region}:${env.account}:deploymentgroup:${application}/${this.string(config.DeploymentGroupName)}`;
        this.deployments.set(groupArn, { pipeline, action, inputs: names(a.InputArtifacts) });
        const groupId = resourcesOfType(this.model.template, 'AWS::CodeDeploy::DeploymentGroup')
          .find(([id, g]) => this.deploymentGroupArn(id, g) === groupArn)?.[0];
        if (!groupId) {
          throw new Error(`it deploys to ${groupArn}, which is not in the stack`);
        }
        this.add('codedeploy-action', roleArn, {
          pipeline, action, deploymentGroup: this.deploymentGroup(groupId, this.model.template.Resources[groupId]),
        });
        return;
      }
      case 'Approval/Manual': {
        const topicArn = config.NotificationArn ? this.string(config.NotificationArn) : undefined;
        this.add('approval-action', roleArn, { pipeline, action, topicArn, topicKeyArn: topicArn && this.topicKeyArn(topicArn) });
        return;
      }
      default:
        throw new Error(`the proof has no expectations for ${type} actions`);
    }
  }

  /** The ARN of the KMS key of a topic of the stack, when it is encrypted with one. */
  private topicKeyArn(topicArn: string): string | undefined {
    const topic = resourcesOfType(this.model.template, 'AWS::SNS::Topic').find(([id]) => this.string({ Ref: id }) === topicArn)?.[1];
    const key = topic?.Properties?.KmsMasterKeyId;
    return key === undefined ? undefined : this.string(key);
  }

  private deploymentGroup(id: string, r: CfnResource): DeploymentGroupModel {
    const props = r.Properties ?? {};
    const { partition, region, account } = this.model.env;
    const prefix = `arn:${partition}:codedeploy:${region}:${account}:`;
    const groupIds: string[] = (props.AutoScalingGroups ?? []).map((g: unknown) => this.logicalIdOf(g, 'AWS::AutoScaling::AutoScalingGroup'));
    const templateIds = groupIds.flatMap((g) => this.launchTemplatesOf(this.model.template.Resources[g]));
    const targetGroupNames: string[] = (props.LoadBalancerInfo?.TargetGroupInfoList ?? []).map((t: any) => this.string(t.Name));
    const alarmNames: string[] = (props.AlarmConfiguration?.Alarms ?? []).map((a: any) => this.string(a.Name));
    return {
      applicationArn: `${prefix}application:${this.string(props.ApplicationName)}`,
      arn: this.deploymentGroupArn(id, r),
      configArn: `${prefix}deploymentconfig:${props.DeploymentConfigName ? this.string(props.DeploymentConfigName) : 'CodeDeployDefault.OneAtATime'}`,
      autoScalingGroupArns: groupIds.map((g) => resourceArn(this.model.resolver, g)),
      launchTemplateArns: templateIds.map((t) => resourceArn(this.model.resolver, t)),
      instanceRoleArns: templateIds.flatMap((t) => this.instanceRolesOf(this.model.template.Resources[t])),
      targetGroupArns: targetGroupNames.map((name) => this.arnByName('AWS::ElasticLoadBalancingV2::TargetGroup', name)),
      // CodeDeploy names alarms of its own account and region, which may be outside the stack.
      alarmArns: alarmNames.map((name) => this.arnByName('AWS::CloudWatch::Alarm', name, `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`)),
    };
  }

  private deploymentGroupArn(id: string, r: CfnResource): string {
    const { partition, region, account } = this.model.env;
    return `arn:${partition}:codedeploy:${region}:${account}:deploymentgroup:${this.string(r.Properties?.ApplicationName)}/${this.string({ Ref: id })}`;
  }

  /** Logical ids of the launch templates an Auto Scaling group launches from. */
  private launchTemplatesOf(group: CfnResource): string[] {
    const props = group.Properties ?? {};
    const spec = props.LaunchTemplate ?? props.MixedInstancesPolicy?.LaunchTemplate?.LaunchTemplateSpecification;
    if (!spec) {
      throw new Error('an Auto Scaling group without a launch template has no expectations here');
    }
    return [this.logicalIdOf(spec.LaunchTemplateId, 'AWS::EC2::LaunchTemplate')];
  }

  /** ARNs of the roles of the instance profile a launch template gives its instances. */
  private instanceRolesOf(launchTemplate: CfnResource): string[] {
    const profile = launchTemplate.Properties?.LaunchTemplateData?.IamInstanceProfile;
    if (!profile) {
      return [];
    }
    const profileId = this.logicalIdOf(profile.Arn ?? profile.Name, 'AWS::IAM::InstanceProfile');
    const roles: unknown[] = this.model.template.Resources[profileId].Properties?.Roles ?? [];
    return roles.map((name) => this.roleNamed(this.string(name)).arn);
  }

  private add(kind: RoleKind, roleArn: string, job: Omit<RoleJob, 'kind' | 'role'>): void {
    const role = this.model.roles.find((r) => r.arn === roleArn);
    if (!role) {
      this.failures.push(`${kind} role ${roleArn} is not a role of the stack: its policies cannot be read`);
      return;
    }
    // Two deployment groups launching from one template give its role the same job twice.
    const same = (j: RoleJob) => j.role === role && j.kind === kind && j.pipeline === job.pipeline
      && j.action === job.action && j.deploymentGroup?.arn === job.deploymentGroup?.arn;
    if (!this.jobs.some(same)) {
      this.jobs.push({ kind, role, ...job });
    }
  }

  private unclassified(): RoleModel[] {
    return this.model.roles.filter((r) => !this.jobs.some((j) => j.role === r));
  }

  private logGroupOf(props: Record<string, any>, projectName: string): string {
    const group = props.LogsConfig?.CloudWatchLogs?.GroupName;
    return group ? this.string(group) : `/aws/codebuild/${projectName}`;
  }

  /** The key prefix of a project's S3 cache in the artifact bucket, if it caches there. */
  private cachePrefix(props: Record<string, any>, pipeline: PipelineModel): string | undefined {
    if (props.Cache?.Type !== 'S3') {
      return undefined;
    }
    const location = this.string(props.Cache.Location);
    return location.startsWith(`${pipeline.artifactBucket}/`) ? location.slice(pipeline.artifactBucket.length + 1) : undefined;
  }

  /** ARNs of the report groups a project's (JSON) buildspec reports to. */
  private reportGroups(props: Record<string, any>, projectName: string): string[] {
    let spec: any;
    try {
      spec = JSON.parse(this.string(props.Source?.BuildSpec ?? '{}'));
    } catch {
      throw new Error('its buildspec is not JSON, so the report groups it writes to are unknown');
    }
    const { partition, region, account } = this.model.env;
    return Object.keys(spec.reports ?? {}).map((key) => (key.startsWith('arn:')
      ? key
      : `arn:${partition}:codebuild:${region}:${account}:report-group/${projectName}-${key}`));
  }

  /** The resolved value of the project environment variable that is a `Ref` or `Fn::GetAtt` of a resource of `type`. */
  /** The ARN of the CodeCommit repository a project's environment names, when it names one. */
  private repositoryArnOf(props: Record<string, any>): string | undefined {
    const name = this.environmentValue(props, 'AWS::CodeCommit::Repository');
    const { env } = this.model;
    return name === undefined ? undefined : `arn:${env.partition}:codecommit:${env.region}:${env.account}:${name}`;
  }

  private environmentValue(props: Record<string, any>, type: string): string | undefined {
    const variable = (props.Environment?.EnvironmentVariables ?? []).find((v: any) => {
      const target = v.Value?.Ref ?? v.Value?.['Fn::GetAtt']?.[0];
      return target && this.model.resolver.typeOf(target) === type;
    });
    return variable ? this.string(variable.Value) : undefined;
  }

  /**
   * What a blue/green project works on, from its $FLEET_RELEASE settings (undefined for other
   * projects): the listener, a rule on it, the fleets' groups, deployment groups and alarms.
   */
  private fleetOf(props: Record<string, any>): FleetReleaseModel | undefined {
    const variable = (props.Environment?.EnvironmentVariables ?? []).find((v: any) => v.Name === 'FLEET_RELEASE');
    if (!variable) {
      return undefined;
    }
    const settings = JSON.parse(this.string(variable.Value));
    const { partition, region, account } = this.model.env;
    const fleets: any[] = Object.values(settings.fleets);
    const groupArn = (name: string) => `arn:${partition}:codedeploy:${region}:${account}:deploymentgroup:${settings.application}/${name}`;
    const groupIds = fleets.map((f) => resourcesOfType(this.model.template, 'AWS::CodeDeploy::DeploymentGroup').find(([id]) => this.string({ Ref: id }) === f.deploymentGroup)?.[0]);
    const configs = groupIds.map((id) => this.string(this.model.template.Resources[id!].Properties?.DeploymentConfigName ?? 'CodeDeployDefault.OneAtATime'));
    const alarmNames: string[] = [...fleets.flatMap((f) => f.alarmNames), ...settings.alarmNames];
    return {
      listenerArn: settings.listenerArn,
      ruleArn: `${settings.listenerArn.replace(':listener/', ':listener-rule/')}/0123456789abcdef`,
      autoScalingGroupArns: fleets.map((f) => this.arnByName('AWS::AutoScaling::AutoScalingGroup', f.autoScalingGroup)),
      deploymentGroupArns: fleets.map((f) => groupArn(f.deploymentGroup)),
      applicationArn: `arn:${partition}:codedeploy:${region}:${account}:application:${settings.application}`,
      configArns: [...new Set(configs)].map((c) => `arn:${partition}:codedeploy:${region}:${account}:deploymentconfig:${c}`),
      alarmArns: alarmNames.map((name) => this.arnByName('AWS::CloudWatch::Alarm', name, `arn:${partition}:cloudwatch:${region}:${account}:alarm:${name}`)),
    };
  }

  /** The page (without its leading slash) the distribution serving `bucket` answers 404s with. */
  private notFoundPageOf(bucket: string): string | undefined {
    for (const [, d] of resourcesOfType(this.model.template, 'AWS::CloudFront::Distribution')) {
      const config = d.Properties?.DistributionConfig ?? {};
      const serves = (config.Origins ?? []).some((o: any) => {
        const origin = o.DomainName?.['Fn::GetAtt']?.[0];
        return origin && this.model.resolver.typeOf(origin) === 'AWS::S3::Bucket' && this.model.resolver.physicalName(origin) === bucket;
      });
      const page = (config.CustomErrorResponses ?? []).find((e: any) => Number(e.ErrorCode) === 404)?.ResponsePagePath;
      if (serves && page) {
        return this.string(page).replace(/^\//, '');
      }
    }
    return undefined;
  }

  /** The logical id of the resource of `type` that `value` (a `Ref`, `Fn::GetAtt` or resolved name/ARN) points at. */
  private logicalIdOf(value: any, type: string): string {
    const direct = value?.Ref ?? value?.['Fn::GetAtt']?.[0];
    if (direct && this.model.resolver.typeOf(direct) === type) {
      return direct;
    }
    throw new Error(`cannot tell which ${type} ${JSON.stringify(value)} is`);
  }

  /** The ARN of the resource of `type` named `name`: one of the stack, else `outside` when given. */
  private arnByName(type: string, name: string, outside?: string): string {
    const found = resourcesOfType(this.model.template, type).find(([id]) => this.model.resolver.physicalName(id) === name);
    if (found) {
      return resourceArn(this.model.resolver, found[0]);
    }
    if (!outside) {
      throw new Error(`${type} ${name} is not in the stack`);
    }
    return outside;
  }

  private roleNamed(name: string): RoleModel {
    const role = this.model.roles.find((r) => r.name === name);
    if (!role) {
      throw new Error(`role ${name} is not in the stack`);
    }
    return role;
  }

  private string(value: unknown): string {
    return this.model.resolver.resolveString(value);
  }

  private attempt<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.failures.push(`cannot classify the role of ${what}: ${(e as Error).message}`);
      return undefined;
    }
  }
}

/** What the expectations of each project kind need to know of the project. */
const NEEDS: Record<string, Array<'pipeline' | 'siteBucket' | 'distributionId' | 'keyValueStoreArn' | 'notFoundPage' | 'repositoryArn' | 'fleet'>> = {
  'build-project': ['pipeline'],
  'site-deploy-project': ['pipeline', 'siteBucket', 'distributionId'],
  'release-upload-project': ['pipeline', 'siteBucket', 'notFoundPage'],
  'go-live-project': ['pipeline', 'siteBucket', 'keyValueStoreArn', 'notFoundPage'],
  'rollback-project': ['siteBucket', 'keyValueStoreArn', 'notFoundPage'],
  'changes-check-project': ['pipeline', 'siteBucket', 'keyValueStoreArn', 'repositoryArn'],
  'preview-build-project': ['siteBucket'],
  'preview-identify-project': ['pipeline'],
  'preview-upload-project': ['pipeline', 'siteBucket'],
  'preview-project': ['siteBucket', 'keyValueStoreArn'],
  'fleet-release-project': ['pipeline', 'fleet'],
  'fleet-rollback-project': ['fleet'],
};

/** Artifact names of a pipeline action's `InputArtifacts`/`OutputArtifacts`. */
function names(artifacts: Array<{ Name: string }> | undefined): string[] {
  return (artifacts ?? []).map((a) => a.Name);
}

/** Whether one of the role's statements allows s3:GetObject on objects whose ARN starts with `objectsPrefix`. */
function readsArtifacts(role: RoleModel, objectsPrefix: string): boolean {
  return role.policies.some((p) => p.document.Statement.some((s) => s.Effect === 'Allow'
    && list(s.Action).some((a) => /^s3:GetObject\*?$/i.test(a))
    && list(s.Resource).some((r) => r.startsWith(objectsPrefix))));
}

/** The principals a role's trust policy names, for failure lines. */
function trustedPrincipals(role: RoleModel): string {
  return role.trustPolicy ? JSON.stringify(role.trustPolicy.Statement.map((s) => s.Principal)) : 'unknown: it is outside the template';
}

/** Whether the role's trust policy names the service principal. */
function trusts(role: RoleModel, service: string): boolean {
  return (role.trustPolicy?.Statement ?? []).some((s) => list((s.Principal as any)?.Service).includes(service));
}

function list(value: unknown): string[] {
  return value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String);
}
