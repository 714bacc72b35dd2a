package com.example;

import java.util.List;

import io.github.cdkdeploypipelines.BuildOptions;
import io.github.cdkdeploypipelines.CodeCommitSourceOptions;
import io.github.cdkdeploypipelines.DeploymentTarget;
import io.github.cdkdeploypipelines.ManagedFleetLoadBalancerOptions;
import io.github.cdkdeploypipelines.ManagedFleetOptions;
import io.github.cdkdeploypipelines.PipelineSource;
import io.github.cdkdeploypipelines.ServerAppPipeline;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.amazon.awscdk.services.ec2.Vpc;
import software.constructs.Construct;

/**
 * The stack of the README's ServerAppPipeline app as jsii-rosetta translates it to Java, fixed where
 * rosetta cannot: the package and the imports of the option classes and List.
 */
public class ApiStack extends Stack {
    public ApiStack(Construct scope, String id) {
        this(scope, id, null);
    }

    public ApiStack(Construct scope, String id, StackProps props) {
        super(scope, id, props);

        Vpc vpc = Vpc.Builder.create(this, "Vpc").maxAzs(2).natGateways(1).build();

        ServerAppPipeline.Builder.create(this, "Api")
                .source(PipelineSource.codeCommit(CodeCommitSourceOptions.builder().repositoryName("example-server-app").build()))
                // `npm run build` writes the CodeDeploy revision (appspec.yml, the server, hook scripts) to dist/.
                .buildOptions(BuildOptions.builder().commands(List.of("npm ci", "npm test", "npm run build")).outputDirectory("dist").build())
                .target(DeploymentTarget.managedFleet(ManagedFleetOptions.builder()
                        .vpc(vpc)
                        .setupCommands(List.of("dnf install -y nodejs npm"))
                        .loadBalancer(ManagedFleetLoadBalancerOptions.builder().port(8080).healthCheckPath("/health").build())
                        .build()))
                .build();
    }
}
