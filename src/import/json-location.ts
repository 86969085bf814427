/**
 * Where a value sits in a JSON text, for error messages that name the line: `JSON.parse` forgets
 * positions, so the text is scanned again (only when there is an error to report).
 *
 * @example lineOfPath('{\n "a": [\n  1,\n  2\n ]\n}', ['a', 1]) // 4
 */

/** The 1-based line of character `offset`. */
export const lineAt = (text: string, offset: number): number => {
  let line = 1;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
};

/** The line of a `JSON.parse` syntax error (V8 reports `at position N`), or undefined. */
export const lineOfSyntaxError = (text: string, error: Error): number | undefined => {
  const match = /at position (\d+)/.exec(error.message);
  return match ? lineAt(text, Number(match[1])) : undefined;
};

/**
 * The line of the value at `path` in a valid JSON `text`; when the path leads to a missing member,
 * the line of the deepest value on the way that exists (the object that lacks it).
 */
export const lineOfPath = (text: string, path: readonly (string | number)[]): number => {
  let i = 0;
  const ws = () => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const skipString = () => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
  };
  const readString = (): string => {
    const start = i;
    skipString();
    return JSON.parse(text.slice(start, i)) as string;
  };
  /** Skips one value starting at `i`. */
  const skipValue = () => {
    ws();
    const c = text[i];
    if (c === '"') return skipString();
    if (c === '{' || c === '[') {
      let depth = 0;
      while (i < text.length) {
        const d = text[i];
        if (d === '"') {
          skipString();
          continue;
        }
        if (d === '{' || d === '[') depth++;
        else if (d === '}' || d === ']') depth--;
        i++;
        if (depth === 0) return;
      }
      return;
    }
    while (i < text.length && !/[\s,\]}]/.test(text[i] as string)) i++;
  };
  /** Moves `i` to the member `segment` of the container at `i`; false when it is absent. */
  const enter = (segment: string | number): boolean => {
    ws();
    const open = text[i];
    if (open !== '{' && open !== '[') return false;
    i++;
    for (let index = 0; ; index++) {
      ws();
      if (text[i] === '}' || text[i] === ']' || i >= text.length) return false;
      let matches: boolean;
      if (open === '{') {
        const key = readString();
        ws();
        i++; // ':'
        matches = key === String(segment);
      } else matches = String(index) === String(segment);
      ws();
      if (matches) return true;
      skipValue();
      ws();
      if (text[i] === ',') i++;
    }
  };
  ws();
  let found = i;
  for (const segment of path) {
    if (!enter(segment)) break;
    found = i;
  }
  return lineAt(text, found);
};

/**
 * The line of each element of a JSON text whose top level is an array, in one pass (`lineOfPath`
 * for every element would read the text once per element).
 */
export const lineOfEachElement = (text: string): number[] => {
  const lines: number[] = [];
  let line = 1;
  let depth = 0;
  let inString = false;
  let expectValue = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (c === '\n') line++;
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') continue;
    if (depth === 1 && expectValue && c !== ']') {
      lines.push(line);
      expectValue = false;
    }
    if (c === '"') inString = true;
    else if (c === '[' || c === '{') {
      depth++;
      if (depth === 1) expectValue = true;
    } else if (c === ']' || c === '}') depth--;
    else if (c === ',' && depth === 1) expectValue = true;
  }
  return lines;
};
