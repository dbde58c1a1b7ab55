import type { EvidenceItem } from '../../../engine/events/index.js';

/**
 * What the buyer submitted, as text only: notes and URLs are shown literally (hono/jsx escapes
 * them) and URLs are never links, images or fetched, so nothing a buyer wrote can run or call out.
 */
export function EvidenceItems({ items }: { items: readonly EvidenceItem[] }) {
  if (items.length === 0) return <p class="muted">No evidence items.</p>;
  return (
    <ol class="evidence">
      {items.map((item) => (
        <li>
          <dl class="facts">
            <div>
              <dt>Kind</dt>
              <dd>{item.kind}</dd>
            </div>
            {item.note !== undefined && (
              <div>
                <dt>Note</dt>
                <dd>
                  <div class="text">{item.note}</div>
                </dd>
              </div>
            )}
            {item.url !== undefined && (
              <div>
                <dt>URL (not opened)</dt>
                <dd>
                  <div class="text">{item.url}</div>
                </dd>
              </div>
            )}
            {item.sha256 !== undefined && (
              <div>
                <dt>Fingerprint</dt>
                <dd>
                  <code>{item.sha256}</code>
                </dd>
              </div>
            )}
          </dl>
        </li>
      ))}
    </ol>
  );
}
