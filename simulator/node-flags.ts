/**
 * Node flags a replay runs with (the CLI's `simulate` relaunches itself with them; the benchmark too).
 *
 * A replay allocates about 3 KB per history line that dies within a few thousand lines (parsed
 * events waiting for their features, facts, decision records). With V8's default 16 MiB semi-spaces
 * the main thread scavenged 284 times on a 1M-order history (1.4 s of pauses, each copying the
 * events still in flight); with 64 MiB, 90 times (0.45 s), and the whole replay took about 2 s less
 * (13.4 s to 11.2 s, alternating runs). 128 MiB was no better.
 */
export const SIMULATE_NODE_FLAGS: readonly string[] = ['--max-semi-space-size=64'];
