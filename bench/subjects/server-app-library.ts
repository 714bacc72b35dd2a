import { ServerAppStack } from '../../examples/server-app';
import { BENCH_ENV, Subject, timeSynthInChildProcess } from '../harness';

/** The README's ServerAppPipeline example, as `npm run demo` builds it. */
export const serverAppLibrary: Subject = {
  description: 'examples/server-app.ts `ServerAppStack`',
  file: __filename,
  createStack: (app) => new ServerAppStack(app, 'ServerAppExample', { env: BENCH_ENV }),
};

if (require.main === module) {
  timeSynthInChildProcess(serverAppLibrary.createStack);
}
