import { Annotations, Aws, Duration, Fn, Stack, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { Construct } from 'constructs';
import { regionIsOneOf } from './region-condition';
import { validationError } from './validation';

/**
 * Where CodeBuild runs the pipeline's own steps after the build (uploading a release, switching the
 * live one, rolling back, publishing in place).
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/build-env-ref-compute-types.html#compute.types
 */
export enum DeployCompute {
  /**
   * AWS Lambda compute (`BUILD_LAMBDA_1GB`, image `amazonlinux-x86_64-lambda-standard:nodejs22`):
   * a step starts without waiting for an instance and without queueing. A step stops after 15
   * minutes, CodeBuild's limit for Lambda compute.
   *
   * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html
   */
  LAMBDA = 'LAMBDA',

  /**
   * EC2 compute (`BUILD_GENERAL1_SMALL`, image `standard:7.0`): each step waits for an instance
   * to be provisioned; a step may run for 20 minutes. For uploads that take longer than Lambda
   * compute's 15 minutes, or regions without Lambda compute.
   */
  EC2 = 'EC2',
}

/**
 * The regions where CodeBuild offers Lambda compute.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.regions
 */
export const LAMBDA_COMPUTE_REGIONS: readonly string[] = [
  'us-east-1', 'us-east-2', 'us-west-2',
  'ap-south-1', 'ap-southeast-1', 'ap-southeast-2', 'ap-northeast-1',
  'eu-central-1', 'eu-west-1', 'sa-east-1',
];

/**
 * The image of the deploy steps on Lambda compute: Node.js 22 (an LTS release; 20 reached its end of
 * life in April 2026) for the release programs, and the AWS CLI v2. Named by its image id: aws-cdk-lib's
 * constant for it (`LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22`) is newer than the oldest
 * aws-cdk-lib this library supports, and the class cannot be made from an id.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda-compute-images.html
 */
const LINUX_LAMBDA_IMAGE = codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_20;
const LAMBDA_NODE_22_IMAGE: codebuild.IBuildImage = {
  type: 'LINUX_LAMBDA_CONTAINER',
  imageId: 'aws/codebuild/amazonlinux-x86_64-lambda-standard:nodejs22',
  defaultComputeType: codebuild.ComputeType.LAMBDA_1GB,
  // "When you use an AWS CodeBuild curated image, you must use CODEBUILD credentials" (the API's
  // default, which aws-cdk-lib would otherwise replace with SERVICE_ROLE for an image it does not know).
  // https://docs.aws.amazon.com/codebuild/latest/APIReference/API_ProjectEnvironment.html
  imagePullPrincipalType: codebuild.ImagePullPrincipalType.CODEBUILD,
  // Checked and scripted as every x86-64 Lambda image is.
  validate: (environment) => LINUX_LAMBDA_IMAGE.validate(environment),
  runScriptBuildspec: (entrypoint) => LINUX_LAMBDA_IMAGE.runScriptBuildspec(entrypoint),
};
/** The Lambda compute of the deploy steps: the smallest, with Node.js 22 and the AWS CLI v2. */
const LAMBDA = { buildImage: LAMBDA_NODE_22_IMAGE, computeType: codebuild.ComputeType.LAMBDA_1GB };
/** The EC2 compute of the deploy steps, as before Lambda compute was the default. */
const EC2 = { buildImage: codebuild.LinuxBuildImage.STANDARD_7_0, computeType: codebuild.ComputeType.SMALL };
/** How long a deploy step may run on EC2 compute. Lambda compute takes no custom timeout (it stops a build at 15 minutes). */
const EC2_TIMEOUT = Duration.minutes(20);

/**
 * How long CodeBuild lets a build on Lambda compute run.
 *
 * @see https://docs.aws.amazon.com/codebuild/latest/userguide/lambda.html#lambda.limitations
 */
export const LAMBDA_COMPUTE_MINUTES = 15;

/** The environment and timeout of a deploy step's project, and what to do to the project once made. */
export interface DeployStepCompute {
  /** The image and compute type to create the project with. */
  readonly environment: { readonly buildImage: codebuild.IBuildImage; readonly computeType: codebuild.ComputeType };
  /** The timeout to create the project with; none on Lambda compute. */
  readonly timeout?: Duration;
  /**
   * How many minutes CodeBuild lets a step run on this compute, for the programs that must finish
   * before it stops them: a number, or a CloudFormation choice where the region picks the compute.
   */
  readonly timeLimitMinutes: string;
  /** Finishes the project: with the region unknown at synth time, lets CloudFormation choose the compute by region. */
  readonly finish: (project: codebuild.Project) => void;
}

/**
 * Chooses the compute of the deploy steps of `scope`: `requested`, or by default Lambda compute
 * where CodeBuild offers it. With the stack's region unknown at synth time (an environment-agnostic
 * stack), the default lets CloudFormation pick: Lambda compute in its regions, EC2 elsewhere.
 *
 * @param prop the prop `requested` comes from, for the error of a region without Lambda compute
 */
export function deployStepCompute(scope: Construct, prop: string, requested: DeployCompute | undefined): DeployStepCompute {
  const region = Stack.of(scope).region;
  const regionKnown = !Token.isUnresolved(region);
  const lambdaInRegion = LAMBDA_COMPUTE_REGIONS.includes(region);
  if (requested === DeployCompute.LAMBDA && regionKnown && !lambdaInRegion) {
    throw validationError(scope, `${prop} is DeployCompute.LAMBDA, which CodeBuild does not offer in the stack's region, got '${region}'; `
      + `use DeployCompute.EC2, or deploy to one of ${LAMBDA_COMPUTE_REGIONS.join(', ')}`);
  }
  const ec2: DeployStepCompute = { environment: EC2, timeout: EC2_TIMEOUT, timeLimitMinutes: String(EC2_TIMEOUT.toMinutes()), finish: () => {} };
  if (requested === DeployCompute.EC2) {
    return ec2;
  }
  if (requested === undefined && regionKnown && !lambdaInRegion) {
    Annotations.of(scope).addWarningV2('cdk-deploy-pipelines:deployStepsOnEc2',
      `CodeBuild has no Lambda compute in ${region}: the deploy steps run on EC2 compute, each waiting for an instance; `
      + `set ${prop}: DeployCompute.EC2 to say so`);
    return ec2;
  }
  if (requested === undefined && !regionKnown) {
    return {
      environment: LAMBDA,
      timeLimitMinutes: Token.asString(Fn.conditionIf(lambdaComputeRegion(scope).logicalId,
        String(LAMBDA_COMPUTE_MINUTES), String(EC2_TIMEOUT.toMinutes()))),
      finish: chooseComputeByRegion,
    };
  }
  return { environment: LAMBDA, timeLimitMinutes: String(LAMBDA_COMPUTE_MINUTES), finish: () => {} };
}

/**
 * Makes the project's compute a CloudFormation choice: Lambda compute in the regions that have it,
 * EC2 compute (with its timeout) in the others, so an environment-agnostic stack deploys anywhere.
 * The choice is a property override: the project's own properties stay those of Lambda compute,
 * which rules that read them (cdk-nag's CB5: a CodeBuild image) can judge; both images are CodeBuild's.
 */
function chooseComputeByRegion(project: codebuild.Project): void {
  const condition = lambdaComputeRegion(project);
  const choose = (lambda: unknown, ec2: unknown) => Fn.conditionIf(condition.logicalId, lambda, ec2);
  const cfnProject = project.node.defaultChild as codebuild.CfnProject;
  cfnProject.addPropertyOverride('Environment.Type', choose(LAMBDA.buildImage.type, EC2.buildImage.type));
  cfnProject.addPropertyOverride('Environment.ComputeType', choose(LAMBDA.computeType, EC2.computeType));
  cfnProject.addPropertyOverride('Environment.Image', choose(LAMBDA.buildImage.imageId, EC2.buildImage.imageId));
  cfnProject.addPropertyOverride('TimeoutInMinutes', choose(Aws.NO_VALUE, EC2_TIMEOUT.toMinutes()));
}

/** The stack's condition "CodeBuild offers Lambda compute in the deploy region", made once. */
function lambdaComputeRegion(scope: Construct) {
  return regionIsOneOf(Stack.of(scope), 'CdkDeployPipelinesLambdaComputeRegion', LAMBDA_COMPUTE_REGIONS);
}
