/**
 * `npm run verify`: runs every proof in verify/proofs/ against the local build and prints a table of
 * cases tried, passed and failed. Exits 1 when any case failed.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Proof, ProofResult } from './proof';
import { useOwnTempDir } from '../test/own-temp-dir';

async function main(): Promise<void> {
  const only = process.argv[2];
  const files = fs.readdirSync(path.join(__dirname, 'proofs'))
    .filter((f) => f.endsWith('.ts') && (!only || f.includes(only)))
    .sort();
  const results: ProofResult[] = [];
  for (const file of files) {
    // require, not import(): ts-node compiles proofs to CommonJS, and Node's ESM loader knows no .ts.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const proof: Proof = require(path.join(__dirname, 'proofs', file)).default;
    const started = Date.now();
    let result: ProofResult;
    try {
      result = await proof.run();
    } catch (e) {
      result = { proof: file, tried: 0, passed: 0, failures: [`crashed: ${(e as Error).stack ?? e}`] };
    }
    results.push(result);
    console.log(`${result.failures.length ? 'FAIL' : 'ok  '} ${result.proof} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
  }
  printTable(results);
  if (results.some((r) => r.failures.length > 0) || results.length === 0) {
    process.exitCode = 1;
  }
}

function printTable(results: ProofResult[]): void {
  const rows = results.map((r) => [r.proof, String(r.tried), String(r.passed), String(r.failures.length)]);
  const header = ['proof', 'tried', 'passed', 'failed'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  ');
  console.log(`\n${line(header)}\n${widths.map((w) => '-'.repeat(w)).join('  ')}`);
  rows.forEach((row) => console.log(line(row)));
  for (const r of results) {
    for (const d of r.details ?? []) console.log(`  ${r.proof}: ${d}`);
  }
  // The failures last, after every proof's details: a log cut to its end (CI's) still shows them.
  for (const r of results) {
    for (const f of r.failures) console.log(`  FAILED ${r.proof}: ${f}`);
  }
  const tried = results.reduce((n, r) => n + r.tried, 0);
  const failed = results.reduce((n, r) => n + r.failures.length, 0);
  console.log(`\nverify: ${tried - failed} passed, ${failed} failed`);
}

// The proofs' apps and tools write to the temp dir (cdk.out* folders, npm installs, browser profiles):
// this run's own, removed when the proofs end.
const removeTempDir = useOwnTempDir('cdp-verify-');
void main().finally(removeTempDir);
