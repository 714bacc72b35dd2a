/**
 * Turns generated strings and numbers into what a case passes: literals as they are, tokens as a
 * `Ref` to a template parameter or a `Lazy` that produces its value at synth time.
 */
import { CfnParameter, Lazy, Stack, Token } from 'aws-cdk-lib';
import { Num, Text } from './arbitraries';

/** The string a case passes for `t`. */
export function text(stack: Stack, t: Text): string {
  if (typeof t === 'string') {
    return t;
  }
  return t.token === 'ref' ? parameter(stack, 'FuzzString', 'String').valueAsString : Lazy.string({ produce: () => t.value });
}

/** The number a case passes for `n`. */
export function num(stack: Stack, n: Num): number {
  if (typeof n === 'number') {
    return n;
  }
  return n.token === 'ref' ? Token.asNumber(parameter(stack, 'FuzzNumber', 'Number').value) : Lazy.number({ produce: () => n.value });
}

/** A list token (a `CommaDelimitedList` parameter). */
export function listToken(stack: Stack): string[] {
  return parameter(stack, 'FuzzList', 'CommaDelimitedList').valueAsList;
}

/** The stack's parameter `id`, created on first use. */
function parameter(stack: Stack, id: string, type: string): CfnParameter {
  return (stack.node.tryFindChild(id) as CfnParameter | undefined) ?? new CfnParameter(stack, id, { type });
}
