import * as path from 'path';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';
import { RELEASE_ENV, RELEASES_PREFIX } from './release-contract';
import { keyValueStoreActions, suppressReleaseObjects } from './release-projects';
import { ArtifactKey } from '../artifact-store';
import { deployStepProjectDefaults, PipelineStepProject } from '../codebuild-project';
import { DeployStepCompute } from '../deploy-compute';
import { ProjectKind } from '../project-kind';
import { unpackRuntimeFilesCommands } from '../runtime-program';
import { shellQuote } from '../shell';
import { ChangesCheck, FilePathFilter } from '../source';

/** What the changes check reads: the live release in the site's store and bucket, and the repository. */
export interface ChangesCheckProps {
  readonly repository: codecommit.IRepository;
  readonly bucket: s3.IBucket;
  readonly keyValueStore: cloudfront.IKeyValueStore;
  /** The source's output, the action's input (it reads none of it). */
  readonly sourceOutput: codepipeline.Artifact;
  /** The commit of the execution, as a variable expression. */
  readonly commitId: string;
  readonly actionRole: iam.IRole;
  readonly compute: DeployStepCompute;
  readonly encryptionKey: ArtifactKey;
  readonly logRetention: logs.RetentionDays;
}

/** The variable the check exports: 'true' when a changed file passes the filter. */
const CHANGED_VARIABLE = 'CHANGED';

/**
 * For a CodeCommit source with `filePaths`: a step on the deploy steps' compute that compares the
 * commit with the live release's through CodeCommit's GetDifferences (runtime/changes.js), and
 * exports whether a changed file passes the filter. CodePipeline's triggers filter file paths on
 * connections only.
 *
 * @see https://docs.aws.amazon.com/codepipeline/latest/userguide/pipelines-filter.html
 */
export class LiveReleaseChangesCheck extends Construct implements ChangesCheck {
  constructor(scope: Construct, id: string, private readonly props: ChangesCheckProps) {
    super(scope, id);
  }

  public action(filePaths: FilePathFilter): { action: codepipeline.IAction; changed: string } {
    const props = this.props;
    const project = new PipelineStepProject(this, 'Project', {
      kind: ProjectKind.CHANGES_CHECK,
      description: 'Tells whether a push changed files of source.filePaths since the live release',
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        env: { 'exported-variables': [CHANGED_VARIABLE] },
        phases: {
          build: {
            commands: [
              ...unpackRuntimeFilesCommands(PROGRAM_DIR, path.join(__dirname), ['changes.js', 'site-cli.js', 'step-clock.js', 'release-contract.json']),
              // A plain assignment, not `export X="$(...)"`: export would hide the program's failure.
              `${CHANGED_VARIABLE}="$(node "$${PROGRAM_DIR}/changes.js" ${shellQuote(JSON.stringify(filePaths))})"`,
              `export ${CHANGED_VARIABLE}`,
            ],
          },
        },
      }),
      ...deployStepProjectDefaults(props, {
        [RELEASE_ENV.bucket]: props.bucket.bucketName,
        [RELEASE_ENV.keyValueStoreArn]: props.keyValueStore.keyValueStoreArn,
        [RELEASE_ENV.repositoryName]: props.repository.repositoryName,
      }),
    });
    props.compute.finish(project);
    // https://docs.aws.amazon.com/codecommit/latest/userguide/auth-and-access-control-permissions-reference.html
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['codecommit:GetDifferences'], resources: [props.repository.repositoryArn] }));
    project.addToRolePolicy(keyValueStoreActions(props.keyValueStore, ['GetKey']));
    project.addToRolePolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [props.bucket.arnForObjects(`${RELEASES_PREFIX}*.json`)] }));
    suppressReleaseObjects(project, props.bucket, '*.json', 'The changes check reads the marker of the live release, whose id is read at run time; the grant is limited to the markers (.json) under releases/ of the site bucket.');
    const action = new actions.CodeBuildAction({
      actionName: 'ChangedFiles',
      project,
      role: props.actionRole,
      input: props.sourceOutput,
      environmentVariables: { [RELEASE_ENV.commitId]: { value: props.commitId } },
    });
    return { action, changed: action.variable(CHANGED_VARIABLE) };
  }
}

/** Shell variable holding the directory the changes program is unpacked in. */
const PROGRAM_DIR = 'CHANGES_PROGRAM_DIR';
