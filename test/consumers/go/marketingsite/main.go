// The README's quick start as jsii-rosetta translates it to Go, fixed where rosetta cannot:
// the package clause, func main and the stack constructor of `cdk init app --language go`; the import
// paths (awscdk/v2, constructs/v10, jsii-runtime-go); package-qualified names (awscdk.Stack, cdkdeploypipelines.StaticSitePipelineProps);
// no `*` before an interface value; and `&[]*string{...}` for lists, which jsii passes by pointer.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdk-deploy-pipelines/cdk-deploy-pipelines-go/cdkdeploypipelines"
)

func NewMarketingSiteStack(scope constructs.Construct, id string, props *awscdk.StackProps) awscdk.Stack {
	stack := awscdk.NewStack(scope, &id, props)

	cdkdeploypipelines.NewStaticSitePipeline(stack, jsii.String("Site"), &cdkdeploypipelines.StaticSitePipelineProps{
		Source: cdkdeploypipelines.PipelineSource_CodeCommit(&cdkdeploypipelines.CodeCommitSourceOptions{
			RepositoryName: jsii.String("marketing-site"),
		}),
		BuildOptions: &cdkdeploypipelines.BuildOptions{
			Commands: &[]*string{
				jsii.String("npm ci"),
				jsii.String("npm run build"),
			},
			TestCommands: &[]*string{
				jsii.String("npm test"),
			},
			OutputDirectory: jsii.String("dist"),
		},
		SinglePageApp: jsii.Bool(true),
	})
	return stack
}

func main() {
	defer jsii.Close()

	app := awscdk.NewApp(nil)
	NewMarketingSiteStack(app, "MarketingSite", nil)
	app.Synth(nil)
}
