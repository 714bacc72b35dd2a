from aws_cdk import App, Stack
from constructs import Construct
from cdk_deploy_pipelines import BuildOptions, PipelineSource, StaticSitePipeline


class MarketingSiteStack(Stack):
    def __init__(self, scope: Construct, id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)

        StaticSitePipeline(self, "Site",
            source=PipelineSource.code_commit(repository_name="marketing-site"),
            build_options=BuildOptions(
                commands=["npm ci", "npm run build"],
                test_commands=["npm test"],
                output_directory="dist"
            ),
            single_page_app=True
        )


app = App()
MarketingSiteStack(app, "MarketingSite")
app.synth()
