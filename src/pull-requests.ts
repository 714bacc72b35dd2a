import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as events from 'aws-cdk-lib/aws-events';
import * as eventTargets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { markResource, ResourceKind } from './compliance/accepted-findings';
import { ManagedPolicyRole } from './managed-policy-role';

/*
 * How the pull requests of a source start the work done for them (previews). Each source kind
 * knows, as it knows its pipeline action: CodeCommit sends its pull requests' events to EventBridge,
 * whose rules start CodeBuild projects; a connection starts a V2 pipeline whose trigger filters pull
 * requests (CodePipeline's triggers exist for connections only, and CodeCommit's pull requests
 * reach no trigger). What is built is the caller's: it gives one builder per kind.
 *
 * @see https://docs.aws.amazon.com/codecommit/latest/userguide/monitoring-events.html
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html
 */

/** The pull requests of a pipeline's source. */
export interface PullRequestSource {
  /** Calls the builder of this source's kind, and returns what it built. */
  startBuilds<T>(builds: PullRequestBuilds<T>): T;
}

/** What to build for pull requests, for each kind of source. */
export interface PullRequestBuilds<T> {
  codeCommit(pullRequests: CodeCommitPullRequests): T;
  connection(pullRequests: ConnectionPullRequests): T;
}

/** Which pull requests start a piece of work: open ones (opened, or pushed to), or closed ones (closed or merged). */
export enum PullRequestState {
  OPEN = 'Open',
  CLOSED = 'Closed',
}

/** The variables a CodeCommit pull-request rule gives the project it starts. */
export const CODECOMMIT_PULL_REQUEST = {
  id: 'PULL_REQUEST_ID',
  sourceCommit: 'SOURCE_COMMIT',
  destinationCommit: 'DESTINATION_COMMIT',
  event: 'PULL_REQUEST_EVENT',
} as const;

/** How a rule starts a project for a CodeCommit pull request. */
export interface PullRequestRuleProps {
  /** The rule's description. */
  readonly description: string;
  /** The pull requests that start the project. */
  readonly state: PullRequestState;
  /** The project started, with the CODECOMMIT_PULL_REQUEST variables. */
  readonly project: codebuild.IProject;
  /** Whether the project (which has the repository as its source) checks out the pull request's source commit. */
  readonly checkout: boolean;
}

/**
 * The pull requests of a CodeCommit repository into a branch: rules on the repository's
 * pull-request events start the projects of the work.
 */
export class CodeCommitPullRequests implements PullRequestSource {
  constructor(public readonly repository: codecommit.IRepository, public readonly branch: string) {}

  public startBuilds<T>(builds: PullRequestBuilds<T>): T {
    return builds.codeCommit(this);
  }

  /**
   * A rule (id `id`, its role `<id>Role`) that starts the project for each pull request into the
   * branch in the given state. An open pull request is created, updated by a push to its source
   * branch, or reopened; a closed one is closed or merged (a merge also closes it).
   *
   * @see https://docs.aws.amazon.com/codecommit/latest/userguide/monitoring-events.html#pullRequestCreated
   */
  public startOn(scope: Construct, id: string, props: PullRequestRuleProps): events.Rule {
    const eventRole = new ManagedPolicyRole(scope, `${id}Role`, { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') });
    return new events.Rule(scope, id, {
      description: props.description,
      eventPattern: {
        source: ['aws.codecommit'],
        detailType: ['CodeCommit Pull Request State Change'],
        resources: [this.repository.repositoryArn],
        detail: { destinationReference: [`refs/heads/${this.branch}`], ...STATE_EVENTS[props.state], pullRequestStatus: [props.state] },
      },
      targets: [new eventTargets.CodeBuildProject(props.project, {
        eventRole,
        event: events.RuleTargetInput.fromObject({
          ...(props.checkout ? { sourceVersion: events.EventField.fromPath('$.detail.sourceCommit') } : {}),
          environmentVariablesOverride: Object.entries(EVENT_FIELDS).map(([name, field]) => ({
            name, value: events.EventField.fromPath(`$.detail.${field}`), type: 'PLAINTEXT',
          })),
        }),
      })],
    });
  }
}

/** A pipeline started by the pull requests of a connection. */
export interface ConnectionPullRequestPipeline {
  readonly pipeline: codepipeline.Pipeline;
  /** The pipeline's role, which its action roles trust. */
  readonly role: iam.IRole;
  /** The source action: the pull request's source branch, at its head. */
  readonly source: actions.CodeStarConnectionsSourceAction;
  readonly output: codepipeline.Artifact;
}

/** What a pull-request pipeline is made of. */
export interface PullRequestPipelineProps {
  /** The pipeline's name (its first step's role names it in a grant, which must not wait for the pipeline). */
  readonly pipelineName: string;
  readonly artifactBucket: s3.IBucket;
  /** The pull-request events that start it. */
  readonly events: codepipeline.GitPullRequestEvent[];
}

/** Makes a connection's source action, with its role, in `scope`. */
export type ConnectionSourceActionFactory = (scope: Construct, pipelineRole: iam.IRole) => actions.CodeStarConnectionsSourceAction;

/**
 * The pull requests of a connection's repository into a branch: each start a V2 pipeline of their
 * own whose source is the pull request's source branch.
 */
export class ConnectionPullRequests implements PullRequestSource {
  /**
   * @param filePaths the source's file path criteria (CodePipeline's `FilePaths`), which filter its pull requests too
   */
  constructor(public readonly branch: string, private readonly sourceAction: ConnectionSourceActionFactory,
    private readonly filePaths?: Record<string, string[]>) {}

  public startBuilds<T>(builds: PullRequestBuilds<T>): T {
    return builds.connection(this);
  }

  /**
   * A V2 pipeline (id `id`; its role and source action in `<id>Source`) with a source stage,
   * started by the given events of pull requests into the branch, in PARALLEL mode: pull requests
   * are independent, one must not cancel or wait for another's execution. CodePipeline also runs
   * it once at creation and on a start by hand, on the branch itself: the caller tells those
   * executions apart (see the previews' Identify step).
   */
  public pipeline(scope: Construct, id: string, props: PullRequestPipelineProps): ConnectionPullRequestPipeline {
    const sourceScope = new Construct(scope, `${id}Source`);
    const role = new ManagedPolicyRole(sourceScope, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') });
    const source = this.sourceAction(sourceScope, role);
    const output = source.actionProperties.outputs![0];
    const pipeline = new codepipeline.Pipeline(scope, id, {
      pipelineName: props.pipelineName,
      pipelineType: codepipeline.PipelineType.V2,
      executionMode: codepipeline.ExecutionMode.PARALLEL,
      artifactBucket: props.artifactBucket,
      crossAccountKeys: false,
      restartExecutionOnUpdate: false,
      role,
      stages: [{ stageName: 'Source', actions: [source] }],
    });
    pipeline.addTrigger({
      providerType: codepipeline.ProviderType.CODE_STAR_SOURCE_CONNECTION,
      gitConfiguration: {
        sourceAction: source,
        pullRequestFilter: [{ branchesIncludes: [this.branch], events: props.events }],
      },
    });
    if (this.filePaths) {
      // aws-cdk-lib's pull-request filter has no file paths: written on the resource, as the push trigger's are.
      (pipeline.node.defaultChild as codepipeline.CfnPipeline).addPropertyOverride('Triggers.0.GitConfiguration.PullRequest.0.FilePaths', this.filePaths);
    }
    markResource(pipeline, ResourceKind.PIPELINE);
    return { pipeline, role, source, output };
  }
}

/**
 * The events of each state (with `pullRequestStatus` equal to the state).
 *
 * @see https://docs.aws.amazon.com/codecommit/latest/userguide/monitoring-events.html
 */
const STATE_EVENTS: Record<PullRequestState, { event: string[] }> = {
  [PullRequestState.OPEN]: { event: ['pullRequestCreated', 'pullRequestSourceBranchUpdated', 'pullRequestStatusChanged'] },
  [PullRequestState.CLOSED]: { event: ['pullRequestStatusChanged', 'pullRequestMergeStatusUpdated'] },
};

/** Each CODECOMMIT_PULL_REQUEST variable and the field of the event's detail it is taken from. */
const EVENT_FIELDS: Record<string, string> = {
  [CODECOMMIT_PULL_REQUEST.id]: 'pullRequestId',
  [CODECOMMIT_PULL_REQUEST.sourceCommit]: 'sourceCommit',
  [CODECOMMIT_PULL_REQUEST.destinationCommit]: 'destinationCommit',
  [CODECOMMIT_PULL_REQUEST.event]: 'event',
};
