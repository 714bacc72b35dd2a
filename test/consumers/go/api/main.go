// The README's ServerAppPipeline app as jsii-rosetta translates it to Go, fixed where rosetta cannot:
// the package clause, func main and the stack constructor of `cdk init app --language go`; the import
// paths (awscdk/v2, constructs/v10, jsii-runtime-go); package-qualified names (awsec2.NewVpc, cdkdeploypipelines.ManagedFleetOptions);
// no `*` before an interface value; and `&[]*string{...}` for lists, which jsii passes by pointer.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-deploy-pipelines/cdk-deploy-pipelines-go/cdkdeploypipelines"
)

func NewApiStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, props)

	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{
		MaxAzs:      jsii.Number(2),
		NatGateways: jsii.Number(1),
	})

	cdkdeploypipelines.NewServerAppPipeline(stack, jsii.String("Api"), &cdkdeploypipelines.ServerAppPipelineProps{
		Source: cdkdeploypipelines.PipelineSource_CodeCommit(&cdkdeploypipelines.CodeCommitSourceOptions{
			RepositoryName: jsii.String("example-server-app"),
		}),
		// `npm run build` writes the CodeDeploy revision (appspec.yml, the server, hook scripts) to dist/.
		BuildOptions: &cdkdeploypipelines.BuildOptions{
			Commands: &[]*string{
				jsii.String("npm ci"),
				jsii.String("npm test"),
				jsii.String("npm run build"),
			},
			OutputDirectory: jsii.String("dist"),
		},
		Target: cdkdeploypipelines.DeploymentTarget_ManagedFleet(&cdkdeploypipelines.ManagedFleetOptions{
			Vpc: vpc,
			SetupCommands: &[]*string{
				jsii.String("dnf install -y nodejs npm"),
			},
			LoadBalancer: &cdkdeploypipelines.ManagedFleetLoadBalancerOptions{
				Port:            jsii.Number(8080),
				HealthCheckPath: jsii.String("/health"),
			},
		}),
	})
	return stack
}

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	// A load balancer needs the stack's region at synth time.
	NewApiStack(app, "Api", &awscdk.StackProps{
		Env: &awscdk.Environment{
			Region: jsii.String("eu-west-1"),
		},
	})
	app.Synth(nil)
}
