/**
 * Stage 5 of a replay: after its decision, the event is applied. Features once (they depend on
 * events only; in a pipelined replay the feature thread has applied them already, and applying here
 * is a no-op), then its other effects in each world through that world's RefundGuardService, so
 * forged verdicts and upheld complaints run integrity.review and restrict accounts per each bundle,
 * exactly as the server does. The reviews' decisions go to the tally (stage 6).
 */
import { effectsOf, type EventEffect } from '../../engine/index.js';
import type { RefundGuardEvent } from '../../engine/events/index.js';
import type { TallyStage } from './tally.js';
import type { WorldPair } from './worlds.js';

export class ApplyStage {
  constructor(
    private readonly worlds: WorldPair,
    private readonly tally: TallyStage,
  ) {}

  /** Applies `event` (already decided on); a promise only when it has effects beyond features. */
  apply(event: RefundGuardEvent, line: number): void | Promise<void> {
    if (event.type !== 'merchant.updated') {
      const { featuresB, featuresC } = this.worlds;
      featuresB.applySync(event);
      if (featuresC !== featuresB) featuresC.applySync(event);
    }
    const effects = effectsOf(event);
    return effects.length === 0 ? undefined : this.applyEffects(event, effects, line);
  }

  private async applyEffects(event: RefundGuardEvent, effects: readonly EventEffect[], line: number): Promise<void> {
    const { b, c, featuresB, featuresC } = this.worlds;
    for (const effect of effects) {
      // Merchant state is shared: apply once. Marks and reviews belong to each world.
      if (effect.kind === 'merchant') {
        await b.service.applyEffect(effect);
        continue;
      }
      if (effect.kind === 'review') {
        featuresB.reviewLine?.(line);
        featuresC.reviewLine?.(line);
      }
      const ob = await b.service.applyEffect(effect);
      const oc = await c.service.applyEffect(effect);
      if (effect.kind === 'review' && ob !== undefined && oc !== undefined) this.tally.review(event, line, effect, ob, oc);
    }
  }
}
