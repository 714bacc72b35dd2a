import { BaselineStaticSiteStack } from '../baseline/static-site';
import { BENCH_ENV, Subject, timeSynthInChildProcess } from '../harness';

/** The same site written with aws-cdk-lib alone. */
export const staticSiteBaseline: Subject = {
  description: 'bench/baseline/static-site.ts `BaselineStaticSiteStack`',
  file: __filename,
  createStack: (app) => new BaselineStaticSiteStack(app, 'BaselineStaticSite', { env: BENCH_ENV }),
};

if (require.main === module) {
  timeSynthInChildProcess(staticSiteBaseline.createStack);
}
