from aws_cdk import App, Environment, Stack
import aws_cdk.aws_ec2 as ec2
from constructs import Construct
from cdk_deploy_pipelines import (
    BuildOptions,
    DeploymentTarget,
    ManagedFleetLoadBalancerOptions,
    PipelineSource,
    ServerAppPipeline,
)


class ApiStack(Stack):
    def __init__(self, scope: Construct, id: str, **kwargs) -> None:
        super().__init__(scope, id, **kwargs)

        vpc = ec2.Vpc(self, "Vpc", max_azs=2, nat_gateways=1)

        ServerAppPipeline(self, "Api",
            source=PipelineSource.code_commit(repository_name="example-server-app"),
            # `npm run build` writes the CodeDeploy revision (appspec.yml, the server, hook scripts) to dist/.
            build_options=BuildOptions(commands=["npm ci", "npm test", "npm run build"], output_directory="dist"),
            target=DeploymentTarget.managed_fleet(
                vpc=vpc,
                setup_commands=["dnf install -y nodejs npm"],
                load_balancer=ManagedFleetLoadBalancerOptions(port=8080, health_check_path="/health")
            )
        )


app = App()
# A load balancer needs the stack's region at synth time.
ApiStack(app, "Api", env=Environment(region="eu-west-1"))
app.synth()
