import { watch, type FSWatcher } from 'node:fs';
import { loadBundle, readPolicyDirectory, type BundleLoadResult, type PreparedBundle, type Problem, type SourceFile } from '../../engine/index.js';

export interface LoadFailure {
  at: string;
  problems: Problem[];
}

export type ReloadResult = { ok: true; bundle: PreparedBundle; changed: boolean } | { ok: false; problems: Problem[] };

/** The directory's files and the bundle they load to (checked against `previous`). */
export type DirectoryLoad = { ok: true; bundle: PreparedBundle; sources: SourceFile[] } | { ok: false; problems: Problem[] };

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
    const result = this.load();
    if (!result.ok) {
      this.refuse(result.problems);
      return result;
    }
    const changed = this.activate(result.bundle);
    return { ok: true, bundle: this.active, changed };
  }

  /** Reads and loads the directory without activating it; a changed policy must raise its version over `previous`. */
  load(previous: PreparedBundle = this.active): DirectoryLoad {
    let sources: SourceFile[];
    let result: BundleLoadResult;
    try {
      sources = readPolicyDirectory(this.directory);
      result = loadBundle(sources, { previous });
    } catch (err) {
      return { ok: false, problems: [{ file: this.directory, line: 1, col: 1, code: 'policy_io_error', message: err instanceof Error ? err.message : String(err) }] };
    }
    return result.ok ? { ok: true, bundle: result.bundle, sources } : result;
  }

  /** Makes `bundle` the active one (one reference swap); true when the revision changed. Clears the last failure. */
  activate(bundle: PreparedBundle): boolean {
    this.failure = undefined;
    if (bundle.revision === this.active.revision) return false;
    this.active = bundle;
    this.activeSince = new Date().toISOString();
    this.onChange({ bundle });
    return true;
  }

  /** Records a refused bundle: the active one stays, and the failure is shown until the next good load. */
  refuse(problems: Problem[]): void {
    this.failure = { at: new Date().toISOString(), problems };
    this.onChange({ failure: this.failure });
  }

  /** Reloads when files in the directory change (debounced: editors write in several steps); `onChange` is what a reload is (default: this.reload). */
  watch(debounceMs = 250, onChange: () => unknown = () => this.reload()): void {
    if (this.watcher) return;
    this.watcher = watch(this.directory, () => {
      if (this.debounce) clearTimeout(this.debounce);
      this.debounce = setTimeout(onChange, debounceMs);
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
