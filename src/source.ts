import { RemovalPolicy } from 'aws-cdk-lib';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { pipelineActionRole, ManagedPolicyRole } from './managed-policy-role';
import {
  CONNECTION_ARN,
  validateBranch,
  validateConnectionArn,
  validateGitHostName,
  validateMaxLength,
  validateRepositoryName,
  validationError,
} from './validation';

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
    return { action, output, branch, repository, repositoryDisplayName: repository.repositoryName, commitId: action.variables.commitId };
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

    // aws-cdk-lib grants `codestar-connections:UseConnection`, which only matches ARNs of that
    // prefix; connections created since the 2024 rename have `codeconnections` ARNs and need the
    // action of that prefix. An action role we own lets us grant the matching one.
    // https://docs.aws.amazon.com/dtconsole/latest/userguide/rename.html
    const role = pipelineActionRole(scope, 'SourceConnectionRole', options.pipelineRole,
      connectionRoleDescription(`${owner}/${repository}`));
    const prefix = CONNECTION_ARN.exec(connectionArn)?.[1];
    if (prefix === 'codeconnections') {
      role.addToPrincipalPolicy(new iam.PolicyStatement({
        actions: ['codeconnections:UseConnection'],
        resources: [connectionArn],
      }));
    }

    const output = new codepipeline.Artifact('Source');
    const action = new actions.CodeStarConnectionsSourceAction({
      actionName: 'Checkout',
      connectionArn,
      owner,
      repo: repository,
      branch,
      output,
      role,
      triggerOnPush: true,
    });
    return { action, output, branch, repositoryDisplayName: `${owner}/${repository}`, commitId: action.variables.commitId };
  }
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
