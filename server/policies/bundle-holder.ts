import { watch, type FSWatcher } from 'node:fs';
import { loadBundle, readPolicyDirectory, type PreparedBundle, type Problem } from '../../engine/index.js';

export interface LoadFailure {
  at: string;
  problems: Problem[];
}

export type ReloadResult = { ok: true; bundle: PreparedBundle; changed: boolean } | { ok: false; problems: Problem[] };

/**
 * Holds the active policy bundle. A reload prepares a whole new bundle and swaps one reference,
 * so a decision sees either the old bundle or the new one, never a mix; a bundle with any
 * problem is refused whole and the last good one stays active.
 */
export class BundleHolder {
  private active: PreparedBundle;
  private activeSince: string;
  private failure: LoadFailure | undefined;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;

  private constructor(
    readonly directory: string,
    initial: PreparedBundle,
    private readonly onChange: (event: { bundle?: PreparedBundle; failure?: LoadFailure }) => void,
  ) {
    this.active = initial;
    this.activeSince = new Date().toISOString();
  }

  /** Loads the directory once; refuses to start on a broken bundle (there is no last good one yet). */
  static open(directory: string, onChange: (event: { bundle?: PreparedBundle; failure?: LoadFailure }) => void = () => {}): { ok: true; holder: BundleHolder } | { ok: false; problems: Problem[] } {
    const loaded = loadBundle(readPolicyDirectory(directory));
    if (!loaded.ok) return { ok: false, problems: loaded.problems };
    return { ok: true, holder: new BundleHolder(directory, loaded.bundle, onChange) };
  }

  get bundle(): PreparedBundle {
    return this.active;
  }

  get since(): string {
    return this.activeSince;
  }

  get lastFailure(): LoadFailure | undefined {
    return this.failure;
  }

  reload(): ReloadResult {
    let result;
    try {
      result = loadBundle(readPolicyDirectory(this.directory), { previous: this.active });
    } catch (err) {
      result = { ok: false as const, problems: [{ file: this.directory, line: 1, col: 1, code: 'policy_io_error' as const, message: err instanceof Error ? err.message : String(err) }] };
    }
    if (!result.ok) {
      this.failure = { at: new Date().toISOString(), problems: result.problems };
      this.onChange({ failure: this.failure });
      return result;
    }
    const changed = result.bundle.revision !== this.active.revision;
    if (changed) {
      this.active = result.bundle;
      this.activeSince = new Date().toISOString();
      this.onChange({ bundle: result.bundle });
    }
    this.failure = undefined;
    return { ok: true, bundle: this.active, changed };
  }

  /** Reloads when files in the directory change (debounced: editors write in several steps). */
  watch(debounceMs = 250): void {
    if (this.watcher) return;
    this.watcher = watch(this.directory, () => {
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.reload(), debounceMs);
      this.debounce.unref();
    });
    this.watcher.unref();
  }

  close(): void {
    this.watcher?.close();
    this.watcher = undefined;
    if (this.debounce) clearTimeout(this.debounce);
  }
}
