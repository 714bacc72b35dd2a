import { BaselineServerAppStack } from '../baseline/server-app';
import { BENCH_ENV, Subject, timeSynthInChildProcess } from '../harness';

/** The same server app pipeline written with aws-cdk-lib alone. */
export const serverAppBaseline: Subject = {
  description: 'bench/baseline/server-app.ts `BaselineServerAppStack`',
  file: __filename,
  createStack: (app) => new BaselineServerAppStack(app, 'BaselineServerApp', { env: BENCH_ENV }),
};

if (require.main === module) {
  timeSynthInChildProcess(serverAppBaseline.createStack);
}
