/**
 * Draws docs/<construct>.svg, the architecture picture of each construct, from the templates of
 * the example stacks, so the pictures in the README cannot drift from what the constructs build.
 *
 *   generate-diagrams.ts          writes the SVG files
 *   generate-diagrams.ts --check  exits 1 when a committed SVG differs from what it would write
 */
import * as fs from 'fs';
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { ServerAppStack } from '../examples/server-app';
import { StaticSiteStack } from '../examples/static-site';
import { useOwnTempDir } from '../test/own-temp-dir';

/** One picture: which example stack it is drawn from, and where it is written. */
interface Diagram {
  readonly file: string;
  readonly title: string;
  readonly stack: (app: App) => Stack;
  /** Where the release ends up, drawn after the last stage. */
  readonly destination: (resources: ResourceCounts) => string[];
}

type ResourceCounts = Map<string, number>;

const ENV = { account: '123456789012', region: 'eu-west-1' };

const DIAGRAMS: Diagram[] = [
  {
    file: 'static-site-pipeline.svg',
    title: 'StaticSitePipeline',
    stack: (app) => new StaticSiteStack(app, 'StaticSiteExample', { env: ENV }),
    destination: (counts) => [
      label(counts, 'AWS::S3::Bucket', 'S3 bucket', 'site, artifacts, logs'),
      label(counts, 'AWS::CloudFront::Distribution', 'CloudFront distribution', 'OAC, HTTP/2+3, TLS'),
      // The second function, with verified releases or previews, marks preview responses noindex.
      label(counts, 'AWS::CloudFront::Function', 'CloudFront Function', (counts.get('AWS::CloudFront::Function') ?? 0) > 1
        ? 'routing; noindex on previews' : 'routing, SPA fallback'),
      label(counts, 'AWS::CloudFront::ResponseHeadersPolicy', 'response headers policy', 'HSTS, nosniff, frame'),
    ],
  },
  {
    file: 'server-app-pipeline.svg',
    title: 'ServerAppPipeline',
    stack: (app) => new ServerAppStack(app, 'ServerAppExample', { env: ENV }),
    destination: (counts) => [
      label(counts, 'AWS::CodeDeploy::DeploymentGroup', 'CodeDeploy deployment group', 'rollback on failure/alarm'),
      label(counts, 'AWS::AutoScaling::AutoScalingGroup', 'Auto Scaling group', 'AL2023, IMDSv2, agent'),
      label(counts, 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'Application Load Balancer', 'health checks'),
      label(counts, 'AWS::CloudWatch::Alarm', 'CloudWatch alarm', '5xx, unhealthy hosts'),
    ],
  },
];

/** Resource kinds shown in the "also created" band: security and operations features. */
const SUPPORTING: Array<[string, string]> = [
  ['AWS::KMS::Key', 'KMS key (rotated)'],
  ['AWS::IAM::Role', 'IAM role'],
  ['AWS::Logs::LogGroup', 'log group (1 year)'],
  ['AWS::CodeCommit::Repository', 'CodeCommit repository'],
  ['AWS::Events::Rule', 'EventBridge rule (on push)'],
  ['AWS::SSM::Association', 'State Manager association'],
  ['AWS::EC2::VPC', 'VPC'],
  ['AWS::SNS::Topic', 'SNS topic'],
];

function main(): void {
  const check = process.argv.includes('--check');
  const stale: string[] = [];
  for (const diagram of DIAGRAMS) {
    const svg = render(diagram);
    const file = path.join(__dirname, diagram.file);
    if (check) {
      if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== svg) stale.push(diagram.file);
    } else {
      fs.writeFileSync(file, svg);
      console.log(`wrote docs/${diagram.file}`);
    }
  }
  if (stale.length) {
    console.error(`docs diagrams are stale: ${stale.join(', ')}; run npx projen docs:diagrams and commit them`);
    process.exitCode = 1;
  }
}

/** Draws the pipeline of the diagram's example stack: push, stages, destination, supporting resources. */
function render(diagram: Diagram): string {
  const template = Template.fromStack(diagram.stack(new App())).toJSON();
  const resources: Record<string, any> = template.Resources;
  const counts: ResourceCounts = new Map();
  for (const r of Object.values(resources)) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  const pipeline = Object.values(resources).find((r) => r.Type === 'AWS::CodePipeline::Pipeline');

  const columns: Array<{ heading: string; lines: string[] }> = [{ heading: 'git push', lines: ['developer'] }];
  for (const stage of pipeline.Properties.Stages) {
    columns.push({
      heading: stage.Name,
      lines: stage.Actions.map((a: any) => `${a.Name} (${a.ActionTypeId.Provider})`),
    });
  }
  const destination = diagram.destination(counts).filter((line) => line !== '');
  const supporting = SUPPORTING.filter(([type]) => counts.has(type)).map(([type, text]) => `${counts.get(type)} × ${text}`);

  const boxWidth = 190;
  const gap = 36;
  const top = 70;
  const boxHeight = 40 + 18 * Math.max(...columns.map((c) => c.lines.length));
  const destinationX = 20 + columns.length * (boxWidth + gap);
  const destinationHeight = 40 + 34 * destination.length;
  const destinationWidth = 380;
  const width = destinationX + destinationWidth + 20;
  const supportingTop = top + Math.max(boxHeight, destinationHeight) + 40;
  const height = supportingTop + 40 + 18 * Math.ceil(supporting.length / 3) + 20;

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="Helvetica, Arial, sans-serif" font-size="13">`,
    '<defs><marker id="arrow" markerWidth="10" markerHeight="8" refX="9" refY="4" orient="auto"><path d="M0,0 L10,4 L0,8 z" fill="#555"/></marker></defs>',
    `<rect width="${width}" height="${height}" fill="#ffffff"/>`,
    `<text x="20" y="34" font-size="20" font-weight="bold">${escape(diagram.title)}</text>`,
    `<text x="20" y="54" fill="#555">${Object.keys(resources).length} resources, drawn from the ${escape(diagram.stack(new App()).stackName)} example template</text>`,
  ];
  columns.forEach((column, i) => {
    const x = 20 + i * (boxWidth + gap);
    parts.push(box(x, top, boxWidth, boxHeight, column.heading, column.lines, i === 0 ? '#f2f2f2' : '#e8f0fb'));
    parts.push(arrow(x + boxWidth, top + boxHeight / 2, x + boxWidth + gap, top + boxHeight / 2));
  });
  parts.push(box(destinationX, top, destinationWidth, destinationHeight, 'Release goes to', destination, '#eaf6ea', 34));
  parts.push(`<text x="20" y="${supportingTop}" font-weight="bold">Also created (security and operations)</text>`);
  supporting.forEach((text, i) => {
    const x = 20 + (i % 3) * 300;
    const y = supportingTop + 24 + Math.floor(i / 3) * 18;
    parts.push(`<text x="${x}" y="${y}" fill="#333">${escape(text)}</text>`);
  });
  parts.push('</svg>', '');
  return parts.join('\n');
}

/** A rounded box with a bold heading and one text line per entry. */
function box(x: number, y: number, w: number, h: number, heading: string, lines: string[], fill: string, lineHeight = 18): string {
  const text = lines.map((line, i) => `<text x="${x + 12}" y="${y + 46 + i * lineHeight}" fill="#222">${escape(line)}</text>`);
  return [
    `<rect x="${x}" y="${y}" width="${w}" height="${h}" rx="8" fill="${fill}" stroke="#7a8ca5"/>`,
    `<text x="${x + 12}" y="${y + 24}" font-weight="bold">${escape(heading)}</text>`,
    ...text,
  ].join('\n');
}

function arrow(x1: number, y1: number, x2: number, y2: number): string {
  return `<line x1="${x1}" y1="${y1}" x2="${x2 - 2}" y2="${y2}" stroke="#555" stroke-width="1.5" marker-end="url(#arrow)"/>`;
}

/** "2 × S3 bucket (site, artifacts, logs)", or '' when the template has none. */
function label(counts: ResourceCounts, type: string, name: string, note: string): string {
  const count = counts.get(type) ?? 0;
  return count ? `${count} × ${name} (${note})` : '';
}

function escape(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

// The example apps synthesize into cdk.out* folders of the temp dir: this run's own, removed after.
const removeTempDir = useOwnTempDir('cdp-diagrams-');
try {
  main();
} finally {
  removeTempDir();
}
