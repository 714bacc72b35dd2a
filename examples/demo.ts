/**
 * `npm run demo`: synthesizes the example apps against the local build and prints, for each
 * pipeline, its stages and actions, the resources it creates and its outputs.
 */
import * as path from 'path';
import { App, Stack } from 'aws-cdk-lib';
import { addServerAppExamples } from './server-app';
import { addStaticSiteExamples } from './static-site';

/** Renders a CloudFormation value with intrinsics as `${Resource.Attribute}` placeholders. */
function render(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(render).join(', ');
  const obj = value as Record<string, any>;
  if (obj.Ref) return `\${${obj.Ref}}`;
  if (obj['Fn::GetAtt']) return `\${${obj['Fn::GetAtt'].join('.')}}`;
  if (obj['Fn::Join']) return obj['Fn::Join'][1].map(render).join(obj['Fn::Join'][0]);
  if (obj['Fn::Select']) return `\${select ${render(obj['Fn::Select'][0])} of ${render(obj['Fn::Select'][1])}}`;
  if (obj['Fn::Split']) return render(obj['Fn::Split'][1]);
  return JSON.stringify(value);
}

function describeStack(app: App, stack: Stack): void {
  const template = app.synth().getStackByName(stack.stackName).template;
  const resources: Record<string, any> = template.Resources;
  console.log(`\n=== ${stack.stackName} (${Object.keys(resources).length} resources)`);

  for (const [id, pipeline] of Object.entries(resources).filter(([, r]) => r.Type === 'AWS::CodePipeline::Pipeline')) {
    console.log(`\nPipeline ${id} (${pipeline.Properties.PipelineType}):`);
    for (const trigger of pipeline.Properties.Triggers ?? []) {
      for (const filter of trigger.GitConfiguration.PullRequest ?? []) {
        console.log(`  started by pull requests into ${render(filter.Branches.Includes)}: ${filter.Events.join(', ')}`);
      }
    }
    for (const stage of pipeline.Properties.Stages) {
      const actions = stage.Actions.map((a: any) => `${a.Name} [${a.ActionTypeId.Provider}]`);
      const conditions = (stage.BeforeEntry?.Conditions ?? []).map((c: any) => ` (entry: ${c.Rules.map((r: any) => r.Name).join(', ')}, else ${c.Result})`);
      console.log(`  ${stage.Name.padEnd(18)} ${actions.join(', ')}${conditions.join('')}`);
    }
  }
  for (const rule of Object.values<any>(resources).filter((r) => r.Type === 'AWS::Events::Rule' && r.Properties.Description)) {
    console.log(`\nRule: ${rule.Properties.Description}`);
  }

  const counts = new Map<string, number>();
  for (const r of Object.values(resources)) counts.set(r.Type, (counts.get(r.Type) ?? 0) + 1);
  console.log('\nResources:');
  for (const [type, count] of [...counts].sort()) console.log(`  ${String(count).padStart(2)} ${type}`);

  console.log('\nOutputs:');
  for (const [name, output] of Object.entries<any>(template.Outputs ?? {})) {
    console.log(`  ${name}: ${render(output.Value)}`);
  }
}

const app = new App({ outdir: path.join(__dirname, 'cdk.out') });
const stacks = [...addStaticSiteExamples(app), ...addServerAppExamples(app)];
for (const stack of stacks) describeStack(app, stack);
console.log(`\nSynthesized ${stacks.length} stacks into ${path.relative(process.cwd(), app.outdir)}`);
