/**
 * The statute as the statechart states it: every state with its legal basis, every transition
 * with the rules that guard it, written to a reviewed snapshot file. A change to the procedure
 * shows up in review as a diff of this file — read it like an amendment to the law.
 * (Run `npx vitest run test/machines/statute.test.ts -u` after an intended change.)
 */
import { describe, expect, it } from 'vitest';
import type { AnyStateNode } from 'xstate';
import { type LawfulParams, type LegalMeta, procedureMachine } from '../../machines/procedure.ts';

const rulesOf = (guard: unknown): readonly string[] =>
  (guard as { params?: Partial<LawfulParams> } | undefined)?.params?.rules ?? [];

const routeOf = (guard: unknown): string | undefined =>
  (guard as { params?: Partial<LawfulParams> } | undefined)?.params?.route;

const describeNode = (node: AnyStateNode, depth: number): string[] => {
  const meta = node.meta as LegalMeta | undefined;
  const indent = '  '.repeat(depth);
  const kind = node.type === 'atomic' ? '' : ` (${node.type})`;
  const lines = [`${indent}${node.key}${kind} — ${meta?.basis ?? 'no basis'}`];
  for (const [event, transitions] of node.transitions) {
    for (const t of transitions) {
      const target = (t.target ?? []).map((n) => n.id.replace(/^cnil\./, '')).join(', ') || '(stays)';
      const route = routeOf(t.guard);
      const rules = rulesOf(t.guard);
      lines.push(
        `${indent}  on ${event}${route ? ` [${route}]` : ''} → ${target}${rules.length > 0 ? `  if ${rules.join(', ')}` : ''}`,
      );
    }
  }
  for (const child of Object.values(node.states)) lines.push(...describeNode(child, depth + 1));
  return lines;
};

describe('the statute', () => {
  it('every state carries its legal basis', () => {
    const missing: string[] = [];
    const walk = (node: AnyStateNode): void => {
      if (!(node.meta as LegalMeta | undefined)?.basis) missing.push(node.id);
      Object.values(node.states).forEach(walk);
    };
    Object.values(procedureMachine.root.states).forEach(walk);
    expect(missing).toEqual([]);
  });

  it('matches the reviewed statute snapshot', async () => {
    const text = `${describeNode(procedureMachine.root, 0).join('\n')}\n`;
    await expect(text).toMatchFileSnapshot('./__snapshots__/statute.txt');
  });
});
