import { SynthTiming, Subject } from './harness';
import { ResourceKinds } from './resource-kinds';
import { StackMetrics } from './stack-metrics';

/** Everything measured of one side of a comparison. */
export interface SideResult {
  readonly subject: Subject;
  readonly metrics: StackMetrics;
  readonly timings: SynthTiming[];
}

/** Both sides of one comparison, measured. */
export interface ComparisonResult {
  readonly title: string;
  /** What the library's extra resources are, per type. */
  readonly extraResourceKinds: ResourceKinds;
  readonly library: SideResult;
  readonly baseline: SideResult;
}

/** A target the issue states, and whether this run meets it. */
interface TargetResult {
  readonly target: string;
  readonly met: boolean;
  readonly evidence: string;
}

/** One row of the metrics table: how to read the value of a side, and how to show it. */
interface MetricDefinition {
  readonly label: string;
  readonly value: (side: SideResult) => number;
  /** Context shown after the value, e.g. the range of the timed runs. */
  readonly detail?: (side: SideResult) => string;
}

const synthMs = (side: SideResult) => side.timings.map((t) => t.synthMs);
const synthCpuMs = (side: SideResult) => side.timings.map((t) => t.synthCpuMs);
const processMs = (side: SideResult) => side.timings.map((t) => t.processMs);

/** The metrics table, in order. Resources per type follow it. */
const METRICS: MetricDefinition[] = [
  { label: 'synth ms, median (construct + synth)', value: (s) => median(synthMs(s)), detail: (s) => range(synthMs(s)) },
  { label: 'synth CPU ms, median (construct + synth)', value: (s) => median(synthCpuMs(s)), detail: (s) => range(synthCpuMs(s)) },
  { label: 'process ms, median (node + module load + synth)', value: (s) => median(processMs(s)), detail: (s) => range(processMs(s)) },
  { label: 'resources', value: (s) => s.metrics.resources },
  { label: 'template bytes (minified JSON)', value: (s) => s.metrics.templateBytes },
  { label: 'IAM policy statements', value: (s) => s.metrics.iamStatements },
  { label: 'wildcard IAM actions', value: (s) => s.metrics.wildcardActions },
  { label: 'Lambda functions', value: (s) => s.metrics.lambdaFunctions },
  { label: 'file assets (besides the template)', value: (s) => s.metrics.fileAssets },
  { label: 'file asset bytes', value: (s) => s.metrics.fileAssetBytes },
  { label: 'Docker image assets', value: (s) => s.metrics.dockerImageAssets },
  { label: 'cdk-nag AwsSolutions errors', value: (s) => s.metrics.nagErrors },
  { label: 'cdk-nag AwsSolutions errors suppressed with a reason', value: (s) => s.metrics.nagSuppressedErrors },
];

/** The Markdown section of one comparison: metrics, resources without a counterpart, targets. */
export function comparisonSection(result: ComparisonResult): string {
  const { library, baseline } = result;
  return [
    `## ${result.title}`,
    '',
    `Library: ${library.subject.description}; baseline: ${baseline.subject.description}.`,
    '',
    markdownTable(['metric', 'library', 'baseline', 'ratio'], metricRows(result), [false, true, true, true]),
    '',
    '### Resources without a counterpart',
    '',
    extraResourcesTable(result),
    '',
    '### Targets',
    '',
    ...targets(result).map((t) => `- **${t.met ? 'met' : 'not met'}**: ${t.target}. ${t.evidence}`),
  ].join('\n');
}

/** The targets the issue states, evaluated for one comparison. */
function targets(result: ComparisonResult): TargetResult[] {
  const { library, baseline } = result;
  const synthRatio = median(synthMs(library)) / median(synthMs(baseline));
  const cpuRatio = median(synthCpuMs(library)) / median(synthCpuMs(baseline));
  const published = library.metrics.lambdaFunctions + library.metrics.fileAssets + library.metrics.dockerImageAssets;
  const extras = typeDifferences(result).filter((d) => d.extra > 0);
  const isSecurity = (d: TypeDifference) => result.extraResourceKinds[d.type]?.security === true;
  const securityExtras = sum(extras.filter(isSecurity).map((d) => d.extra));
  const otherExtras = extras.filter((d) => !isSecurity(d));
  const withoutSecurityExtras = library.metrics.resources - securityExtras;
  return [
    {
      target: 'synthesis no slower than the baseline',
      met: synthRatio <= 1,
      evidence: `Synth median ratio ${ratio(synthRatio)} (library / baseline); in CPU time ${ratio(cpuRatio)}.`,
    },
    {
      target: 'zero Lambda functions and zero assets',
      met: published === 0,
      evidence: `${library.metrics.lambdaFunctions} Lambda functions, ${library.metrics.fileAssets} file assets, ` +
        `${library.metrics.dockerImageAssets} Docker image assets besides the template.`,
    },
    {
      target: 'fewer resources than the baseline, security features aside',
      met: withoutSecurityExtras < baseline.metrics.resources,
      evidence: `Without its ${securityExtras} security-feature extras the library has ` +
        `${ratio(withoutSecurityExtras / baseline.metrics.resources)} the baseline's resources` +
        (otherExtras.length
          ? `; extras that are not security features: ${otherExtras.map((d) => `${d.type} +${d.extra}`).join(', ')}.`
          : '.'),
    },
  ];
}

/** Rows of the metrics table: the metrics, then resources per type. */
function metricRows(result: ComparisonResult): string[][] {
  const { library, baseline } = result;
  const rows = METRICS.map((m) => [
    m.label,
    withDetail(m.value(library), m.detail?.(library)),
    withDetail(m.value(baseline), m.detail?.(baseline)),
    ratioOf(m.value(library), m.value(baseline)),
  ]);
  const types = [...new Set([...Object.keys(library.metrics.resourcesByType), ...Object.keys(baseline.metrics.resourcesByType)])].sort();
  for (const type of types) {
    const lib = library.metrics.resourcesByType[type] ?? 0;
    const base = baseline.metrics.resourcesByType[type] ?? 0;
    rows.push([`resources: ${type}`, String(lib), String(base), ratioOf(lib, base)]);
  }
  return rows;
}

/** A resource type whose count differs between the sides. */
interface TypeDifference {
  readonly type: string;
  /** Library count minus baseline count: positive when the library has more. */
  readonly extra: number;
}

/** Every resource type whose count differs, library extras first. */
function typeDifferences(result: ComparisonResult): TypeDifference[] {
  const lib = result.library.metrics.resourcesByType;
  const base = result.baseline.metrics.resourcesByType;
  return [...new Set([...Object.keys(lib), ...Object.keys(base)])]
    .map((type) => ({ type, extra: (lib[type] ?? 0) - (base[type] ?? 0) }))
    .filter((d) => d.extra !== 0)
    .sort((a, b) => b.extra - a.extra || a.type.localeCompare(b.type));
}

/** The table of resources one side has more of, with what the library's extra ones are. */
function extraResourcesTable(result: ComparisonResult): string {
  const rows = typeDifferences(result).map((d) => {
    if (d.extra < 0) {
      return [d.type, String(d.extra), 'n/a', 'the baseline has more', ''];
    }
    const kind = result.extraResourceKinds[d.type];
    const security = kind ? (kind.security ? 'yes' : 'no') : 'unclassified';
    return [d.type, `+${d.extra}`, security, kind?.what ?? '', codeList(result.library.metrics.resourcePaths[d.type])];
  });
  return rows.length
    ? markdownTable(['resource type', 'library - baseline', 'security feature', 'what', 'library resources of the type'], rows)
    : 'None: both sides create the same number of resources of each type.';
}

/** A padded Markdown table, readable as plain text too. */
function markdownTable(header: string[], rows: string[][], rightAligned: boolean[] = []): string {
  const widths = header.map((h, i) => Math.max(h.length, 3, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (rightAligned[i] ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (rightAligned[i] ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

function withDetail(value: number, detail?: string): string {
  const shown = Number.isInteger(value) ? String(value) : value.toFixed(0);
  return detail ? `${shown} (${detail})` : shown;
}

/** `library / baseline` as `0.79x`; `-` when both are 0, `n/a` when only the baseline is. */
function ratioOf(library: number, baseline: number): string {
  if (baseline === 0) return library === 0 ? '-' : 'n/a';
  return ratio(library / baseline);
}

function ratio(value: number): string {
  return `${value.toFixed(2)}x`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** `min-max` of the values, rounded to whole milliseconds. */
function range(values: number[]): string {
  return `${Math.min(...values).toFixed(0)}-${Math.max(...values).toFixed(0)}`;
}

function sum(values: number[]): number {
  return values.reduce((a, b) => a + b, 0);
}

/** Construct paths as inline code, without the stack name they all start with. */
function codeList(paths: string[]): string {
  return paths.map((p) => `\`${p.split('/').slice(1, -1).join('/') || p}\``).join(', ');
}
