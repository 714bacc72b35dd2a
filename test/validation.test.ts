import { App, Duration, Lazy, Token } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import { Construct } from 'constructs';
import {
  validateBuildEnvironment,
  validateCertificateArn,
  validateCertificateDomainName,
  validateDomainNameList,
  validateEmails,
  validateEnvironmentVariableValue,
  validateGitHostName,
  validateHeaderValue,
  validateInstanceType,
  validateLiteral,
  validateMaxLength,
  validatePipelineName,
  validateWebAclArn,
  validateWholeMinutes,
} from '../src/validation';

/** A construct named like the public ones, so messages start the way users see them. */
class Site extends Construct {}

const scope = new Site(new App(), 'Www');

/** The message `validate` throws, or 'no error'. */
function errorOf(validate: () => void): string {
  try {
    validate();
  } catch (e) {
    return (e as Error).message;
  }
  return 'no error';
}

const ref = (name: string) => Token.asString({ Ref: name });
const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555';
const WEB_ACL_ARN = 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee';

describe('validatePipelineName', () => {
  test.each([['site-pipeline'], ['a'], ['100 characters', 'p'.repeat(100)], ['Site.v2@team_1'], ['a token', ref('Name')]])('accepts %s', (label, name = label) => {
    expect(errorOf(() => validatePipelineName(scope, 'pipelineName', name))).toBe('no error');
  });

  test.each([[''], ['my pipeline'], ['101 characters', 'p'.repeat(101)], ['pïpeline'], ['a/b']])('rejects %j with the rule and an example', (label, name = label) => {
    expect(errorOf(() => validatePipelineName(scope, 'pipelineName', name))).toBe(
      `Site 'Www': pipelineName must be 1-100 letters, digits, '.', '@', '_' or '-' (CodePipeline's rules), got '${name}'; e.g. 'marketing-site'`);
  });
});

describe('validateLiteral', () => {
  test('accepts a literal', () => {
    expect(errorOf(() => validateLiteral(scope, 'notFoundPage', '404.html', 'it is needed at synth time', '404.html'))).toBe('no error');
  });

  test('rejects a token with what the value is needed for', () => {
    const token = Lazy.string({ produce: () => 'Production' });
    expect(errorOf(() => validateLiteral(scope, 'environments[1].name', token, 'it names the pipeline stage', 'Production'))).toBe(
      `Site 'Www': environments[1].name must not be a token, got '${token}'; it names the pipeline stage, so pass a literal such as 'Production'`);
  });
});

describe('validateDomainNameList', () => {
  test.each([[['www.example.com']], [['www.example.com', 'example.com', '*.example.com']], [[ref('Domain'), ref('Domain')]]])('accepts %j', (names) => {
    expect(errorOf(() => validateDomainNameList(scope, 'domain.domainNames', names))).toBe('no error');
  });

  test('rejects a list token: the first name is needed at synth time', () => {
    const names = Token.asList({ Ref: 'Names' });
    expect(errorOf(() => validateDomainNameList(scope, 'domain.domainNames', names))).toBe(
      `Site 'Www': domain.domainNames must list the names, got the list token '${names}'; the first name is the site URL and the domain `
      + "of its certificate, which are needed at synth time, so pass the names, e.g. ['www.example.com']");
  });

  test('rejects an empty list', () => {
    expect(errorOf(() => validateDomainNameList(scope, 'domain.domainNames', []))).toBe(
      "Site 'Www': domain.domainNames must list at least one domain name; leave out domain to use the CloudFront domain");
  });

  test('rejects an invalid name', () => {
    expect(errorOf(() => validateDomainNameList(scope, 'domain.domainNames', ['www.example.com', 'exa mple.com']))).toBe(
      "Site 'Www': domain.domainNames must be a domain name such as 'www.example.com', got 'exa mple.com'");
  });

  test('rejects a duplicate', () => {
    expect(errorOf(() => validateDomainNameList(scope, 'domain.domainNames', ['www.example.com', 'www.example.com']))).toBe(
      "Site 'Www': domain.domainNames lists a domain name twice, got 'www.example.com'; list each name once (domain names are not case-sensitive)");
  });

  test('rejects a name in upper case, which CloudFront does not take as an alias', () => {
    expect(errorOf(() => validateDomainNameList(scope, 'domain.domainNames', ['www.example.com', 'WWW.example.com']))).toBe(
      "Site 'Www': domain.domainNames must be lower case, got 'WWW.example.com'; use 'www.example.com'");
  });
});

describe('validateCertificateDomainName', () => {
  test.each([`${'l'.repeat(52)}.example.com`, ref('Domain')])('accepts a name of up to 64 characters or a token', (name) => {
    expect(errorOf(() => validateCertificateDomainName(scope, 'domain.domainNames[0]', name))).toBe('no error');
  });

  test('rejects a name of 65 characters', () => {
    const name = `${'l'.repeat(53)}.example.com`;
    expect(errorOf(() => validateCertificateDomainName(scope, 'domain.domainNames[0]', name))).toBe(
      `Site 'Www': domain.domainNames[0] must be at most 64 characters to be the domain name of the certificate created for the site (ACM's limit), got '${name}'; `
      + 'list a shorter name first, or pass a certificate in domain.certificate');
  });
});

describe('validateCertificateArn', () => {
  test.each([CERTIFICATE_ARN, 'arn:aws-cn:acm:cn-north-1:123456789012:certificate/abc', ref('Arn')])('accepts %s', (arn) => {
    expect(errorOf(() => validateCertificateArn(scope, 'domain.certificate', arn))).toBe('no error');
  });

  test.each([
    '',
    'not-an-arn',
    'arn:aws:acm::123456789012:certificate/abc',
    'arn:aws:iam::123456789012:server-certificate/site',
    'arn:aws:s3:us-east-1:123456789012:certificate/abc',
    'arn:aws:acm:us-east-1:123:certificate/abc',
  ])('rejects %j', (arn) => {
    expect(errorOf(() => validateCertificateArn(scope, 'domain.certificate', arn))).toBe(
      `Site 'Www': domain.certificate must be an ACM certificate ARN such as 'arn:aws:acm:us-east-1:123456789012:certificate/...', got '${arn}'; `
      + "import the certificate with acm.Certificate.fromCertificateArn(this, 'Cert', '<its ARN>')");
  });
});

describe('validateWebAclArn', () => {
  test.each([WEB_ACL_ARN, ref('WebAcl')])('accepts %s', (arn) => {
    expect(errorOf(() => validateWebAclArn(scope, 'webAclId', arn))).toBe('no error');
  });

  test.each([
    '',
    'not-a-web-acl',
    'a1b2c3d4-5678-90ab-cdef-EXAMPLE11111',
    'arn:aws:wafv2:eu-west-1:123456789012:regional/webacl/site/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
    'arn:aws:wafv2:eu-west-1:123456789012:global/webacl/site/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee',
  ])('rejects %j', (arn) => {
    expect(errorOf(() => validateWebAclArn(scope, 'webAclId', arn))).toBe(
      "Site 'Www': webAclId must be the ARN of a WAFv2 web ACL of scope CLOUDFRONT, such as 'arn:aws:wafv2:us-east-1:123456789012:global/webacl/site/<id>', "
      + `got '${arn}'; create the web ACL with scope CLOUDFRONT (in us-east-1) and pass its ARN`);
  });
});

describe('validateWholeMinutes', () => {
  test.each([Duration.minutes(5), Duration.minutes(30), Duration.seconds(600), Duration.hours(8), Duration.minutes(2160),
    Duration.minutes(Lazy.number({ produce: () => 1 }))])('accepts %s', (timeout) => {
    expect(errorOf(() => validateWholeMinutes(scope, 'buildOptions.timeout', timeout, 5, 2160))).toBe('no error');
  });

  test.each([
    [Duration.minutes(0), 'Duration.minutes(0)'],
    [Duration.minutes(4), 'Duration.minutes(4)'],
    [Duration.minutes(2161), 'Duration.minutes(2161)'],
    [Duration.seconds(90), 'Duration.seconds(90)'],
    [Duration.millis(1), 'Duration.millis(1)'],
    [Duration.days(2), 'Duration.days(2)'],
    [Duration.minutes(10.5), 'Duration.minutes(10.5)'],
    [Duration.minutes(NaN), 'Duration.minutes(NaN)'],
    [Duration.minutes(Infinity), 'Duration.minutes(Infinity)'],
  ])('rejects %s', (timeout, shown) => {
    expect(errorOf(() => validateWholeMinutes(scope, 'buildOptions.timeout', timeout, 5, 2160))).toBe(
      `Site 'Www': buildOptions.timeout must be a whole number of minutes from 5 to 2160 (CodeBuild's limits), got '${shown}'; e.g. Duration.minutes(30)`);
  });
});

describe('validateBuildEnvironment', () => {
  test.each<[codebuild.IBuildImage, codebuild.ComputeType]>([
    [codebuild.LinuxBuildImage.STANDARD_7_0, codebuild.ComputeType.SMALL],
    [codebuild.LinuxArmBuildImage.AMAZON_LINUX_2_STANDARD_3_0, codebuild.ComputeType.LARGE],
    [codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22, codebuild.ComputeType.LAMBDA_1GB],
  ])('accepts %s with %s', (image, computeType) => {
    expect(errorOf(() => validateBuildEnvironment(scope, 'buildOptions', image, computeType))).toBe('no error');
  });

  test('rejects an image with a compute type it does not support, with the problem the image reports', () => {
    const image = codebuild.LinuxLambdaBuildImage.AMAZON_LINUX_2023_NODE_22;
    expect(errorOf(() => validateBuildEnvironment(scope, 'buildOptions', image, codebuild.ComputeType.SMALL))).toBe(
      `Site 'Www': buildOptions.buildImage and buildOptions.computeType do not go together, got '${image.imageId}' with 'BUILD_GENERAL1_SMALL'; `
      + "Lambda images only support Lambda ComputeTypes between 'BUILD_LAMBDA_1GB' and 'BUILD_LAMBDA_10GB', got 'BUILD_GENERAL1_SMALL'; "
      + 'pick a compute type the image supports');
  });
});

describe('validateEnvironmentVariableValue', () => {
  const { PLAINTEXT, PARAMETER_STORE, SECRETS_MANAGER } = codebuild.BuildEnvironmentVariableType;
  const prop = 'buildOptions.environmentVariables.API_KEY';

  test.each<codebuild.BuildEnvironmentVariable>([
    { value: '' },
    { type: PLAINTEXT, value: 'arn:aws:s3:::bucket' },
    { type: PARAMETER_STORE, value: '/site/api-key' },
    { type: PARAMETER_STORE, value: 'arn:aws:ssm:eu-west-1:123456789012:parameter/site/key' },
    { type: SECRETS_MANAGER, value: 'site-secret:password' },
    { type: SECRETS_MANAGER, value: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:site-AbCdEf' },
    { type: SECRETS_MANAGER, value: 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:site-AbCdEf:password::' },
    { type: SECRETS_MANAGER, value: ref('Secret') },
  ])('accepts %j', (variable) => {
    expect(errorOf(() => validateEnvironmentVariableValue(scope, prop, variable))).toBe('no error');
  });

  test.each<[codebuild.BuildEnvironmentVariable, string]>([
    [{ type: PARAMETER_STORE, value: '' },
      "must name a Systems Manager parameter, got ''; give its name or ARN, e.g. '/site/api-key' or 'arn:aws:ssm:us-east-1:123456789012:parameter/site/api-key'"],
    [{ type: SECRETS_MANAGER, value: ' ' },
      "must name a Secrets Manager secret, got ' '; give its name or ARN, e.g. 'site-secret:password' or 'arn:aws:secretsmanager:us-east-1:123456789012:secret:site-AbCdEf'"],
    [{ type: PARAMETER_STORE, value: 'arn:aws:ssm:eu-west-1:123456789012:parameter' },
      "must be the name or the ARN of a Systems Manager parameter, got 'arn:aws:ssm:eu-west-1:123456789012:parameter'; "
      + "e.g. '/site/api-key' or 'arn:aws:ssm:us-east-1:123456789012:parameter/site/api-key'"],
    [{ type: SECRETS_MANAGER, value: 'arn:aws:secretsmanager:garbage' },
      "must be the name or the ARN of a Secrets Manager secret, got 'arn:aws:secretsmanager:garbage'; "
      + "e.g. 'site-secret:password' or 'arn:aws:secretsmanager:us-east-1:123456789012:secret:site-AbCdEf'"],
    [{ type: SECRETS_MANAGER, value: 'arn:aws:s3:::bucket' },
      "must be the name or the ARN of a Secrets Manager secret, got 'arn:aws:s3:::bucket'; "
      + "e.g. 'site-secret:password' or 'arn:aws:secretsmanager:us-east-1:123456789012:secret:site-AbCdEf'"],
  ])('rejects %j', (variable, message) => {
    expect(errorOf(() => validateEnvironmentVariableValue(scope, prop, variable))).toBe(`Site 'Www': ${prop} ${message}`);
  });
});

describe('validateEmails', () => {
  test.each([[['team@example.com']], [['a.b+c@example.co.uk', 'team@example.com']], [['a@b']], [[ref('Email')]]])('accepts %j', (emails) => {
    expect(errorOf(() => validateEmails(scope, 'approval.emails', emails))).toBe('no error');
  });

  test.each(['', 'not-an-email', '@', 'a b@example.com', 'a@'])('rejects %j', (email) => {
    expect(errorOf(() => validateEmails(scope, 'approval.emails', ['team@example.com', email]))).toBe(
      `Site 'Www': approval.emails must hold email addresses, got '${email}'; give addresses such as 'team@example.com'`);
  });

  test.each([[['team@example.com', 'team@example.com']], [['team@example.com', 'Team@Example.com']]])('rejects the duplicate in %j', (emails) => {
    expect(errorOf(() => validateEmails(scope, 'notifications.emails', emails))).toBe(
      `Site 'Www': notifications.emails lists an email address twice, got '${emails[1]}'; list each address once`);
  });

  test('rejects a list token: each address is a subscription', () => {
    const emails = Token.asList({ Ref: 'Emails' });
    expect(errorOf(() => validateEmails(scope, 'notifications.emails', emails))).toBe(
      `Site 'Www': notifications.emails must list the addresses, got the list token '${emails}'; each address is a subscription created at synth time, so list them`);
  });
});

describe('validateGitHostName', () => {
  test.each([['acme'], ['A_b.c'], ['100 characters', 'o'.repeat(100)], ['group/subgroup'], ['a token', ref('Owner')]])('accepts %s', (label, name = label) => {
    expect(errorOf(() => validateGitHostName(scope, 'source.owner', name))).toBe('no error');
  });

  test.each([['101 characters', 'o'.repeat(101)], ['a\nb'], ['a b'], ['\u0000']])('rejects %j', (label, name = label) => {
    expect(errorOf(() => validateGitHostName(scope, 'source.owner', name))).toBe(
      `Site 'Www': source.owner must be at most 100 characters without spaces or line breaks, got '${name}'; give the name as it appears in the repository URL`);
  });

  test('rejects a blank name as empty', () => {
    expect(errorOf(() => validateGitHostName(scope, 'source.repository', '  '))).toBe("Site 'Www': source.repository must not be empty");
  });
});

describe('validateMaxLength', () => {
  test.each([['1000 characters', 't'.repeat(1000)], ['empty', ''], ['a token', ref('Text')]])('accepts %s', (_, text) => {
    expect(errorOf(() => validateMaxLength(scope, 'approval.comment', text, 1000, "CodePipeline's limit"))).toBe('no error');
  });

  test('rejects a longer text', () => {
    expect(errorOf(() => validateMaxLength(scope, 'approval.comment', 't'.repeat(1001), 1000, "CodePipeline's limit"))).toBe(
      `Site 'Www': approval.comment must be at most 1000 characters (CodePipeline's limit), got '${'t'.repeat(1001)}'; shorten it`);
  });
});

describe('validateHeaderValue', () => {
  test.each([["default-src 'self'; img-src * data:"], ['1783 characters', 'a'.repeat(1783)], ['max-age=60,\tpublic'], ['a token', ref('Header')]])('accepts %j', (label, value = label) => {
    expect(errorOf(() => validateHeaderValue(scope, 'contentSecurityPolicy', value, 1783))).toBe('no error');
  });

  test.each(["default-src 'self'\nX-Evil: 1", 'no-cache\r', 'a\u0000'])('rejects the control character in %j', (value) => {
    expect(errorOf(() => validateHeaderValue(scope, 'cacheControl.immutable', value))).toBe(
      `Site 'Www': cacheControl.immutable must be one line without control characters, got '${value}'; `
      + "remove the line breaks, the header's directives are separated by ';' or ','");
  });

  test('rejects a value over the limit of the header', () => {
    const value = 'a'.repeat(1784);
    expect(errorOf(() => validateHeaderValue(scope, 'contentSecurityPolicy', value, 1783))).toBe(
      `Site 'Www': contentSecurityPolicy must be at most 1783 characters (CloudFront's limit for this header), got '${value}'; shorten it`);
  });

  test('takes any length without a limit', () => {
    expect(errorOf(() => validateHeaderValue(scope, 'cacheControl.revalidated', 'c'.repeat(3000)))).toBe('no error');
  });
});

describe('validateInstanceType', () => {
  test.each(['t3.micro', 't4g.small', 'm7i-flex.large', 'u-6tb1.metal', 'c7gd.16xlarge', ref('Type')])('accepts %s', (type) => {
    expect(errorOf(() => validateInstanceType(scope, 'target.instanceType', type))).toBe('no error');
  });

  test.each(['banana', '', 'T3.micro', 't3.', '.micro', 't3 micro'])('rejects %j', (type) => {
    expect(errorOf(() => validateInstanceType(scope, 'target.instanceType', type))).toBe(
      `Site 'Www': target.instanceType must be an EC2 instance type such as 't3.micro', got '${type}'; see the instance type names of Amazon EC2`);
  });
});
