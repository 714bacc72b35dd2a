import { CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as codecommit from 'aws-cdk-lib/aws-codecommit';
import * as codepipeline from 'aws-cdk-lib/aws-codepipeline';
import * as actions from 'aws-cdk-lib/aws-codepipeline-actions';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { Construct } from 'constructs';

/**
 * The job of examples/static-site.ts `StaticSiteStack`, written with aws-cdk-lib's L2 constructs
 * the way a competent CDK user writes it without this library: a new CodeCommit repository, a
 * pipeline with its defaults, a CodeBuild build, and a private bucket behind CloudFront (OAC).
 *
 * Deploy approach: an `S3DeployAction` (extract) to the site bucket, then a small CodeBuild project
 * that invalidates the distribution. The S3 deploy action is CodePipeline's own way to publish a
 * build to a bucket, and as it does not invalidate, hand-written pipelines add a step; a CodeBuild
 * step is the one without function code to maintain. `s3deploy.BucketDeployment` (a Lambda-backed
 * custom resource) publishes at `cdk deploy` time, not on each push, so it does not do this job.
 *
 * Single-page app routing is CloudFront `errorResponses` mapping 403 and 404 to `/index.html`
 * with status 200, as most hand-written stacks do.
 */
export class BaselineStaticSiteStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);

    const repository = new codecommit.Repository(this, 'Repository', { repositoryName: 'marketing-site' });

    const siteBucket = new s3.Bucket(this, 'SiteBucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
    });

    const distribution = new cloudfront.Distribution(this, 'Distribution', {
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(siteBucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
      },
      defaultRootObject: 'index.html',
      // Without list access S3 answers a missing key with 403, so both statuses mean "route in the app".
      errorResponses: [403, 404].map((httpStatus) => ({
        httpStatus,
        responseHttpStatus: 200,
        responsePagePath: '/index.html',
      })),
    });

    const buildProject = new codebuild.PipelineProject(this, 'Build', {
      environment: { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0 },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          install: { 'runtime-versions': { nodejs: '20' } },
          build: { commands: ['npm ci', 'npm run build', 'npm test'] },
        },
        artifacts: { 'base-directory': 'dist', 'files': ['**/*'] },
      }),
    });

    const invalidateProject = new codebuild.PipelineProject(this, 'Invalidate', {
      environment: {
        buildImage: codebuild.LinuxBuildImage.STANDARD_7_0,
        environmentVariables: { DISTRIBUTION_ID: { value: distribution.distributionId } },
      },
      buildSpec: codebuild.BuildSpec.fromObject({
        version: '0.2',
        phases: {
          build: { commands: ['aws cloudfront create-invalidation --distribution-id "$DISTRIBUTION_ID" --paths "/*"'] },
        },
      }),
    });
    distribution.grantCreateInvalidation(invalidateProject);

    const sourceOutput = new codepipeline.Artifact('Source');
    const buildOutput = new codepipeline.Artifact('Build');
    const pipeline = new codepipeline.Pipeline(this, 'Pipeline', {
      stages: [
        {
          stageName: 'Source',
          actions: [new actions.CodeCommitSourceAction({ actionName: 'Source', repository, branch: 'main', output: sourceOutput })],
        },
        {
          stageName: 'Build',
          actions: [new actions.CodeBuildAction({ actionName: 'Build', project: buildProject, input: sourceOutput, outputs: [buildOutput] })],
        },
        {
          stageName: 'Deploy',
          actions: [
            new actions.S3DeployAction({ actionName: 'Deploy', bucket: siteBucket, input: buildOutput, extract: true, runOrder: 1 }),
            new actions.CodeBuildAction({ actionName: 'Invalidate', project: invalidateProject, input: buildOutput, runOrder: 2 }),
          ],
        },
      ],
    });

    new CfnOutput(this, 'SiteUrl', { value: `https://${distribution.distributionDomainName}` });
    new CfnOutput(this, 'CloneUrlHttp', { value: repository.repositoryCloneUrlHttp });
    new CfnOutput(this, 'PipelineName', { value: pipeline.pipelineName });
  }
}
