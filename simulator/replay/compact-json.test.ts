import fc from 'fast-check';
import { spawnSync } from 'node:child_process';
import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { parseCompactJson } from './compact-json.js';

/** What JSON.parse makes of a text, or 'invalid'. */
const parsed = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return 'invalid';
  }
};

/**
 * The fast path may decline any text, but what it returns is exactly JSON.parse's object, keys in the
 * same order. Answers whether the fast path took the text, so a property can check that it compared
 * something (a parser that declined everything would otherwise pass).
 */
const agreesWithJsonParse = (text: string): boolean => {
  const fast = parseCompactJson(text);
  if (fast === undefined) return false;
  const slow = parsed(text);
  expect(slow).not.toBe('invalid');
  expect(Object.getPrototypeOf(fast)).toBe(Object.prototype);
  expect(Object.entries(fast)).toEqual(Object.entries(slow as object));
  return true;
};

/** Runs a property over texts and answers how many of them the fast path took (and so were compared). */
const fastPathTaken = (texts: fc.Arbitrary<string>, numRuns: number): number => {
  let taken = 0;
  fc.assert(
    fc.property(texts, (text) => {
      if (agreesWithJsonParse(text)) taken++;
    }),
    { numRuns },
  );
  return taken;
};

const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.string({ unit: 'binary' }),
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 3 }),
    fc.dictionary(fc.string(), tie('value'), { maxKeys: 3 }),
  ),
})).value;

/** Number spellings JSON accepts and refuses. */
const numberText = fc.oneof(
  fc.double({ noNaN: true, noDefaultInfinity: true }).map(String),
  fc.constantFrom('0', '-0', '01', '-01', '1.', '.5', '-', '1e', '1e+', '1E-7', '1e+21', '2.5E3', '-0.0', '+1', '0x10', '1_000', 'Infinity', 'NaN', '00', '0.', '1.5e', '1ee5'),
);

describe('parseCompactJson', () => {
  it('returns what JSON.parse returns, or declines, on JSON texts of any shape', () => {
    const taken = fastPathTaken(fc.dictionary(fc.string({ unit: 'binary' }), jsonValue, { maxKeys: 8 }).map((o) => JSON.stringify(o)), 3000);
    // Most such texts need no escape (about 5 in 6 over many runs): the comparison ran on them.
    expect(taken).toBeGreaterThan(1500);
  });

  it('returns what JSON.parse returns, or declines, on texts cut, spliced or padded at random', () => {
    const edited = fc
      .tuple(
        fc.dictionary(fc.string(), fc.oneof(fc.string(), fc.double(), fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.oneof(fc.string(), fc.integer()), { maxLength: 3 }), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 })), { maxKeys: 6 }),
        fc.nat(),
        fc.nat(),
        fc.constantFrom('', ' ', '"', '\\', ',', ':', '{', '}', '[', ']', '\n', '\u0001', '1', '-', 'e', '.', 'true', 'nul', '__proto__'),
      )
      .map(([o, at, len, insert]) => {
        const text = JSON.stringify(o);
        const cut = at % (text.length + 1);
        return text.slice(0, cut) + insert + text.slice(Math.min(text.length, cut + (len % 3)));
      });
    const taken = fastPathTaken(edited, 5000);
    // Many edits leave valid compact JSON (about 1 in 6 over many runs): the comparison ran on them.
    expect(taken).toBeGreaterThan(400);
  });

  it('reads every JSON number spelling as JSON.parse does, and declines the ones it refuses', () => {
    fc.assert(
      fc.property(numberText, (n) => {
        const text = `{"amount":${n}}`;
        agreesWithJsonParse(text);
        if (parsed(text) === 'invalid') expect(parseCompactJson(text)).toBeUndefined();
      }),
      { numRuns: 2000 },
    );
  });

  it('reads decimals of up to 15 digits (computed, not converted) exactly as JSON.parse does', () => {
    const decimal = fc
      .tuple(fc.boolean(), fc.stringMatching(/^(0|[1-9][0-9]{0,14})$/), fc.option(fc.stringMatching(/^[0-9]{1,16}$/), { nil: undefined }))
      .map(([negative, whole, fraction]) => `${negative ? '-' : ''}${whole}${fraction === undefined ? '' : `.${fraction}`}`);
    fc.assert(
      fc.property(decimal, (n) => {
        const text = `{"amount":${n}}`;
        expect(Object.is(parseCompactJson(text)?.['amount'], JSON.parse(text).amount)).toBe(true);
      }),
      { numRuns: 5000 },
    );
  });

  it('reuses keys seen at a position only when the whole key matches', () => {
    // Keys that are prefixes of one another, in alternating orders, one line after another.
    const texts = ['{"a":1,"ab":2}', '{"ab":3,"a":4}', '{"abc":5}', '{"a":6}', '{"a\\u0062":7}', '{"b":8,"a":9}'];
    for (const text of texts) expect(Object.entries(parseCompactJson(text) ?? JSON.parse(text))).toEqual(Object.entries(JSON.parse(text)));
    expect(parseCompactJson('{"ab":3,"a":4}')).toEqual({ ab: 3, a: 4 });
    expect(parseCompactJson('{"a":6}')).toEqual({ a: 6 });
  });

  it('takes the fast path on objects written without whitespace or escapes, the shape of history lines', () => {
    const plainText = fc.string({ unit: fc.constantFrom(...'abcXYZ019._:-|é€ '.split('')), maxLength: 12 });
    const plainValue = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        plainText,
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        fc.integer(),
        fc.boolean(),
        fc.constant(null),
        fc.array(tie('value'), { maxLength: 3 }),
        fc.dictionary(plainText, tie('value'), { maxKeys: 3 }),
      ),
    })).value;
    const hasProtoKey = (v: unknown): boolean =>
      typeof v === 'object' && v !== null && (Object.hasOwn(v, '__proto__') || Object.values(v).some(hasProtoKey));
    const compact = fc.dictionary(plainText, plainValue, { maxKeys: 12 }).filter((o) => !hasProtoKey(o));
    fc.assert(
      fc.property(compact, (o) => {
        const text = JSON.stringify(o);
        expect(parseCompactJson(text)).toEqual(JSON.parse(text));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a refund request line, nested object and all, as JSON.parse does', () => {
    const line = '{"eventId":"e4071","type":"refund.requested","at":"2027-01-02T15:52:42Z","refund":{"type":"return_refund","amount":26.18},"evidence":[{"kind":"image"}],"ok":true,"none":null}';
    expect(parseCompactJson(line)).toEqual(JSON.parse(line));
  });

  it('declines nesting deeper than it reads, leaving such texts to JSON.parse', () => {
    const deep = (n: number): string => '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    expect(parseCompactJson(deep(17))).toEqual(JSON.parse(deep(17)));
    expect(parseCompactJson(deep(18))).toBeUndefined();
  });

  /** Heap growth (bytes, after a full collection) while 40 values are kept of lines `lineOf(i)` makes, each a view into a larger string. */
  const heapKeptByValuesOf = (lineOf: (i: number) => string): number => {
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    const kept: unknown[] = [];
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 40; i++) kept.push(parseCompactJson(lineOf(i))?.['eventId']);
    gc();
    expect(kept.filter((id) => typeof id === 'string')).toHaveLength(40);
    return process.memoryUsage().heapUsed - before;
  };
  const firstLineOf = (chunk: string): string => chunk.slice(0, chunk.indexOf('\n'));

  it('keeps no line alive through the strings it returns (what a store keeps is a copy, not a view into the text)', () => {
    // A 1 MiB line, as a view into a larger chunk like the line reader's.
    const grown = heapKeptByValuesOf((i) => firstLineOf(`{"eventId":"evt-${String(i).padStart(20, '0')}","pad":"${'x'.repeat(1 << 20)}"}\n{}`));
    expect(grown).toBeLessThan(8 << 20);
  });

  it('keeps no chunk alive through a short line that is a view into it, unless told the line is a string of its own', () => {
    const grown = heapKeptByValuesOf((i) => firstLineOf(`{"eventId":"evt-${String(i).padStart(20, '0')}","at":"2027-01-01T00:00:00Z"}\n${'x'.repeat(1 << 20)}`));
    expect(grown).toBeLessThan(8 << 20);
    expect(parseCompactJson('{"at":"2027-01-01T00:00:00Z"}', true)).toEqual({ at: '2027-01-01T00:00:00Z' });
  });

  it('builds each line’s object afresh, whether its keys repeat the last line’s, come in another order or repeat a key', () => {
    const lines = [
      '{"eventId":"e1","type":"order.placed","amount":1}',
      '{"eventId":"e2","type":"refund.requested","amount":2}',
      '{"type":"order.placed","eventId":"e3","amount":3}',
      '{"eventId":"e4","type":"x","eventId":"e5"}',
      '{"eventId":"e6","type":"y","eventId":"e7"}',
      '{"2":"b","1":"a","z":0}',
    ];
    const seen: unknown[] = [];
    for (const line of lines) {
      const object = parseCompactJson(line);
      expect(Object.entries(object ?? {})).toEqual(Object.entries(JSON.parse(line)));
      expect(seen).not.toContain(object);
      seen.push(object);
    }
  });

  it('reads objects of more key sequences than it keeps builders for', () => {
    for (let n = 0; n < 200; n++) {
      const line = JSON.stringify(Object.fromEntries(Array.from({ length: 1 + (n % 7) }, (_, k) => [`k${n}_${k}`, k])));
      expect(parseCompactJson(line)).toEqual(JSON.parse(line));
    }
  });

  it('reads lines the same where code generation from strings is refused', () => {
    const line = '{"eventId":"e1","type":"order.placed","amount":1.5,"refund":{"type":"x"}}';
    const script = `import { parseCompactJson } from ${JSON.stringify(new URL('./compact-json.ts', import.meta.url).href)};
      const line = ${JSON.stringify(line)};
      process.stdout.write(JSON.stringify([parseCompactJson(line), parseCompactJson(line)]));`;
    const run = spawnSync(process.execPath, ['--disallow-code-generation-from-strings', '--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8' });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual([JSON.parse(line), JSON.parse(line)]);
  });

  it('declines a __proto__ key (JSON.parse makes it an own property; an assignment would set the prototype)', () => {
    expect(parseCompactJson('{"__proto__":"x"}')).toBeUndefined();
    expect(parseCompactJson('{"a":{"__proto__":"x"}}')).toBeUndefined();
    expect(parseCompactJson('{"a":[{"__proto__":"x"}]}')).toBeUndefined();
  });

  it('keeps the last of duplicate keys at the first one’s place, as JSON.parse does', () => {
    agreesWithJsonParse('{"a":1,"b":"x","a":2}');
    expect(Object.entries(parseCompactJson('{"a":1,"b":"x","a":2}') ?? {})).toEqual([
      ['a', 2],
      ['b', 'x'],
    ]);
  });
});
