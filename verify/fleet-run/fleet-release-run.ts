/**
 * What the blue/green release proof runs on: the example stack's release and rollback projects as
 * the template gives them (buildspec commands, settings, pipeline actions, role policies), and the
 * world they act on: moto_server (load balancer, listener and rules, Auto Scaling groups, EC2,
 * CloudWatch, IAM enforced), the CodeDeploy stand-in (moto's deployments never leave `Created`), and
 * the load balancer stand-in (moto's passes no traffic), all on 127.0.0.1.
 */
import { ChildProcess, spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Template } from 'aws-cdk-lib/assertions';
import { ProjectKind } from '../../src/project-kind';
import { FLEET_RELEASE_ENV } from '../../src/server-app/fleet-release-contract';
import { onlyProjectOfKind } from '../../test/support/project-kinds';
import { resourcesOfType } from '../../test/support/template-resources';
import { exampleStacks } from '../example-stacks';
import { readStackModel, StackModel } from '../iam/stack-model';
import { pythonTool, pythonToolsBin } from '../python-tools';
import { ProjectRun, runCommandsAsync } from '../release-run/release-projects';
import {
  Answer, debianAwsCliV2, freePort, MOTO_CLI_DIR, request, requestWithStatus, stopServers, waitFor, withMotoActionNames, withoutConditions,
} from '../release-run/release-servers';

/** The example stack whose blue/green release the proof runs, and where it is deemed deployed. */
export const FLEET_EXAMPLE_STACK = 'BlueGreenServerAppExample';
export const FLEET_EXAMPLE_ENV = { account: '123456789012', region: 'eu-west-1', partition: 'aws', stackName: FLEET_EXAMPLE_STACK };

/** A project of the template that runs the fleet release program. */
export interface FleetProject {
  readonly logicalId: string;
  readonly roleLogicalId: string;
  readonly commands: string[];
  readonly exportedVariables: string[];
  /** Its settings ($FLEET_RELEASE), resolved as CloudFormation would. */
  readonly settings: any;
  /** Its other environment variables, resolved. */
  readonly environment: Record<string, string>;
  readonly policies: Array<{ Statement: Array<Record<string, unknown>> }>;
}

/** The release project, the variables each pipeline action gives it (by action name), and the rollback project. */
export interface FleetRelease {
  readonly model: StackModel;
  readonly release: FleetProject;
  readonly rollback: FleetProject;
  readonly actions: Record<string, Record<string, string>>;
}

/** The example's blue/green release as the template describes it. */
export function exampleFleetRelease(): FleetRelease {
  const stack = exampleStacks().find((s) => s.stackName === FLEET_EXAMPLE_STACK);
  if (!stack) throw new Error(`exampleStacks() has no stack ${FLEET_EXAMPLE_STACK}`);
  const model = readStackModel(stack, Template.fromStack(stack).toJSON() as any, FLEET_EXAMPLE_ENV);
  const project = (kind: ProjectKind): FleetProject => {
    const logicalId = onlyProjectOfKind(model.projectKinds, kind);
    const resource: any = model.template.Resources[logicalId];
    const spec = JSON.parse(resource.Properties.Source.BuildSpec);
    const roleLogicalId = resource.Properties.ServiceRole['Fn::GetAtt'][0];
    const variables = Object.fromEntries((resource.Properties.Environment.EnvironmentVariables as any[])
      .map((v) => [v.Name, model.resolver.resolveString(v.Value)]));
    const { [FLEET_RELEASE_ENV.settings]: settings, ...environment } = variables;
    return {
      logicalId,
      roleLogicalId,
      commands: spec.phases.build.commands,
      exportedVariables: spec.env?.['exported-variables'] ?? [],
      settings: JSON.parse(settings),
      environment,
      policies: model.roles.find((r) => r.logicalId === roleLogicalId)!.policies.map((p) => p.document as any),
    };
  };
  const release = project(ProjectKind.FLEET_RELEASE);
  const [[, pipeline]] = resourcesOfType<any>(model.template, 'AWS::CodePipeline::Pipeline');
  const actions = Object.fromEntries(pipeline.Properties.Stages.flatMap((s: any) => s.Actions)
    .filter((a: any) => a.Configuration?.ProjectName?.Ref === release.logicalId)
    .map((a: any) => [a.Name, Object.fromEntries(JSON.parse(a.Configuration.EnvironmentVariables).map((v: any) => [v.name, v.value]))]));
  return { model, release, rollback: project(ProjectKind.FLEET_ROLLBACK), actions };
}

/** Moto's names for what the template names (ARNs hold ids moto chooses). */
export interface MotoWorld {
  readonly keys: Record<string, { AccessKeyId: string; SecretAccessKey: string }>;
  readonly listenerArn: string;
  readonly loadBalancerFullName: string;
  readonly targetGroups: Record<'blue' | 'green', { arn: string; fullName: string }>;
}

const ADMINISTRATOR = 'Administrator';

/** moto_server and the two stand-ins of one run; `stop` ends them. */
export class FleetServers {
  /** Starts the servers, creates the world of the settings in moto with one user per role, and configures the stand-ins. */
  public static async start(release: FleetRelease, roles: Record<string, object[]>): Promise<FleetServers> {
    const [motoPort, codeDeployPort, lbPort] = [await freePort(), await freePort(), await freePort()];
    const recording = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'moto-fleet-recording-')), 'requests.jsonl');
    const python = (script: string, port: number) => spawn(pythonTool('python'), [path.join(__dirname, script), String(port)],
      { stdio: 'ignore', detached: true, cwd: __dirname });
    const processes = [
      spawn(pythonTool('moto_server'), ['-H', '127.0.0.1', '-p', String(motoPort)], {
        stdio: 'ignore', detached: true, env: { ...process.env, MOTO_RECORDER_FILEPATH: recording },
      }),
      python('codedeploy_standin.py', codeDeployPort),
      python('lb_standin.py', lbPort),
    ];
    const servers = new FleetServers(release, motoPort, codeDeployPort, lbPort, processes, recording);
    try {
      await waitFor(() => request(motoPort, 'GET', '/moto-api/data.json').then(() => true, () => false));
      await waitFor(() => request(codeDeployPort, 'GET', '/_standin/state').then(() => true, () => false));
      await waitFor(() => request(lbPort, 'GET', '/_standin/served').then(() => true, () => false));
      await servers.setUp(roles);
    } catch (e) {
      servers.stop();
      throw e;
    }
    return servers;
  }

  public world!: MotoWorld;

  private constructor(
    private readonly release: FleetRelease,
    private readonly motoPort: number,
    private readonly codeDeployPort: number,
    private readonly lbPort: number,
    private readonly processes: ChildProcess[],
    private readonly recording: string,
  ) {}

  /** The load balancer stand-in, which the program's check requests go to. */
  public get loadBalancerUrl(): string {
    return `http://127.0.0.1:${this.lbPort}`;
  }

  public get motoEndpoint(): string {
    return `http://127.0.0.1:${this.motoPort}`;
  }

  /** The environment of a project signed as `role`'s user, its CLI at moto and the CodeDeploy stand-in. */
  public environmentOf(role: string): Record<string, string> {
    const key = this.world.keys[role];
    if (!key) throw new Error(`no user for role ${role}`);
    return {
      PATH: [MOTO_CLI_DIR, pythonToolsBin(), process.env.PATH].join(path.delimiter),
      AWS_CLI_V2: debianAwsCliV2(),
      HOME: process.env.HOME ?? '/tmp',
      LANG: 'C.UTF-8',
      AWS_ACCESS_KEY_ID: key.AccessKeyId,
      AWS_SECRET_ACCESS_KEY: key.SecretAccessKey,
      AWS_REGION: FLEET_EXAMPLE_ENV.region,
      AWS_DEFAULT_REGION: FLEET_EXAMPLE_ENV.region,
      AWS_ENDPOINT_URL: this.motoEndpoint,
      CODEDEPLOY_ENDPOINT: `http://127.0.0.1:${this.codeDeployPort}`,
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
      NO_PROXY: '127.0.0.1,localhost',
    };
  }

  /** Runs one command of fleet_admin.py with IAM enforcement off. */
  public async admin(command: Record<string, unknown>): Promise<any> {
    await this.enforceIam(false);
    try {
      const result = spawnSync(pythonTool('python'), [path.join(__dirname, 'fleet_admin.py')], {
        input: JSON.stringify({ ...command, endpoint: this.motoEndpoint, region: FLEET_EXAMPLE_ENV.region }),
        encoding: 'utf8',
        maxBuffer: 64 * 1024 * 1024,
      });
      if (result.status !== 0) throw new Error(`fleet_admin ${command.kind} failed: ${result.stderr.trim().slice(-1500)}`);
      return JSON.parse(result.stdout);
    } finally {
      await this.enforceIam(true);
    }
  }

  /** Where traffic goes and how big each group is, as moto keeps them. */
  public async state(): Promise<{ rules: any[]; groups: Record<string, any> }> {
    const settings = this.release.release.settings;
    return this.admin({ kind: 'state', listenerArn: this.world.listenerArn, groups: ['blue', 'green'].map((f) => settings.fleets[f].autoScalingGroup) });
  }

  /** The CodeDeploy stand-in's deployments, each fleet's revision and the calls it answered. */
  public async codeDeploy(): Promise<{ deployments: any[]; revisions: Record<string, string>; calls: any[] }> {
    return JSON.parse(await request(this.codeDeployPort, 'GET', '/_standin/state'));
  }

  /** How the next deployment goes: `succeed`, `fail`, or `hang` (in progress until stopped). */
  public async deploymentMode(mode: 'succeed' | 'fail' | 'hang'): Promise<void> {
    await request(this.codeDeployPort, 'PUT', '/_standin/mode', JSON.stringify({ mode }));
  }

  /** The requests the load balancer stand-in answered since the last `clearServed`. */
  public async served(): Promise<Array<{ path: string; checked: boolean; fleet: string | null; status: number; rule: string }>> {
    return JSON.parse(await request(this.lbPort, 'GET', '/_standin/served'));
  }

  public async clearServed(): Promise<void> {
    await request(this.lbPort, 'DELETE', '/_standin/served');
  }

  /** A user's request through the load balancer stand-in. */
  public userRequest(pathname: string): Promise<Answer> {
    return requestWithStatus(this.lbPort, 'GET', pathname, '', {});
  }

  /** A raw CodeDeploy request signed (in name) with `role`'s key: the stand-in's negative controls. */
  public rawCodeDeploy(role: string, operation: string, body: object): Promise<Answer> {
    const key = this.world.keys[role].AccessKeyId;
    return requestWithStatus(this.codeDeployPort, 'POST', '/', JSON.stringify(body), {
      'X-Amz-Target': `CodeDeploy_20141006.${operation}`,
      'Content-Type': 'application/x-amz-json-1.1',
      'Authorization': `AWS4-HMAC-SHA256 Credential=${key}/20250101/eu-west-1/codedeploy/aws4_request, SignedHeaders=host, Signature=00`,
    });
  }

  /** The requests moto received from the runs (the administrator's included), with their bodies. */
  public motoRequests(): Array<{ method: string; url: string; headers: Record<string, string>; body: string }> {
    return fs.readFileSync(this.recording, 'utf8').split('\n').filter(Boolean).map((line) => {
      const entry = JSON.parse(line);
      const body = entry.body_encoded ? Buffer.from(entry.body ?? '', 'base64').toString('utf8') : String(entry.body ?? '');
      return { method: entry.method, url: entry.url, headers: entry.headers, body };
    });
  }

  /** The role whose user holds an access key. */
  public roleOfAccessKey(accessKey: string): string | undefined {
    return Object.keys(this.world.keys).find((role) => this.world.keys[role].AccessKeyId === accessKey);
  }

  public stop(): void {
    stopServers(this.processes, this.recording);
  }

  /** The world of the settings in moto, one user per role (and the stand-ins' administrator), and the stand-ins told where things are. */
  private async setUp(roles: Record<string, object[]>): Promise<void> {
    const settings = this.release.release.settings;
    const fleets = Object.fromEntries((['blue', 'green'] as const).map((f) => [f, {
      autoScalingGroup: settings.fleets[f].autoScalingGroup,
      targetGroup: String(settings.fleets[f].targetGroupArn).split('/')[1],
    }]));
    const alarms = [...(['blue', 'green'] as const).flatMap((f) => settings.fleets[f].alarmNames), ...settings.alarmNames];
    this.world = await this.admin({
      kind: 'setup',
      roles: Object.fromEntries(Object.entries(roles).map(([role, documents]) => [role, documents.map(motoPolicy)])),
      world: {
        loadBalancer: String(settings.loadBalancerFullName).split('/')[1],
        fleets,
        healthCheckPath: settings.healthCheckPath,
        maxSize: 4,
        alarms,
      },
    });
    await request(this.motoPort, 'POST', '/moto-api/recorder/start-recording');
    const admin = this.world.keys[ADMINISTRATOR];
    const moto = { endpoint: this.motoEndpoint, accessKey: admin.AccessKeyId, secretKey: admin.SecretAccessKey, region: FLEET_EXAMPLE_ENV.region };
    await request(this.codeDeployPort, 'PUT', '/_standin/setup', JSON.stringify({
      application: settings.application,
      account: FLEET_EXAMPLE_ENV.account,
      region: FLEET_EXAMPLE_ENV.region,
      groups: Object.fromEntries((['blue', 'green'] as const).map((f) => [settings.fleets[f].deploymentGroup, {
        autoScalingGroup: settings.fleets[f].autoScalingGroup,
        targetGroupArn: this.world.targetGroups[f].arn,
      }])),
      moto,
    }));
    // The stand-in evaluates the roles' own policies, resources included (CodeDeploy's are the template's, not moto's).
    await request(this.codeDeployPort, 'PUT', '/_standin/keys', JSON.stringify(Object.fromEntries(Object.entries(roles)
      .map(([role, documents]) => [this.world.keys[role].AccessKeyId, documents.map((d) => withoutConditions(d as any).document)]))));
    await request(this.lbPort, 'PUT', '/_standin/setup', JSON.stringify({
      listenerArn: this.world.listenerArn,
      loadBalancerFullName: this.world.loadBalancerFullName,
      targetGroups: Object.fromEntries((['blue', 'green'] as const).map((f) => [this.world.targetGroups[f].arn, {
        fleet: f,
        fullName: this.world.targetGroups[f].fullName,
        deploymentGroup: settings.fleets[f].deploymentGroup,
      }])),
      codeDeployState: `http://127.0.0.1:${this.codeDeployPort}/_standin/state`,
      moto,
    }));
  }

  /**
   * Turns moto's IAM enforcement on (every request must be signed by a user whose policies allow it)
   * or off (administration).
   */
  private async enforceIam(on: boolean): Promise<void> {
    await request(this.motoPort, 'POST', '/moto-api/reset-auth', on ? '0' : 'Infinity');
  }
}

/**
 * A policy as moto can evaluate it: conditions removed (see withoutConditions), CloudWatch's actions
 * under moto's names, and the resources of every action but S3's as `*`, since moto checks a request
 * to any other service against the resource `*` alone. Which resources each call may touch is proven
 * by iam-simulate on the template's own policies (the calls the runs made, and the IAM proof).
 */
export function motoPolicy(document: object): object {
  const { document: plain } = withoutConditions(withMotoActionNames(document as any));
  return {
    ...plain,
    Statement: (plain as any).Statement.map((s: any) => ([s.Action].flat().every((a: string) => a.startsWith('s3:')) ? s : { ...s, Resource: '*' })),
  };
}

/** Runs a fleet project's commands in `cwd` as `role`, with the variables of a pipeline action (or a start-build). */
export function runFleetProject(project: FleetProject, cwd: string, environment: Record<string, string>, settings: object): Promise<ProjectRun> {
  return runCommandsAsync(project, cwd, { ...environment, ...project.environment, [FLEET_RELEASE_ENV.settings]: JSON.stringify(settings) });
}
