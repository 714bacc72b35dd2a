import { IConstruct } from 'constructs';

/**
 * What a CodeBuild project of this library does. Every project records its kind as construct
 * metadata (PROJECT_KIND_METADATA), which goes to the cloud assembly and not to the template, so the
 * tests and the proofs find a project by its job, never by its console description.
 */
export enum ProjectKind {
  /** Builds and tests each commit the pipeline runs on. */
  BUILD = 'build',
  /** Builds and tests the head of a pull request in a connection's preview pipeline. */
  PREVIEW_PIPELINE_BUILD = 'preview-pipeline-build',
  /** Builds, tests and uploads the preview of a CodeCommit pull request, started by its events. */
  PREVIEW_BUILD = 'preview-build',
  /** Publishes the build in place to the site bucket and invalidates the distribution. */
  SITE_DEPLOY = 'site-deploy',
  /** Uploads the build as a new release, without making it live. */
  RELEASE_UPLOAD = 'release-upload',
  /** Verifies the uploaded release and makes it the live one. */
  GO_LIVE = 'go-live',
  /** Makes the previous release live again, started by hand. */
  ROLLBACK = 'rollback',
  /** Tells whether a push changed the files of `source.filePaths` since the live release. */
  CHANGES_CHECK = 'changes-check',
  /** The first step of a preview pipeline: tells whether a pull request started it, and names the preview. */
  PREVIEW_IDENTIFY = 'preview-identify',
  /** Uploads the preview of a pull request as a release. */
  PREVIEW_UPLOAD = 'preview-upload',
  /** Publishes the preview of a pull request under its name and token. */
  PREVIEW_PUBLISH = 'preview-publish',
  /** Removes the preview of a closed or merged pull request. */
  PREVIEW_REMOVE = 'preview-remove',
  /** Runs the steps of a blue/green release of a managed fleet. */
  FLEET_RELEASE = 'fleet-release',
  /** Sends all traffic back to the fleet of the release before, started by hand. */
  FLEET_ROLLBACK = 'fleet-rollback',
}

/** The construct metadata type under which a project's CloudFormation resource records its kind. */
export const PROJECT_KIND_METADATA = 'cdk-deploy-pipelines:project-kind';

/** Records on `resource` (a project's `AWS::CodeBuild::Project`) what the project does. */
export function recordProjectKind(resource: IConstruct, kind: ProjectKind): void {
  resource.node.addMetadata(PROJECT_KIND_METADATA, kind);
}
