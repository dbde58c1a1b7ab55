// Where the decision server's main-thread CPU went, from a V8 CPU profile (.cpuprofile) written by
// `PROFILE_DIR=DIR npx tsx test/bench/server.bench.ts`: node test/bench/cpu-profile-summary.mjs DIR
// Each sample is charged to the nearest project frame on its stack (so a socket write made for a
// Redis command counts as the Redis client, one made for a response as the HTTP adapter), and to a
// Node-internal category only when no project frame is on the stack. Idle time is left out.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const dir = process.argv[2] ?? '.';
const file = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).sort().pop();
if (file === undefined) throw new Error(`no .cpuprofile in ${dir}`);
const profile = JSON.parse(readFileSync(join(dir, file), 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const path = (url) => url.replace(/^file:\/\/.*?\/(dist|node_modules)\//, '$1/');

const startUp = ['compileSourceTextModule', 'wrapSafe', 'compileSchema', 'openFileHandle', 'loadBundle', 'importModuleDynamically'];
const projectRules = [
  ['decision-log hand-over (record JSON, chunk postMessage to the log thread)', (fn, u) => /decision-log/.test(u) || fn === 'postMessage'],
  ['metrics (prom-client)', (fn, u) => /prom-client|observability\/metrics/.test(u)],
  ['request validation (ajv, body checks)', (fn, u) => /^validate\d*$/.test(fn) || /http\/validate|json-body/.test(u)],
  ['response serialization (JSON.stringify, Response)', (fn, u) => /http\/respond/.test(u) || /decisionResponse/.test(fn)],
  ['policy evaluation (engine)', (fn, u) => /engine\/(evaluate|compile|bundle|rollout|facts)/.test(u)],
  ['fact assembly (features, layered facts, stores)', (fn, u) => /engine\/(service|features)|server\/stores\/(?!redis\/resp)/.test(u)],
  ['Redis client (RESP connection, its socket writes)', (fn, u) => /resp-connection|ioredis/.test(u)],
  ['Hono + node-server adapter (routing, response writes)', (fn, u) => /hono/.test(u) || /server\/http\/(route|auth)|server\/app/.test(u)],
];
const nodeRules = [
  ['Node HTTP parsing, sockets', (fn, u) => /node:_http|node:internal\/(streams|stream_base|net)|node:net/.test(u) || ['writev', 'writeUtf8String', 'writeBuffer'].includes(fn)],
  ['garbage collector', (fn) => fn === '(garbage collector)'],
];
const charged = new Map();
let busy = 0;
profile.samples.forEach((id, i) => {
  const dt = profile.timeDeltas[i] ?? 0;
  if (byId.get(id).callFrame.functionName === '(idle)') return;
  const stack = [];
  for (let cur = id; cur !== undefined; cur = parentOf.get(cur)) stack.push(byId.get(cur).callFrame);
  let hit = 'other (microtasks, program)';
  if (stack.some((f) => startUp.includes(f.functionName) || /cjs\/loader/.test(f.url))) hit = 'start-up (module loading, schema compiling)';
  else outer: for (const rules of [projectRules, nodeRules]) for (const f of stack) for (const [name, test] of rules) if (test(f.functionName, path(f.url))) { hit = name; break outer; }
  charged.set(hit, (charged.get(hit) ?? 0) + dt);
  busy += dt;
});
const startUpTime = charged.get('start-up (module loading, schema compiling)') ?? 0;
console.log(`${file}: ${(busy / 1e6).toFixed(1)} s busy on the main thread, ${((busy - startUpTime) / 1e6).toFixed(1)} s of it serving (start-up left out of the shares)`);
for (const [name, t] of [...charged].sort((a, b) => b[1] - a[1])) {
  if (t === startUpTime && name.startsWith('start-up')) continue;
  console.log(`${((t / (busy - startUpTime)) * 100).toFixed(1).padStart(5)}%  ${name}`);
}
