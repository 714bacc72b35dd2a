import { StaticSiteStack } from '../../examples/static-site';
import { BENCH_ENV, Subject, timeSynthInChildProcess } from '../harness';

/** The README's StaticSitePipeline example, as `npm run demo` builds it. */
export const staticSiteLibrary: Subject = {
  description: 'examples/static-site.ts `StaticSiteStack`',
  file: __filename,
  createStack: (app) => new StaticSiteStack(app, 'StaticSiteExample', { env: BENCH_ENV }),
};

if (require.main === module) {
  timeSynthInChildProcess(staticSiteLibrary.createStack);
}
