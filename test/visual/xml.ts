/**
 * A small, strict XML reader for the documents this project writes (SCXML, SVG): it checks
 * well-formedness — one root, properly nested and closed elements, quoted unique attributes,
 * no raw `<` or stray `&` in text or attribute values — and returns the element tree.
 */
export interface XmlElement {
  readonly name: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly children: XmlElement[];
}

export class XmlSyntaxError extends Error {
  override readonly name = 'XmlSyntaxError';
}

const NAME = /^[A-Za-z_][\w.:-]*/;
const ENTITY = /&(?:amp|lt|gt|quot|apos|#\d+|#x[0-9a-fA-F]+);/g;

const checkText = (text: string, where: number) => {
  const stripped = text.replace(ENTITY, '');
  if (stripped.includes('&')) throw new XmlSyntaxError(`unescaped & near offset ${where}`);
  if (stripped.includes('<')) throw new XmlSyntaxError(`unescaped < near offset ${where}`);
};

const unescape = (s: string) =>
  s.replace(ENTITY, (e) =>
    e === '&amp;'
      ? '&'
      : e === '&lt;'
        ? '<'
        : e === '&gt;'
          ? '>'
          : e === '&quot;'
            ? '"'
            : e === '&apos;'
              ? "'"
              : String.fromCodePoint(e[2] === 'x' ? parseInt(e.slice(3, -1), 16) : Number(e.slice(2, -1))),
  );

export const parseXml = (source: string): XmlElement => {
  let i = 0;
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  const skipMisc = (): boolean => {
    for (const [open, close] of [
      ['<?', '?>'],
      ['<!--', '-->'],
      ['<!DOCTYPE', '>'],
    ] as const)
      if (source.startsWith(open, i)) {
        const end = source.indexOf(close, i);
        if (end < 0) throw new XmlSyntaxError(`unterminated ${open} at ${i}`);
        i = end + close.length;
        return true;
      }
    return false;
  };
  while (i < source.length) {
    const lt = source.indexOf('<', i);
    const text = source.slice(i, lt < 0 ? source.length : lt);
    checkText(text, i);
    if (text.trim() !== '' && stack.length === 0) throw new XmlSyntaxError(`text outside the root at ${i}`);
    if (lt < 0) break;
    i = lt;
    if (skipMisc()) continue;
    if (source.startsWith('</', i)) {
      const m = NAME.exec(source.slice(i + 2));
      const open = stack.pop();
      if (!m || !open || open.name !== m[0])
        throw new XmlSyntaxError(`</${m?.[0]}> at ${i} does not close <${open?.name}>`);
      i += 2 + m[0].length;
      while (/\s/.test(source[i] ?? '')) i++;
      if (source[i] !== '>') throw new XmlSyntaxError(`bad end tag at ${i}`);
      i++;
      continue;
    }
    const m = NAME.exec(source.slice(i + 1));
    if (!m) throw new XmlSyntaxError(`bad tag name at ${i}`);
    i += 1 + m[0].length;
    const attributes: Record<string, string> = {};
    for (;;) {
      while (/\s/.test(source[i] ?? '')) i++;
      if (source.startsWith('/>', i) || source[i] === '>') break;
      const a = NAME.exec(source.slice(i));
      if (!a) throw new XmlSyntaxError(`bad attribute at ${i} in <${m[0]}>`);
      i += a[0].length;
      if (source[i] !== '=') throw new XmlSyntaxError(`attribute ${a[0]} without value at ${i}`);
      const quote = source[i + 1];
      if (quote !== '"' && quote !== "'") throw new XmlSyntaxError(`unquoted attribute ${a[0]} at ${i}`);
      const end = source.indexOf(quote, i + 2);
      if (end < 0) throw new XmlSyntaxError(`unterminated attribute ${a[0]}`);
      const raw = source.slice(i + 2, end);
      checkText(raw, i);
      if (a[0] in attributes) throw new XmlSyntaxError(`duplicate attribute ${a[0]} in <${m[0]}>`);
      attributes[a[0]] = unescape(raw);
      i = end + 1;
    }
    const element: XmlElement = { name: m[0], attributes, children: [] };
    const parent = stack.at(-1);
    if (parent) parent.children.push(element);
    else if (root) throw new XmlSyntaxError(`second root element <${m[0]}>`);
    else root = element;
    if (source.startsWith('/>', i)) i += 2;
    else {
      i += 1;
      stack.push(element);
    }
  }
  if (stack.length > 0) throw new XmlSyntaxError(`<${stack.at(-1)?.name}> is never closed`);
  if (!root) throw new XmlSyntaxError('no root element');
  return root;
};

/** Every element of a tree, depth first, with its parent. */
export const elements = (root: XmlElement): { element: XmlElement; parent: XmlElement | null }[] => {
  const out: { element: XmlElement; parent: XmlElement | null }[] = [];
  const walk = (e: XmlElement, parent: XmlElement | null) => {
    out.push({ element: e, parent });
    for (const c of e.children) walk(c, e);
  };
  walk(root, null);
  return out;
};
