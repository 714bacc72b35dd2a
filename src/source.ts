import { RemovalPolicy } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { pipelineActionRole, ManagedPolicyRole } from './managed-policy-role';
import { CodeCommitPullRequests, ConnectionPullRequests, PullRequestSource } from './pull-requests';
import { skipStagesUnless } from './stage-conditions';
import {
  CONNECTION_ARN,
  validateBranch,
  validateConnectionArn,
  validateGitHostName,
  validateMaxLength,
  validateFilePathGlobs,
  validateRepositoryName,
  validationError,
} from './validation';

/**
 * Which changed files of a push start the pipeline: the app's folder of a monorepo. Globs of paths
 * relative to the repository root, with `*` (within a folder), `**` (any folders) and `?`.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html
 */
export interface FilePathFilter {
  /**
   * A push starts the pipeline when it changes a file matching one of these (at most 8 globs of
   * 255 characters).
   *
   * @default - any file
   */
  readonly includes?: string[];

  /**
   * Changes to files matching these never start the pipeline by themselves; they win over
   * `includes` (at most 8 globs of 255 characters).
   *
   * @default - none
   */
  readonly excludes?: string[];
}

/** The branch a source watches when none is given. */
const DEFAULT_BRANCH = 'main';

/**
 * Options for a source in AWS CodeCommit: either a new repository (`repositoryName`) or an
 * existing one (`repository`).
 */
export interface CodeCommitSourceOptions {
  /**
   * Name of a CodeCommit repository to create for this pipeline. The repository is retained when
   * the stack is deleted, with its history (delete it on purpose with
   * `aws codecommit delete-repository --repository-name <name>`).
   *
   * @default - none; give `repository` instead
   */
  readonly repositoryName?: string;

  /**
   * Description of the repository created from `repositoryName`.
   *
   * @default - no description
   */
  readonly repositoryDescription?: string;

  /**
   * An existing CodeCommit repository, e.g. `codecommit.Repository.fromRepositoryName(...)`.
   *
   * @default - none; give `repositoryName` instead
   */
  readonly repository?: codecommit.IRepository;

  /**
   * The branch whose pushes start the pipeline.
   *
   * @default 'main'
   */
  readonly branch?: string;

  /**
   * Release only pushes that change these files. CodeCommit has no such trigger: a first step on the
   * deploy steps' compute compares the commit with the live release's (CodeCommit's
   * GetDifferences) and skips the later stages when none of the changed files match.
   * StaticSitePipeline only.
   *
   * @default - every push releases
   */
  readonly filePaths?: FilePathFilter;
}

/**
 * Options for a source in GitHub, GitHub Enterprise Server, GitLab or Bitbucket, reached through
 * an AWS CodeConnections connection.
 *
 * The connection must be created and made AVAILABLE (a one-time handshake in the console) before
 * the pipeline can run.
 *
 * @see https://docs.aws.amazon.com/dtconsole/latest/userguide/welcome-connections.html
 */
export interface ConnectionSourceOptions {
  /**
   * ARN of the connection (`arn:aws:codeconnections:...` or the older `arn:aws:codestar-connections:...`).
   */
  readonly connectionArn: string;

  /** Owner of the repository: the user, organization or workspace name (at most 100 characters). */
  readonly owner: string;

  /** Name of the repository (at most 100 characters). */
  readonly repository: string;

  /**
   * The branch whose pushes start the pipeline.
   *
   * @default 'main'
   */
  readonly branch?: string;

  /**
   * Start the pipeline (and, with previews, a pull request's preview) only for changes to these
   * files: the V2 pipeline's trigger filters them.
   *
   * @default - every push starts the pipeline
   */
  readonly filePaths?: FilePathFilter;
}

/** What a source is bound with. */
export interface PipelineSourceBindOptions {
  /** The role of the pipeline, the only principal that may assume the source action's role. */
  readonly pipelineRole: iam.IRole;
}

/** What a bound source contributes to a pipeline. */
export interface PipelineSourceConfig {
  /** The source action, first in the pipeline. */
  readonly action: codepipeline.IAction;

  /** The artifact holding the checked-out code. */
  readonly output: codepipeline.Artifact;

  /** The branch that starts the pipeline. */
  readonly branch: string;

  /** A human-readable name of the repository, for outputs and summaries. */
  readonly repositoryDisplayName: string;

  /**
   * The commit the execution builds, as a pipeline variable expression (`#{<namespace>.CommitId}`)
   * that later actions resolve at run time.
   *
   * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/reference-variables.html#reference-variables-list
   */
  readonly commitId: string;

  /**
   * The CodeCommit repository, when the source is CodeCommit.
   *
   * @default - not a CodeCommit source
   */
  readonly repository?: codecommit.IRepository;

  /** With `filePaths`, how the pipeline is kept to the pushes that change them. */
  readonly pushFilter?: PushFilter;

  /** How the source's pull requests into the branch start the work done for them (previews). */
  readonly pullRequests: PullRequestSource;
}

/**
 * How a pipeline runs only for the pushes that change files of `filePaths`; each kind of source
 * has its way.
 */
export interface PushFilter {
  readonly filePaths: FilePathFilter;
  /**
   * Applies the filter to `pipeline` once its stages are in place; `changesCheck` makes the step
   * that tells a push's changes where the source has no trigger that can (CodeCommit).
   */
  apply(pipeline: codepipeline.Pipeline, changesCheck?: ChangesCheck): void;
}

/** Makes the action that tells whether a push changed files of `filePaths`, and its variable ('true' or 'false'). */
export interface ChangesCheck {
  action(filePaths: FilePathFilter): { readonly action: codepipeline.IAction; readonly changed: string };
}

/**
 * Where the pipeline gets its code, and which pushes start it.
 *
 * @example
 * PipelineSource.codeCommit({ repositoryName: 'marketing-site' });
 */
export abstract class PipelineSource {
  /**
   * A CodeCommit repository: a new one (`repositoryName`) or an existing one (`repository`).
   * Every push to the branch starts the pipeline (through an EventBridge rule).
   */
  public static codeCommit(options: CodeCommitSourceOptions): PipelineSource {
    return new CodeCommitSource(options);
  }

  /**
   * A GitHub, GitLab or Bitbucket repository through an AWS CodeConnections connection.
   * Every push to the branch starts the pipeline.
   */
  public static connection(options: ConnectionSourceOptions): PipelineSource {
    return new ConnectionSource(options);
  }

  /**
   * Creates the source action (and the repository, when asked to) in `scope`.
   *
   * @param scope the pipeline construct; bad options are reported against it
   * @param options what the pipeline gives the source
   * @internal
   */
  public abstract _bind(scope: Construct, options: PipelineSourceBindOptions): PipelineSourceConfig;
}

class CodeCommitSource extends PipelineSource {
  constructor(private readonly options: CodeCommitSourceOptions) {
    super();
  }

  /** @internal */
  public _bind(scope: Construct, options: PipelineSourceBindOptions): PipelineSourceConfig {
    const { repositoryName, repository: existing } = this.options;
    const branch = this.options.branch ?? DEFAULT_BRANCH;
    if ((repositoryName === undefined) === (existing === undefined)) {
      throw validationError(scope, 'source: give exactly one of repositoryName (to create a repository) or repository (an existing one)');
    }
    if (repositoryName !== undefined) {
      validateRepositoryName(scope, 'source.repositoryName', repositoryName);
    }
    if (existing !== undefined) {
      // An imported name goes into the source action's IAM resource ARNs unchecked (cfn-lint W1032
      // found `...:codecommit:<region>:<account>:` for an empty one).
      validateRepositoryName(scope, 'source.repository', existing.repositoryName);
    }
    if (this.options.repositoryDescription !== undefined) {
      validateMaxLength(scope, 'source.repositoryDescription', this.options.repositoryDescription, 1000, "CodeCommit's limit");
    }
    validateBranch(scope, 'source.branch', branch);
    validatePushFilter(scope, this.options.filePaths);

    const repository = existing ?? newRepository(scope, repositoryName!, this.options.repositoryDescription);
    const output = new codepipeline.Artifact('Source');
    const action = new actions.CodeCommitSourceAction({
      actionName: 'CodeCommit',
      repository,
      branch,
      output,
      // EventBridge starts the pipeline on push; polling would lag and cost API calls.
      trigger: actions.CodeCommitTrigger.EVENTS,
      role: pipelineActionRole(scope, 'SourceActionRole', options.pipelineRole),
      eventRole: new ManagedPolicyRole(scope, 'SourceEventsRole', { assumedBy: new iam.ServicePrincipal('events.amazonaws.com') }),
    });
    const filePaths = this.options.filePaths;
    return {
      action,
      output,
      branch,
      repository,
      repositoryDisplayName: repository.repositoryName,
      commitId: action.variables.commitId,
      pullRequests: new CodeCommitPullRequests(repository, branch),
      pushFilter: filePaths && {
        filePaths,
        apply: (pipeline, changesCheck) => {
          if (!changesCheck) {
            throw validationError(scope, 'source.filePaths on a CodeCommit source needs a StaticSitePipeline with atomic releases (a first step compares '
              + 'each push with the live release); use a connection source, whose trigger filters file paths, or remove source.filePaths');
          }
          const check = changesCheck.action(filePaths);
          pipeline.addStage({ stageName: 'Changes', placement: { justAfter: pipeline.stages[0] }, actions: [check.action] });
          skipStagesUnless(pipeline, 2, { name: 'ChangedFilesOnly', variable: check.changed, operator: 'EQ', value: 'true' });
        },
      },
    };
  }
}

class ConnectionSource extends PipelineSource {
  constructor(private readonly options: ConnectionSourceOptions) {
    super();
  }

  /** @internal */
  public _bind(scope: Construct, options: PipelineSourceBindOptions): PipelineSourceConfig {
    const { connectionArn, owner, repository } = this.options;
    const branch = this.options.branch ?? DEFAULT_BRANCH;
    validateConnectionArn(scope, 'source.connectionArn', connectionArn);
    validateGitHostName(scope, 'source.owner', owner);
    validateGitHostName(scope, 'source.repository', repository);
    validateBranch(scope, 'source.branch', branch);
    validatePushFilter(scope, this.options.filePaths);

    const action = this.sourceAction(scope, options.pipelineRole);
    const filePaths = this.options.filePaths;
    return {
      action,
      output: action.actionProperties.outputs![0],
      branch,
      repositoryDisplayName: `${owner}/${repository}`,
      commitId: action.variables.commitId,
      pushFilter: filePaths && {
        filePaths,
        apply: (pipeline) => addPushTrigger(pipeline, action.actionProperties.actionName, branch, filePaths),
      },
      // Each pull-request pipeline has a source action of its own (an action belongs to one pipeline).
      pullRequests: new ConnectionPullRequests(branch, (actionScope, pipelineRole) => this.sourceAction(actionScope, pipelineRole),
        filePaths && filePathsCriteria(filePaths)),
    };
  }

  /** The action that checks out the branch through the connection, with its role (`SourceConnectionRole` in `scope`). */
  private sourceAction(scope: Construct, pipelineRole: iam.IRole): actions.CodeStarConnectionsSourceAction {
    const { connectionArn, owner, repository } = this.options;
    // aws-cdk-lib grants `codestar-connections:UseConnection`, which only matches ARNs of that
    // prefix; connections created since the 2024 rename have `codeconnections` ARNs and need the
    // action of that prefix. An action role we own lets us grant the matching one.
    // https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html
    const role = pipelineActionRole(scope, 'SourceConnectionRole', pipelineRole,
      connectionRoleDescription(`${owner}/${repository}`));
    const prefix = CONNECTION_ARN.exec(connectionArn)?.[1];
    if (prefix === 'codeconnections') {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['codeconnections:UseConnection'],
        resources: [connectionArn],
      }));
    }
    return new actions.CodeStarConnectionsSourceAction({
      actionName: 'Checkout',
      connectionArn,
      owner,
      repo: repository,
      branch: this.options.branch ?? DEFAULT_BRANCH,
      output: new codepipeline.Artifact('Source'),
      role,
      // With file paths, the pipeline's trigger starts it instead.
      triggerOnPush: !this.options.filePaths,
    });
  }
}

/** Checks the globs of a source's `filePaths`. */
function validatePushFilter(scope: Construct, filePaths: FilePathFilter | undefined): void {
  validateFilePathGlobs(scope, 'source.filePaths.includes', filePaths?.includes ?? []);
  validateFilePathGlobs(scope, 'source.filePaths.excludes', filePaths?.excludes ?? []);
}

/**
 * The V2 pipeline's trigger on pushes to `branch` that change `filePaths`. Written on the
 * CloudFormation resource: aws-cdk-lib's push filters take branches and file paths only in versions
 * later than the oldest this library supports.
 *
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-codepipeline-pipeline-gitpushfilter.html
 */
function addPushTrigger(pipeline: codepipeline.Pipeline, sourceActionName: string, branch: string, filePaths: FilePathFilter): void {
  const cfnPipeline = pipeline.node.defaultChild as codepipeline.CfnPipeline;
  cfnPipeline.addPropertyOverride('Triggers', [{
    ProviderType: 'CodeStarSourceConnection',
    GitConfiguration: {
      SourceActionName: sourceActionName,
      Push: [{ Branches: { Includes: [branch] }, FilePaths: filePathsCriteria(filePaths) }],
    },
  }]);
}

/** A FilePathFilter as CodePipeline's GitFilePathFilterCriteria. */
export function filePathsCriteria(filePaths: FilePathFilter): Record<string, string[]> {
  return {
    ...filePaths.includes?.length ? { Includes: filePaths.includes } : {},
    ...filePaths.excludes?.length ? { Excludes: filePaths.excludes } : {},
  };
}

/** A new CodeCommit repository, retained on stack deletion: it holds the team's history. */
function newRepository(scope: Construct, repositoryName: string, description?: string): codecommit.Repository {
  const repository = new codecommit.Repository(scope, 'Repository', { repositoryName, description });
  repository.applyRemovalPolicy(RemovalPolicy.RETAIN);
  return repository;
}

/**
 * The connection role's description, naming the repository when IAM can show its name: a role
 * description takes Latin-1 characters only, and GitLab names may use others.
 */
function connectionRoleDescription(repository: string): string {
  return /^[\x20-\x7E\xA1-\xFF]*$/.test(repository)
    ? `Lets the pipeline read ${repository} through its connection`
    : 'Lets the pipeline read the source repository through its connection';
}
