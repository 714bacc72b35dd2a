export { PipelineSource, PipelineSourceConfig, CodeCommitSourceOptions, ConnectionSourceOptions } from './source';
export { BuildOptions } from './build';
export { DeployPipelineProps, ApprovalOptions, PipelineNotificationOptions } from './pipeline';
export { SiteDomainOptions } from './static-site/site-hosting';
export { CacheControlOptions } from './static-site/site-deploy-project';
export { StaticSitePipeline, StaticSitePipelineProps } from './static-site/static-site-pipeline';
