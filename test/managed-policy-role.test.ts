import { App, Aws, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { TEST_ENV } from './util';
import { suppressNagFindings } from '../src/compliance/nag';
import {
  estimateStatementSize,
  ManagedPolicyGrantee,
  ManagedPolicyRole,
  MAX_MANAGED_POLICY_SIZE,
  pipelineActionRole,
} from '../src/managed-policy-role';

function testStack(): Stack {
  return new Stack(new App(), 'Test', { env: TEST_ENV });
}

function newRole(stack: Stack): ManagedPolicyRole {
  return new ManagedPolicyRole(stack, 'Role', { assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com') });
}

/** A statement naming three object ARNs of buckets of the stack: about 550 characters by the estimate. */
function bigStatement(stack: Stack, n: number): iam.PolicyStatement {
  const buckets = Array.from({ length: 3 }, (_, i) => new s3.Bucket(stack, `Bucket${n}x${i}`));
  return new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: buckets.map((b) => b.arnForObjects(`prefix-${n}/*`)) });
}

/** Managed policies of the template attached to the role, by logical id. */
function policiesOf(template: Template): Record<string, any> {
  return template.findResources('AWS::IAM::ManagedPolicy', { Properties: { Roles: [{ Ref: Match.stringLikeRegexp('^Role') }] } });
}

describe('ManagedPolicyRole', () => {
  test('statements go to one customer managed policy named DefaultPolicy, attached to the role, and no inline policy', () => {
    const stack = testStack();
    const role = newRole(stack);
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:aws:s3:::b/*'] }));
    role.addToPrincipalPolicy(new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: ['arn:aws:s3:::b/*'] }));
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    expect(Object.keys(policiesOf(template))).toEqual([expect.stringMatching(/^RoleDefaultPolicy/)]);
    expect(role.node.findChild('DefaultPolicy')).toBeInstanceOf(iam.ManagedPolicy);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 's3:GetObject' }), Match.objectLike({ Action: 's3:PutObject' })] },
    });
  });

  test('a role without statements has no managed policy (an empty one is invalid)', () => {
    const stack = testStack();
    newRole(stack);
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
  });

  test('grants through aws-cdk-lib land in the managed policy, which is the dependable of the grant', () => {
    const stack = testStack();
    const role = newRole(stack);
    const bucket = new s3.Bucket(stack, 'Bucket');
    const grant = bucket.grantRead(role);
    expect(grant.principalStatements).toHaveLength(1);
    expect(grant.success).toBe(true);
    const policy = role.node.findChild('DefaultPolicy');
    const dependedOn = new s3.Bucket(stack, 'Other');
    grant.applyBefore(dependedOn);
    const template = Template.fromStack(stack);
    const otherId = Object.keys(template.findResources('AWS::S3::Bucket')).find((id) => id.startsWith('Other'))!;
    expect(template.toJSON().Resources[otherId].DependsOn).toContain(stack.getLogicalId((policy as iam.ManagedPolicy).node.defaultChild as any));
  });

  test(`a statement that would take the policy past ${MAX_MANAGED_POLICY_SIZE} characters starts an overflow policy`, () => {
    const stack = testStack();
    const role = newRole(stack);
    for (let n = 0; n < 16; n++) {
      role.addToPrincipalPolicy(bigStatement(stack, n));
    }
    const ids = Object.keys(policiesOf(Template.fromStack(stack))).sort();
    expect(ids).toEqual([
      expect.stringMatching(/^RoleDefaultPolicy/),
      expect.stringMatching(/^RoleOverflowPolicy1/),
    ]);
    expect(role.statementPolicies.map((p) => p.node.id)).toEqual(['DefaultPolicy', 'OverflowPolicy1']);
  });

  test('a statement the role already has is added once, and its policy is the dependable of the repeated grant', () => {
    const stack = testStack();
    const role = newRole(stack);
    const repeated = bigStatement(stack, 0);
    const first = role.addToPrincipalPolicy(repeated);
    // Enough to fill DefaultPolicy, so that a second copy would land in an overflow policy.
    for (let n = 1; n < 16; n++) {
      role.addToPrincipalPolicy(bigStatement(stack, n));
    }
    expect(role.statementPolicies.length).toBe(2);
    // The same grant again, as aws-cdk-lib makes it when one project runs in several pipeline actions.
    const again = role.addToPrincipalPolicy(iam.PolicyStatement.fromJson(repeated.toStatementJson()));
    expect(again.policyDependable).toBe(first.policyDependable);
    const statements = role.statementPolicies.flatMap((p) => p.document.toJSON().Statement);
    expect(statements.filter((s: any) => JSON.stringify(s) === JSON.stringify(repeated.toStatementJson()))).toHaveLength(1);
  });

  test('no policy holds more than the limit, by the estimate', () => {
    const stack = testStack();
    const role = newRole(stack);
    const statements = Array.from({ length: 40 }, (_, n) => bigStatement(stack, n));
    statements.forEach((s) => role.addToPrincipalPolicy(s));
    for (const policy of role.statementPolicies) {
      const inPolicy: any[] = policy.document.toJSON().Statement;
      const size = inPolicy.reduce((total: number, s) => total + estimateStatementSize(iam.PolicyStatement.fromJson(s)), 0);
      expect(size).toBeLessThanOrEqual(MAX_MANAGED_POLICY_SIZE);
    }
    expect(role.statementPolicies.length).toBeGreaterThan(2);
  });

  test('an overflow policy takes the cdk-nag suppressions DefaultPolicy had, and later ones reach every policy', () => {
    const stack = testStack();
    const role = newRole(stack);
    role.addToPrincipalPolicy(bigStatement(stack, 0));
    suppressNagFindings(role.node.findChild('DefaultPolicy'), [{ id: 'AwsSolutions-IAM5', reason: 'the objects are chosen at run time' }]);
    for (let n = 1; n < 16; n++) {
      role.addToPrincipalPolicy(bigStatement(stack, n));
    }
    suppressNagFindings(role.node.findChild('DefaultPolicy'), [{ id: 'AwsSolutions-IAM4', reason: 'an AWS managed policy is needed here' }]);
    for (const policy of Object.values(policiesOf(Template.fromStack(stack)))) {
      expect(policy.Metadata.cdk_nag.rules_to_suppress.map((r: any) => r.id)).toEqual(['AwsSolutions-IAM5', 'AwsSolutions-IAM4']);
    }
  });
});

describe('estimateStatementSize', () => {
  test('counts a resource token as an ARN of 150 characters', () => {
    const stack = testStack();
    const bucket = new s3.Bucket(stack, 'Bucket');
    const literal = estimateStatementSize(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['x'] }));
    const token = estimateStatementSize(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [bucket.bucketArn] }));
    expect(token - literal).toBe(149);
  });

  test('counts a pseudo parameter as 20 characters', () => {
    const literal = estimateStatementSize(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['arn:x:s3:::b'] }));
    const pseudo = estimateStatementSize(new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: [`arn:${Aws.PARTITION}:s3:::b`] }));
    expect(pseudo - literal).toBe(19);
  });

  test('is at least the length of the statement JSON', () => {
    const statement = new iam.PolicyStatement({
      actions: ['s3:GetObject', 's3:PutObject'],
      resources: ['arn:aws:s3:::bucket/*'],
      conditions: { StringEquals: { 'aws:SourceAccount': '123456789012' } },
    });
    expect(estimateStatementSize(statement)).toBeGreaterThanOrEqual(JSON.stringify(statement.toStatementJson()).length);
  });
});

describe('pipelineActionRole', () => {
  test('is trusted by the pipeline role alone', () => {
    const stack = testStack();
    const pipelineRole = new iam.Role(stack, 'PipelineRole', { assumedBy: new iam.ServicePrincipal('codepipeline.amazonaws.com') });
    pipelineActionRole(stack, 'ActionRole', pipelineRole);
    const template = Template.fromStack(stack);
    const pipelineRoleId = Object.keys(template.findResources('AWS::IAM::Role')).find((id) => id.startsWith('PipelineRole'))!;
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [pipelineRoleId, 'Arn'] } } }],
      },
    });
  });
});

describe('ManagedPolicyGrantee', () => {
  test('grants to an imported role go to a managed policy attached to that role', () => {
    const stack = testStack();
    const role = iam.Role.fromRoleName(stack, 'Imported', 'instances');
    const grantee = new ManagedPolicyGrantee(stack, 'InstancePolicy', role);
    new s3.Bucket(stack, 'Bucket').grantRead(grantee);
    const template = Template.fromStack(stack);
    template.resourceCountIs('AWS::IAM::Policy', 0);
    template.hasResourceProperties('AWS::IAM::ManagedPolicy', {
      Roles: ['instances'],
      PolicyDocument: { Statement: [Match.objectLike({ Action: Match.arrayWith(['s3:GetObject*']) })] },
    });
    expect(grantee.policy?.node.id).toBe('InstancePolicy');
  });

  test('nothing granted, no policy', () => {
    const stack = testStack();
    const grantee = new ManagedPolicyGrantee(stack, 'InstancePolicy', iam.Role.fromRoleName(stack, 'Imported', 'instances'));
    Template.fromStack(stack).resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(grantee.policy).toBeUndefined();
  });
});
