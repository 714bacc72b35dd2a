/**
 * The values of the hints (hints/): for each kind of value a user passes (names, branches, paths,
 * ARNs, domains, emails, numbers...), the values a careful user writes and the hostile ones (empty,
 * too long, wrong format, unicode, tokens), each tagged with what is wrong and how wrong.
 */
import * as fc from 'fast-check';

/** A generated value and, when a user should not pass it, why. */
export interface Sample<T> {
  readonly value: T;
  /** What is odd about the value ('empty', "'..' segment", ...); absent for a value the construct must accept. */
  readonly hostile?: string;
  /** The value is certainly wrong (AWS would refuse it), not merely odd. */
  readonly invalid?: boolean;
  /**
   * Where inside the value the hostile parts are, as error messages name them relative to the
   * prop ('[1].name', '.loadBalancer.port'); absent when the prop as a whole is named.
   */
  readonly at?: string[];
}

/** A token standing for a string: a `{ Ref }` to a template parameter, or a `Lazy` producing `value` at synth. */
export type TokenSpec = { readonly token: 'ref' } | { readonly token: 'lazy'; readonly value: string };

/** A string prop as generated: a literal or a token. */
export type Text = string | TokenSpec;

/** A number prop as generated: a literal or a token. */
export type Num = number | { readonly token: 'ref' } | { readonly token: 'lazy'; readonly value: number };

/** How wrong a hostile value is: AWS would refuse it, or it is merely odd. */
export type Severity = 'invalid' | 'odd';

/** One hand-picked hostile value: what is wrong with it, the value, and how wrong. */
export type HostileCase<T> = readonly [label: string, value: T, severity: Severity];

/** The valid values and the hostile values of one prop. */
export interface ValueArbitraries<T> {
  readonly valid: fc.Arbitrary<Sample<T>>;
  /** Absent for props with no wrong value (booleans, enums). */
  readonly hostile?: fc.Arbitrary<Sample<T>>;
}

/** The account every generated ARN belongs to. */
export const ACCOUNT = '123456789012';

/** Valid samples from fixed values and/or generated ones. */
export function valid<T>(...arbitraries: Array<fc.Arbitrary<T>>): fc.Arbitrary<Sample<T>> {
  return fc.oneof(...arbitraries).map((value) => ({ value }));
}

/** Hostile samples from hand-picked cases. */
export function hostile<T>(cases: ReadonlyArray<HostileCase<T>>): fc.Arbitrary<Sample<T>> {
  return fc.constantFrom(...cases).map(([label, value, severity]) => hostileSample(value, label, severity));
}

/** Hostile samples from generated values whose validity is unknown (e.g. random strings). */
export function random<T>(label: string, arbitrary: fc.Arbitrary<T>): fc.Arbitrary<Sample<T>> {
  return arbitrary.map((value) => hostileSample(value, label, 'odd'));
}

/** Either kind, hand-picked cases three times as often as generated ones. */
export function hostileOrRandom<T>(cases: ReadonlyArray<HostileCase<T>>, randomValues: fc.Arbitrary<Sample<T>>): fc.Arbitrary<Sample<T>> {
  return fc.oneof({ arbitrary: hostile(cases), weight: 3 }, { arbitrary: randomValues, weight: 1 });
}

/**
 * Lists of `values`: valid lists of valid elements; hostile ones with one hostile element among
 * valid ones, or hand-picked hostile lists (empty, duplicates, too many).
 */
export function listOf<T>(
  values: ValueArbitraries<T>,
  listCases: ReadonlyArray<HostileCase<T[]>>,
  constraints: { minLength: number; maxLength: number },
): ValueArbitraries<T[]> {
  const validList = sampleList(values.valid, constraints);
  const withHostile = values.hostile
    ? [fc.tuple(sampleList(values.valid, { maxLength: 2 }), values.hostile).map(([list, bad]) => ({
      value: [...list.value, bad.value],
      hostile: bad.hostile,
      ...(bad.invalid ? { invalid: true } : {}),
    }))]
    : [];
  return { valid: validList, hostile: fc.oneof(hostile(listCases), ...withHostile) };
}

/** A string token standing for `value` (a `Ref` or a `Lazy`): valid wherever `value` is. */
export function textToken(value: string): fc.Arbitrary<TokenSpec> {
  return fc.constantFrom<TokenSpec>({ token: 'ref' }, { token: 'lazy', value });
}

/** Valid strings: mostly the literals, sometimes a token standing for `tokenValue`. */
export function validText(tokenValue: string, ...literals: Array<fc.Arbitrary<string>>): fc.Arbitrary<Sample<Text>> {
  return fc.oneof(
    { arbitrary: valid<Text>(...literals), weight: 6 },
    { arbitrary: valid<Text>(textToken(tokenValue)), weight: 1 },
  );
}

/** Whole numbers from `min` to `max`, or a token; hostile: just outside, a fraction, NaN, negative. */
export function wholeNumbers(min: number, max: number): ValueArbitraries<Num> {
  return {
    valid: valid<Num>(fc.integer({ min, max }), fc.constant<Num>({ token: 'lazy', value: min })),
    hostile: hostile<Num>([
      [`${min - 1}`, min - 1, 'invalid'],
      [`${max + 1}`, max + 1, 'invalid'],
      ['fraction', min + 0.5, 'invalid'],
      ['NaN', NaN, 'invalid'],
      ['negative', -3, 'invalid'],
    ]),
  };
}

/** A duration as generated: an amount of a unit, as `Duration` takes them. */
export interface DurationSpec {
  readonly unit: 'millis' | 'seconds' | 'minutes' | 'hours' | 'days';
  readonly amount: number;
}

/**
 * Whole minutes from `min` to `max` (usual ones, and any in range); hostile: zero, just outside,
 * seconds that are no whole minute, a millisecond, a fraction, NaN and Infinity.
 */
export function wholeMinutes(min: number, max: number, usual: DurationSpec[]): ValueArbitraries<DurationSpec> {
  return wholeUnits('minutes', min, max, usual, [['90 seconds', { unit: 'seconds', amount: 90 }], ['1 ms', { unit: 'millis', amount: 1 }]]);
}

/** Durations of whole days from `min` to `max` (a retention), `usual` among them. */
export function wholeDays(min: number, max: number, usual: DurationSpec[]): ValueArbitraries<DurationSpec> {
  return wholeUnits('days', min, max, usual, [['36 hours', { unit: 'hours', amount: 36 }], ['90 minutes', { unit: 'minutes', amount: 90 }]]);
}

/** Durations of whole `unit`s from `min` to `max`, and hostile ones: out of range, fractions, `notWhole` others. */
function wholeUnits(unit: DurationSpec['unit'], min: number, max: number, usual: DurationSpec[],
  notWhole: Array<[string, DurationSpec]>): ValueArbitraries<DurationSpec> {
  const amount = (n: number): DurationSpec => ({ unit, amount: n });
  return {
    valid: valid(fc.constantFrom(...usual), fc.integer({ min, max }).map(amount)),
    hostile: hostile<DurationSpec>([
      ['zero', amount(0), 'invalid'],
      [`${min - 1} ${unit}`, amount(min - 1), 'invalid'],
      [`${max + 1} ${unit}`, amount(max + 1), 'invalid'],
      ...notWhole.map(([name, spec]): [string, DurationSpec, 'invalid'] => [name, spec, 'invalid']),
      ['fraction', amount(min + 0.5), 'invalid'],
      ['NaN', amount(NaN), 'invalid'],
      ['Infinity', amount(Infinity), 'invalid'],
    ]),
  };
}

/** Random strings of any code points, the blind spot of hand-picked cases. */
export const anyString = fc.string({ unit: 'binary', maxLength: 40 });

/** CodeCommit repository names. */
export const repositoryNames: ValueArbitraries<Text> = {
  valid: validText('marketing-site', fc.constantFrom('marketing-site', 'a', 'Docs_Site.v2', 'r'.repeat(100)),
    fc.stringMatching(/^[A-Za-z0-9_][\w.-]{0,30}$/).filter((s) => !/\.git$/i.test(s))),
  hostile: hostileOrRandom<Text>([
    ['empty', '', 'invalid'],
    ['space', 'my site', 'invalid'],
    ['unicode', 'sité-ünï', 'invalid'],
    ['emoji', 'site-🚀', 'invalid'],
    ['101 chars', 'r'.repeat(101), 'invalid'],
    ['.git suffix', 'site.git', 'invalid'],
    ['.GIT suffix', 'site.GIT', 'invalid'],
    ['aws prefix', 'aws-site', 'odd'],
    ['slash', 'team/site', 'invalid'],
    ['shell', "x'; rm -rf /", 'invalid'],
    ['dot', '.', 'odd'],
    ['newline', 'site\nname', 'invalid'],
  ], random('random', anyString)),
};

/** Git branch names. */
export const branches: ValueArbitraries<Text> = {
  valid: validText('main', fc.constantFrom('main', 'release/1.2', 'feature/x-y', 'v1.0'),
    fc.array(fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,10}$/), { minLength: 1, maxLength: 3 }).map((s) => s.join('/'))),
  hostile: hostileOrRandom<Text>([
    ['empty', '', 'invalid'],
    ["'..'", '..', 'invalid'],
    ["'..' inside", 'a..b', 'invalid'],
    ['space', 'my branch', 'invalid'],
    ['tilde', 'a~1', 'invalid'],
    ['caret', 'a^b', 'invalid'],
    ['colon', 'a:b', 'invalid'],
    ['leading /', '/main', 'invalid'],
    ['trailing /', 'main/', 'invalid'],
    ['.lock suffix', 'main.lock', 'invalid'],
    ['@{', 'a@{1}', 'invalid'],
    ['unicode', 'fünf-ブランチ', 'odd'],
    ['leading -', '-x', 'invalid'],
    ['tab', 'a\tb', 'invalid'],
    ['very long', 'b'.repeat(300), 'odd'],
  ], random('random', anyString)),
};

/** Directories relative to the build root (output directory). */
export const relativeDirectories: ValueArbitraries<Text> = {
  valid: validText('dist', fc.constantFrom('dist', 'build/site', '.', 'public', 'out/www'),
    fc.stringMatching(/^[a-z][a-z0-9_-]{0,12}(\/[a-z][a-z0-9_-]{0,12}){0,2}$/)),
  hostile: hostileOrRandom<Text>([
    ['absolute', '/abs', 'invalid'],
    ["'..'", '../x', 'invalid'],
    ['escapes root', 'a/../../b', 'invalid'],
    ['windows path', 'C:\\x', 'invalid'],
    ['backslash ..', 'a\\..\\b', 'invalid'],
    ['empty', '', 'invalid'],
    ['unicode', 'dïst-ビルド', 'odd'],
    ['very long', `${'d'.repeat(250)}/${'e'.repeat(250)}`, 'odd'],
    ['trailing /', 'dist/', 'odd'],
    ['./ prefix', './dist', 'odd'],
    ['space', 'my site', 'odd'],
    ['shell', '$(whoami)', 'odd'],
    ['glob', '*', 'odd'],
  ], random('random', anyString)),
};

/** Pages relative to the site root (the not-found page). */
export const sitePages: ValueArbitraries<Text> = {
  // Literals only: the deploy scripts and the rollback role's permissions need the page's name at synth time.
  valid: valid<Text>(fc.constantFrom('404.html', 'errors/404.html', 'not-found/index.html')),
  hostile: hostileOrRandom<Text>([
    ['token', { token: 'lazy', value: '404.html' }, 'odd'],
    ['empty', '', 'invalid'],
    ['absolute', '/404.html', 'invalid'],
    ["'..'", '../404.html', 'invalid'],
    ['windows path', 'C:\\404.html', 'invalid'],
    ['unicode', 'ünï-ページ.html', 'odd'],
    ['5000 chars', 'p'.repeat(5000), 'invalid'],
    ['space', 'not found.html', 'odd'],
    ['query', '404.html?x=1', 'odd'],
    ['dot', '.', 'odd'],
  ], random('random', anyString)),
};

/** CodeConnections connection ARNs. */
export const connectionArns: ValueArbitraries<Text> = {
  valid: validText(`arn:aws:codeconnections:eu-west-1:${ACCOUNT}:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`, fc.constantFrom(
    `arn:aws:codeconnections:eu-west-1:${ACCOUNT}:connection/aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee`,
    `arn:aws:codestar-connections:us-east-1:${ACCOUNT}:connection/11111111-2222-3333-4444-555555555555`,
    `arn:aws-cn:codeconnections:cn-north-1:${ACCOUNT}:connection/abc`,
    `arn:aws-us-gov:codestar-connections:us-gov-west-1:${ACCOUNT}:connection/abc`,
  )),
  hostile: hostileOrRandom<Text>([
    ['other service', `arn:aws:codecommit:eu-west-1:${ACCOUNT}:repo`, 'invalid'],
    ['host, not connection', `arn:aws:codeconnections:eu-west-1:${ACCOUNT}:host/abc`, 'invalid'],
    ['short account', 'arn:aws:codeconnections:eu-west-1:123:connection/abc', 'invalid'],
    ['garbage', 'not-an-arn', 'invalid'],
    ['empty', '', 'invalid'],
    ['trailing space', `arn:aws:codeconnections:eu-west-1:${ACCOUNT}:connection/abc `, 'invalid'],
  ], random('random', anyString)),
};

/** Owners and repository names of a connection source (GitHub, GitLab, Bitbucket). */
export const gitHostNames: ValueArbitraries<Text> = {
  valid: validText('acme', fc.constantFrom('acme', 'my-org', 'A_b.c'), fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/)),
  hostile: hostileOrRandom<Text>([
    ['empty', '', 'invalid'],
    ['blank', '   ', 'invalid'],
    ['slash', 'a/b', 'odd'],
    ['unicode', 'ünï-組織', 'odd'],
    ['600 chars', 'o'.repeat(600), 'odd'],
    ['newline', 'a\nb', 'invalid'],
  ], random('random', anyString)),
};

/** DNS names CloudFront accepts as alternate domain names. */
export const domainNames: ValueArbitraries<Text> = {
  valid: validText('www.example.com', fc.constantFrom('www.example.com', 'example.com', 'a.b.c.example.com', 'xn--bcher-kva.example.com', '*.example.com',
    `${'l'.repeat(63)}.example.com`),
  fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?$/).map((label) => `${label}.example.com`)),
  hostile: hostileOrRandom<Text>([
    ['IDN unicode', 'bücher.example.com', 'invalid'],
    // CloudFront's aliases and ACM's names are lower case.
    ['upper case', 'EXAMPLE.com', 'invalid'],
    ['trailing dot', 'www.example.com.', 'odd'],
    ['64-char label', `${'l'.repeat(64)}.example.com`, 'invalid'],
    ['empty', '', 'invalid'],
    ['single label', 'localhost', 'invalid'],
    ['double wildcard', '*.*.example.com', 'invalid'],
    ['inner wildcard', 'www.*.com', 'invalid'],
    ['space', 'exa mple.com', 'invalid'],
    ['254 chars', `${Array(63).fill('abc').join('.')}.example.com`, 'invalid'],
    ['leading -', '-a.example.com', 'invalid'],
    ['scheme', 'https://www.example.com', 'invalid'],
  ], random('random', anyString)),
};

/** Email addresses (approval and notification subscribers). */
export const emails: ValueArbitraries<Text> = {
  valid: validText('team@example.com', fc.constantFrom('team@example.com', 'a.b+c@example.co.uk')),
  hostile: hostileOrRandom<Text>([
    ['empty', '', 'invalid'],
    ['no @', 'not-an-email', 'invalid'],
    ['only @', '@', 'invalid'],
    ['unicode', 'ünï@example.com', 'odd'],
    ['no domain dot', 'a@b', 'odd'],
    ['space', 'a b@example.com', 'invalid'],
  ], random('random', anyString)),
};

/** Shell commands of a build phase. */
export const commandLists: ValueArbitraries<Text[]> = {
  valid: fc.oneof(
    {
      arbitrary: valid<Text[]>(
        fc.constantFrom(['npm ci', 'npm run build'], ['make site'], ['npm test']),
        fc.array(fc.stringMatching(/^[a-z]{2,8}( [a-z0-9-]{1,8}){0,3}$/), { minLength: 1, maxLength: 4 }),
      ),
      weight: 6,
    },
    { arbitrary: valid<Text[]>(textToken('npm run build').map((t) => ['npm ci', t])), weight: 1 },
  ),
  hostile: hostileOrRandom<Text[]>([
    ['empty list', [], 'odd'],
    ['empty command', [''], 'odd'],
    ['2000 commands', Array.from({ length: 2000 }, (_, i) => `echo step-${i} ${'x'.repeat(80)}`), 'odd'],
    ['unicode', ['echo 🚀 ünï'], 'odd'],
    ['multi-line', ['set -e\necho a\necho b'], 'odd'],
    ['quotes', ['echo "it\'s" \'$HOME\' `x`'], 'odd'],
    ['yaml-ish', ['key: value', '- item', '{ a: 1 }'], 'odd'],
  ], random('random', fc.array(anyString, { maxLength: 3 }))),
};

/** Paths and globs (cache paths, test reports). */
export const pathLists: ValueArbitraries<string[]> = {
  valid: valid(fc.constantFrom(['/root/.npm/**/*'], ['node_modules/**/*'], ['reports/junit.xml'], ['reports/**/*.xml'], [])),
  hostile: hostileOrRandom<string[]>([
    ['empty path', [''], 'odd'],
    ["'..'", ['../x/**/*'], 'odd'],
    ['unicode', ['ünï/**/*'], 'odd'],
    ['duplicates', ['a/**/*', 'a/**/*'], 'odd'],
  ], random('random', fc.array(anyString, { maxLength: 3 }))),
};

/** Cache-Control header values. */
export const cacheControlValues: ValueArbitraries<Text> = {
  valid: validText('no-cache', fc.constantFrom('no-cache', 'public, max-age=31536000, immutable', 'max-age=60')),
  hostile: hostileOrRandom<Text>([
    ['empty', '', 'odd'],
    ['quote', "it's", 'odd'],
    ['newline', 'no-cache\nX-Evil: 1', 'invalid'],
    ['unicode', 'max-âge=60', 'odd'],
    ['3000 chars', 'c'.repeat(3000), 'odd'],
    ['shell', '$(rm -rf /)`id`', 'odd'],
  ], random('random', anyString)),
};

/** `aws s3 --include` patterns. */
export const globLists: ValueArbitraries<string[]> = {
  valid: valid(fc.constantFrom(['*.js'], ['assets/*'], ['*-????????.*', '_next/static/*'], [])),
  hostile: hostileOrRandom<string[]>([
    ['empty pattern', [''], 'odd'],
    ['quote', ["it's/*"], 'odd'],
    ['shell', ['$(id)'], 'odd'],
    ['newline', ['a\nb'], 'odd'],
  ], random('random', fc.array(anyString, { maxLength: 3 }))),
};

/** Content-Security-Policy header values. */
export const contentSecurityPolicies: ValueArbitraries<Text> = {
  valid: validText("default-src 'self'", fc.constantFrom("default-src 'self'", "default-src 'self'; img-src * data:")),
  hostile: hostileOrRandom<Text>([
    ['empty', '', 'odd'],
    ['2000 chars', `default-src 'self' ${'a'.repeat(2000)}`, 'invalid'],
    ['newline', "default-src 'self'\nX-Evil: 1", 'invalid'],
    ['unicode', "default-src 'sélf'", 'odd'],
  ], random('random', anyString)),
};

/** CodePipeline pipeline names. */
export const pipelineNames: ValueArbitraries<Text> = {
  valid: validText('site-pipeline', fc.stringMatching(/^[A-Za-z0-9.@_-]{1,100}$/)),
  hostile: hostileOrRandom<Text>([
    ['empty', '', 'invalid'],
    ['space', 'my pipeline', 'invalid'],
    ['101 chars', 'p'.repeat(101), 'invalid'],
    ['unicode', 'pïpeline', 'invalid'],
  ], random('random', anyString)),
};

/** Free text (descriptions, approval comments). */
export const freeTexts: ValueArbitraries<Text> = {
  valid: validText('A comment', fc.constantFrom('Marketing site', 'Approve to release')),
  hostile: hostileOrRandom<Text>([
    ['empty', '', 'odd'],
    ['1001 chars', 't'.repeat(1001), 'invalid'],
    ['unicode', 'Déploiement 🚀 ünï', 'odd'],
    ['html', '<script>alert(1)</script>', 'odd'],
  ], random('random', anyString)),
};

/** Environment variable names. */
export const envVarNames: ValueArbitraries<string> = {
  valid: valid(fc.constantFrom('NODE_ENV', '_X', 'a1'), fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,15}$/).filter((n) => !n.startsWith('CODEBUILD_'))),
  hostile: hostileOrRandom<string>([
    ['digit first', '1ABC', 'invalid'],
    ['CODEBUILD_ prefix', 'CODEBUILD_X', 'invalid'],
    ['codebuild_ prefix', 'codebuild_x', 'odd'],
    ['empty', '', 'invalid'],
    ['unicode', 'ÄPFEL', 'invalid'],
    ['dash', 'MY-VAR', 'invalid'],
    ['space', 'MY VAR', 'invalid'],
  ], random('random', anyString)),
};

/** A list of distinct samples as one sample, hostile when an element is (their labels joined). */
function sampleList<T>(
  element: fc.Arbitrary<Sample<T>>,
  constraints: { minLength?: number; maxLength?: number } = {},
): fc.Arbitrary<Sample<T[]>> {
  // Distinct: a duplicate is a hostile list of its own, generated on purpose.
  // Case-insensitive: names that differ only in case (domain names, emails) are duplicates too.
  return fc.uniqueArray(element, { ...constraints, selector: (s) => JSON.stringify(s.value).toLowerCase() }).map((samples) => {
    const bad = samples.filter((s) => s.hostile !== undefined);
    return {
      value: samples.map((s) => s.value),
      ...(bad.length ? { hostile: bad.map((s) => s.hostile).join(', '), invalid: bad.some((s) => s.invalid) || undefined } : {}),
    };
  }).map(dropUndefined);
}

/** Drops keys whose value is undefined, so samples print cleanly. */
function dropUndefined<T extends object>(obj: T): T {
  return Object.fromEntries(Object.entries(obj).filter(([, v]) => v !== undefined)) as T;
}

/** A hostile sample, `invalid` only when certainly wrong. */
function hostileSample<T>(value: T, label: string, severity: Severity): Sample<T> {
  return severity === 'invalid' ? { value, hostile: label, invalid: true } : { value, hostile: label };
}
