// The lines of the topology: from each Route to its Service, and from each
// Service to the VMIs behind it (solid when the VMI is a ready endpoint,
// dashed when not), drawn in an SVG laid over the boxes and redrawn while
// boxes move.

const SVG = 'http://www.w3.org/2000/svg';

export interface Link {
  from: HTMLElement;
  to: HTMLElement;
  ready: boolean;
  /** Keys for highlighting: the service (and route) the line belongs to. */
  groups: string[];
}

export class LinkLayer {
  readonly svg: SVGSVGElement;
  private links: Link[] = [];
  private frame = 0;
  private until = 0;

  constructor(private readonly container: HTMLElement) {
    this.svg = document.createElementNS(SVG, 'svg');
    this.svg.classList.add('topo-links');
    this.svg.setAttribute('aria-hidden', 'true');
  }

  set(links: Link[]): void {
    this.links = links;
    this.draw();
  }

  /** Redraws every frame for `ms` (while boxes animate). */
  follow(ms: number): void {
    this.until = Math.max(this.until, performance.now() + ms);
    if (this.frame) return;
    const tick = (): void => {
      this.draw();
      this.frame = performance.now() < this.until ? requestAnimationFrame(tick) : 0;
    };
    this.frame = requestAnimationFrame(tick);
  }

  draw(): void {
    const origin = this.container.getBoundingClientRect();
    this.svg.setAttribute('width', String(this.container.scrollWidth));
    this.svg.setAttribute('height', String(this.container.scrollHeight));
    const paths: SVGPathElement[] = [];
    for (const l of this.links) {
      if (!l.from.isConnected || !l.to.isConnected) continue;
      const a = l.from.getBoundingClientRect();
      const b = l.to.getBoundingClientRect();
      const x1 = a.left + a.width / 2 - origin.left + this.container.scrollLeft;
      const y1 = a.bottom - origin.top + this.container.scrollTop;
      const x2 = b.left + b.width / 2 - origin.left + this.container.scrollLeft;
      const y2 = b.top - origin.top + this.container.scrollTop;
      const bend = Math.max(20, (y2 - y1) / 2);
      const p = document.createElementNS(SVG, 'path');
      p.setAttribute('d', `M ${x1} ${y1} C ${x1} ${y1 + bend}, ${x2} ${y2 - bend}, ${x2} ${y2}`);
      p.setAttribute('class', `topo-link ${l.ready ? 'ready' : 'not-ready'}`);
      p.dataset.groups = l.groups.join(' ');
      paths.push(p);
    }
    this.svg.replaceChildren(...paths);
  }

  /** Emphasises the lines of a group (a hovered or focused Service or Route). */
  highlight(group: string | undefined): void {
    for (const p of this.svg.querySelectorAll<SVGPathElement>('path')) {
      p.classList.toggle('highlight', !!group && (p.dataset.groups ?? '').split(' ').includes(group));
    }
  }

  dispose(): void {
    cancelAnimationFrame(this.frame);
  }
}
