package com.example;

import java.util.List;

import io.github.cdkdeploypipelines.BuildOptions;
import io.github.cdkdeploypipelines.CodeCommitSourceOptions;
import io.github.cdkdeploypipelines.PipelineSource;
import io.github.cdkdeploypipelines.StaticSitePipeline;
import software.amazon.awscdk.Stack;
import software.amazon.awscdk.StackProps;
import software.constructs.Construct;

/**
 * The stack of the README's quick start as jsii-rosetta translates it to Java, fixed where rosetta
 * cannot: the package and the imports of the option classes and List.
 */
public class MarketingSiteStack extends Stack {
    public MarketingSiteStack(Construct scope, String id) {
        this(scope, id, null);
    }

    public MarketingSiteStack(Construct scope, String id, StackProps props) {
        super(scope, id, props);

        StaticSitePipeline.Builder.create(this, "Site")
                .source(PipelineSource.codeCommit(CodeCommitSourceOptions.builder().repositoryName("marketing-site").build()))
                .buildOptions(BuildOptions.builder()
                        .commands(List.of("npm ci", "npm run build"))
                        .testCommands(List.of("npm test"))
                        .outputDirectory("dist")
                        .build())
                .singlePageApp(true)
                .build();
    }
}
