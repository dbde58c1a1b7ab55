import { LineCounter, parseDocument, isMap, isSeq, isScalar, isPair, type Node } from 'yaml';
import type { Problem, ProblemCode, SourceLocation } from '../problems.js';

/** A parsed YAML file: its plain JS value plus a way to find the line and column of any node. */
export interface LoadedYaml {
  file: string;
  value: unknown;
  /** Location of the node at a JSON pointer (e.g. "/rules/0/when"), or of its nearest existing parent. */
  locate(pointer: string): SourceLocation;
  /** Location of the key of the pair at a pointer, when the pointer names a mapping entry. */
  locateKey(pointer: string): SourceLocation;
}

export interface YamlLimits {
  /** Total bytes accepted; larger files are refused before parsing. */
  maxBytes: number;
  /** Alias expansion limit handed to the yaml package (defends against "billion laughs"). */
  maxAliasCount: number;
  /** Deepest nesting of mappings and sequences accepted. */
  maxDepth: number;
}

export const defaultYamlLimits: YamlLimits = { maxBytes: 1024 * 1024, maxAliasCount: 100, maxDepth: 64 };

/** The JSON pointer of the first node nested deeper than `max`, walked iteratively. */
function deeperThan(value: unknown, max: number): string | undefined {
  const stack: { node: unknown; path: string; depth: number }[] = [{ node: value, path: '', depth: 0 }];
  while (stack.length > 0) {
    const { node, path, depth } = stack.pop()!;
    if (node === null || typeof node !== 'object') continue;
    if (depth >= max) return path || '/';
    for (const [key, child] of Object.entries(node)) stack.push({ node: child, path: `${path}/${key}`, depth: depth + 1 });
  }
  return undefined;
}

export type YamlLoadResult = { ok: true; doc: LoadedYaml } | { ok: false; problems: Problem[] };

export function loadYaml(file: string, text: string, limits: YamlLimits = defaultYamlLimits, code: ProblemCode = 'policy_yaml_error'): YamlLoadResult {
  if (Buffer.byteLength(text, 'utf8') > limits.maxBytes) {
    return fail(file, 1, 1, 'policy_yaml_too_complex', `file is larger than ${limits.maxBytes} bytes`);
  }
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true, merge: false });
  if (document.errors.some((e) => /call stack/i.test(e.message))) {
    return fail(file, 1, 1, 'policy_yaml_too_complex', `nesting is too deep to parse (keep it under ${limits.maxDepth} levels)`);
  }
  if (document.errors.length > 0) {
    return {
      ok: false,
      problems: document.errors.map((e) => {
        const pos = lineCounter.linePos(e.pos[0]);
        return { file, line: pos.line, col: pos.col, code, message: firstLine(e.message) };
      }),
    };
  }
  let value: unknown;
  try {
    value = document.toJS({ maxAliasCount: limits.maxAliasCount });
  } catch (err) {
    const message = err instanceof Error ? firstLine(err.message) : String(err);
    return fail(file, 1, 1, 'policy_yaml_too_complex', message);
  }
  const tooDeep = deeperThan(value, limits.maxDepth);
  if (tooDeep !== undefined) {
    const pos = lineCounter.linePos(0);
    return fail(file, pos.line, pos.col, 'policy_yaml_too_complex', `nesting deeper than ${limits.maxDepth} levels (at ${tooDeep})`);
  }
  const at = (offset: number | undefined): SourceLocation => {
    const pos = lineCounter.linePos(offset ?? 0);
    return { file, line: pos.line, col: pos.col };
  };
  const walk = (pointer: string, wantKey: boolean): SourceLocation => {
    const segments = pointer.split('/').slice(1).map(unescapePointer);
    let node: unknown = document.contents;
    let keyNode: unknown = undefined;
    for (const segment of segments) {
      if (isMap(node)) {
        const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === segment);
        if (!pair) break;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node)) {
        const item = node.items[Number(segment)];
        if (item === undefined) break;
        keyNode = undefined;
        node = item;
      } else break;
    }
    const target = wantKey && keyNode ? keyNode : node;
    return at((target as Node | null | undefined)?.range?.[0]);
  };
  return {
    ok: true,
    doc: { file, value, locate: (p) => walk(p, false), locateKey: (p) => walk(p, true) },
  };
}

function fail(file: string, line: number, col: number, code: ProblemCode, message: string): YamlLoadResult {
  return { ok: false, problems: [{ file, line, col, code, message }] };
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}

function unescapePointer(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function escapePointer(segment: string | number): string {
  return String(segment).replace(/~/g, '~0').replace(/\//g, '~1');
}
