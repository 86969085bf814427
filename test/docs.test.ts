import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { updateReadme } from '../src/docs/readme.ts';

describe('the README', () => {
  it('shows the current event catalogue, legal rules and stages (run `npm run docs` after changing them)', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(updateReadme(readme)).toBe(readme);
  });

  it('starts with the two set-up commands', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme.indexOf('npm ci && npm start')).toBeLessThan(readme.indexOf('## The procedure'));
    expect(readme).toContain('npm test');
  });
});
