// Animating the topology between two renders (FLIP): every VMI box that is
// still there slides from where it was to where it is now (a migration or a
// failover moves it to another node's column), new ones fade in, and the
// ones that went fade out where they were.

const MOVE_MS = 700;
const FADE_MS = 400;

export function reducedMotion(): boolean {
  return window.matchMedia('(prefers-reduced-motion: reduce)').matches;
}

/** Positions of the keyed elements, relative to the container. */
export function snapshot(container: HTMLElement, selector: string, attr: string): Map<string, { rect: DOMRect; el: HTMLElement }> {
  const out = new Map<string, { rect: DOMRect; el: HTMLElement }>();
  for (const el of container.querySelectorAll<HTMLElement>(selector)) {
    const key = el.getAttribute(attr);
    if (key) out.set(key, { rect: el.getBoundingClientRect(), el });
  }
  return out;
}

/**
 * Plays the transition from `before` to the current DOM. Returns how long
 * the animations run (so connectors can follow the moving boxes).
 */
export function animateFrom(container: HTMLElement, before: Map<string, { rect: DOMRect; el: HTMLElement }>, selector: string, attr: string): number {
  if (reducedMotion() || !before.size) return 0;
  const origin = container.getBoundingClientRect();
  let longest = 0;
  const seen = new Set<string>();
  for (const el of container.querySelectorAll<HTMLElement>(selector)) {
    const key = el.getAttribute(attr);
    if (!key) continue;
    seen.add(key);
    const old = before.get(key);
    if (!old) {
      el.animate([{ opacity: 0, transform: 'scale(0.85)' }, { opacity: 1, transform: 'none' }], { duration: FADE_MS, easing: 'ease-out' });
      longest = Math.max(longest, FADE_MS);
      continue;
    }
    const now = el.getBoundingClientRect();
    const dx = old.rect.left - now.left;
    const dy = old.rect.top - now.top;
    if (Math.abs(dx) < 1 && Math.abs(dy) < 1) continue;
    el.classList.add('moving');
    const a = el.animate([{ transform: `translate(${dx}px, ${dy}px)` }, { transform: 'none' }], { duration: MOVE_MS, easing: 'cubic-bezier(.4,0,.2,1)' });
    a.addEventListener('finish', () => el.classList.remove('moving'));
    longest = Math.max(longest, MOVE_MS);
  }
  for (const [key, old] of before) {
    if (seen.has(key)) continue;
    // A ghost of the box that went, fading where it stood.
    const ghost = old.el.cloneNode(true) as HTMLElement;
    ghost.classList.add('ghost');
    ghost.removeAttribute(attr);
    ghost.setAttribute('aria-hidden', 'true');
    Object.assign(ghost.style, {
      position: 'absolute', left: `${old.rect.left - origin.left + container.scrollLeft}px`, top: `${old.rect.top - origin.top + container.scrollTop}px`,
      width: `${old.rect.width}px`, height: `${old.rect.height}px`, margin: '0', pointerEvents: 'none',
    });
    container.appendChild(ghost);
    const a = ghost.animate([{ opacity: 0.9 }, { opacity: 0, transform: 'scale(0.85)' }], { duration: FADE_MS * 2, easing: 'ease-in' });
    a.addEventListener('finish', () => ghost.remove());
    longest = Math.max(longest, FADE_MS * 2);
  }
  return longest;
}
