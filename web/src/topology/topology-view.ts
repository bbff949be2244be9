// The live topology: worker nodes as columns, the VMIs as boxes on the node
// that runs them (phase, readiness, the VM's status, IP), VMs that do not run
// below, and above them the Routes and Services with lines to the VMIs they
// send traffic to. Each new snapshot (from the event stream, driven by the
// cluster's watches) is drawn and the boxes glide to their new places, so a
// migration or a failover is seen moving.

import { h, replace } from '../dom.ts';
import type { Topology, TopologyNode, TopologyVm, TopologyVmi } from '../types.ts';
import { LinkLayer, type Link } from './links.ts';
import { animateFrom, snapshot } from './motion.ts';

const VMI_SELECTOR = '[data-vmi]';
const keyOf = (o: { namespace: string; name: string }): string => `${o.namespace}/${o.name}`;

function isControlPlane(n: TopologyNode): boolean {
  return n.roles.some((r) => r === 'control-plane' || r === 'master') && !n.roles.includes('worker');
}

function nodeState(n: TopologyNode): { text: string; cls: string } {
  if (!n.ready) return { text: 'NotReady', cls: 'bad' };
  if (!n.schedulable) return { text: 'Ready, SchedulingDisabled', cls: 'warn' };
  return { text: 'Ready', cls: 'good' };
}

export class TopologyView {
  readonly element: HTMLElement;
  private readonly body: HTMLElement;
  private readonly links: LinkLayer;
  private readonly resize: ResizeObserver;
  private topology: Topology | undefined;

  constructor(opts: { title?: string } = {}) {
    this.body = h('div', { class: 'topology-body' });
    this.element = h('section', { class: 'topology', 'aria-label': opts.title ?? 'Cluster topology' }, this.body);
    this.links = new LinkLayer(this.body);
    this.resize = new ResizeObserver(() => this.links.draw());
    this.resize.observe(this.body);
    this.showMessage('Waiting for the cluster…');
  }

  showMessage(text: string): void {
    this.topology = undefined;
    replace(this.body, h('p', { class: 'muted topology-empty' }, text));
  }

  update(t: Topology): void {
    // A hidden view (another tab shows) has no layout: it is redrawn without motion.
    const visible = this.element.offsetParent !== null;
    const before = this.topology && visible ? snapshot(this.body, VMI_SELECTOR, 'data-vmi') : new Map();
    this.topology = t;
    this.render(t);
    const ms = visible ? animateFrom(this.body, before, VMI_SELECTOR, 'data-vmi') : 0;
    this.links.draw();
    if (ms) this.links.follow(ms + 50);
  }

  /** The view became visible: its lines need the layout it now has. */
  shown(): void {
    this.links.draw();
  }

  private render(t: Topology): void {
    const vmByKey = new Map(t.vms.map((v) => [keyOf(v), v]));
    const workers = t.nodes.filter((n) => !isControlPlane(n));
    const controlPlanes = t.nodes.filter(isControlPlane);
    const onNode = new Map<string, TopologyVmi[]>(t.nodes.map((n) => [n.name, []]));
    const elsewhere: TopologyVmi[] = [];
    for (const vmi of [...t.vmis].sort((a, b) => keyOf(a).localeCompare(keyOf(b)))) {
      const list = vmi.node ? onNode.get(vmi.node) : undefined;
      if (list) list.push(vmi);
      else elsewhere.push(vmi);
    }
    const running = new Set(t.vmis.map(keyOf));
    const idleVms = t.vms.filter((v) => !running.has(keyOf(v)));

    const routeEls = new Map<string, HTMLElement>();
    const serviceEls = new Map<string, HTMLElement>();
    const vmiEls = new Map<string, HTMLElement>();

    const traffic = (t.routes.length || t.services.length) ? h('div', { class: 'topo-traffic' },
      t.routes.length ? h('div', { class: 'topo-row topo-routes' }, t.routes.map((r) => {
        const el = h('div', {
          class: `topo-card route${r.admitted ? '' : ' not-admitted'}`, tabindex: 0, 'data-route': keyOf(r),
          'aria-label': `Route ${keyOf(r)}${r.host ? `, host ${r.host}` : ''}, ${r.admitted ? 'admitted' : 'not admitted'}${r.service ? `, to Service ${r.service}` : ''}`,
        },
        h('div', { class: 'topo-kind' }, 'Route'),
        h('div', { class: 'topo-name' }, r.name),
        r.host ? h('div', { class: 'topo-detail mono' }, r.host) : null,
        h('div', { class: `topo-detail ${r.admitted ? 'good' : 'warn'}` }, r.admitted ? 'admitted' : 'not admitted'));
        routeEls.set(keyOf(r), el);
        return el;
      })) : null,
      t.services.length ? h('div', { class: 'topo-row topo-services' }, t.services.map((s) => {
        const ready = s.vmis.filter((v) => v.ready).length;
        const el = h('div', {
          class: 'topo-card service', tabindex: 0, 'data-service': keyOf(s),
          'aria-label': `Service ${keyOf(s)}, ${s.type}, ${ready} of ${s.vmis.length} VMIs ready${s.vmis.length ? `: ${s.vmis.map((v) => v.name).join(', ')}` : ''}`,
        },
        h('div', { class: 'topo-kind' }, `Service · ${s.type}`),
        h('div', { class: 'topo-name' }, s.name),
        h('div', { class: 'topo-detail mono' }, [s.clusterIP, ...s.externalIPs].filter(Boolean).join(' · ') || '—'),
        h('div', { class: 'topo-detail mono' }, s.ports.map((p) => `${p.port}${p.targetPort !== undefined ? `→${p.targetPort}` : ''}${p.nodePort ? ` (node ${p.nodePort})` : ''}`).join(', ')),
        h('div', { class: `topo-detail ${s.vmis.length && ready === s.vmis.length ? 'good' : ready ? 'warn' : 'bad'}` }, `${ready}/${s.vmis.length} ready`));
        serviceEls.set(keyOf(s), el);
        return el;
      })) : null) : null;

    const vmiBox = (vmi: TopologyVmi): HTMLElement => {
      const vm = vmByKey.get(keyOf(vmi.vm ? { namespace: vmi.namespace, name: vmi.vm } : vmi));
      const status = vm?.status && vm.status !== vmi.phase ? vm.status : undefined;
      const el = h('div', {
        class: `topo-vmi phase-${(vmi.phase ?? 'unknown').toLowerCase()}${vmi.ready ? ' ready' : ''}${vm?.status === 'Migrating' ? ' migrating' : ''}`,
        tabindex: 0, 'data-vmi': keyOf(vmi), role: 'group',
        'aria-label': `VMI ${keyOf(vmi)}: ${vmi.phase ?? 'no phase'}, ${vmi.ready ? 'ready' : 'not ready'}${vmi.node ? `, on ${vmi.node}` : ''}${status ? `, VM ${status}` : ''}`,
      },
      h('div', { class: 'topo-name' }, h('span', { class: `dot ${vmi.ready ? 'good' : 'bad'}`, title: vmi.ready ? 'Ready' : 'Not ready' }), vmi.name),
      h('div', { class: 'topo-detail' }, vmi.phase ?? '—', status ? h('span', { class: 'badge' }, status) : null),
      h('div', { class: 'topo-detail mono' }, vmi.ip ?? ''),
      vmi.namespace ? h('div', { class: 'topo-detail muted' }, vmi.namespace) : null);
      vmiEls.set(keyOf(vmi), el);
      return el;
    };

    const column = (n: TopologyNode): HTMLElement => {
      const st = nodeState(n);
      return h('div', { class: `topo-node ${st.cls}`, 'data-node': n.name, role: 'group', 'aria-label': `Node ${n.name}: ${st.text}` },
        h('div', { class: 'topo-node-head' },
          h('div', { class: 'topo-name' }, n.name),
          h('div', { class: `topo-detail ${st.cls}` }, st.text),
          n.roles.length ? h('div', { class: 'topo-detail muted' }, n.roles.join(', ')) : null),
        h('div', { class: 'topo-node-vmis' }, (onNode.get(n.name) ?? []).map(vmiBox)));
    };

    const idleVm = (vm: TopologyVm): HTMLElement => h('div', { class: 'topo-vm-idle', tabindex: 0, 'aria-label': `VM ${keyOf(vm)}: ${vm.status ?? 'no status'}${vm.runStrategy ? `, runStrategy ${vm.runStrategy}` : ''}` },
      h('span', { class: 'topo-name' }, vm.name), ' ', h('span', { class: 'badge' }, vm.status ?? '—'),
      vm.runStrategy ? h('span', { class: 'muted' }, ` ${vm.runStrategy}`) : null);

    const usedControlPlanes = controlPlanes.filter((c) => (onNode.get(c.name) ?? []).length > 0);
    const columns = [...workers, ...usedControlPlanes];
    replace(this.body,
      traffic,
      h('div', { class: 'topo-nodes', style: `grid-template-columns: repeat(${Math.max(1, columns.length)}, minmax(8.5rem, 1fr))` }, columns.map(column)),
      (elsewhere.length || idleVms.length) ? h('div', { class: 'topo-idle' },
        h('span', { class: 'topo-kind' }, 'Not on a node'),
        elsewhere.map(vmiBox),
        idleVms.map(idleVm)) : null,
      controlPlanes.length ? h('div', { class: 'topo-control-planes muted' }, 'Control plane: ',
        controlPlanes.map((c) => h('span', { class: `chip ${nodeState(c).cls}`, title: nodeState(c).text }, c.name))) : null,
      this.links.svg);

    const links: Link[] = [];
    for (const r of t.routes) {
      const from = routeEls.get(keyOf(r));
      const to = r.service ? serviceEls.get(`${r.namespace}/${r.service}`) : undefined;
      if (from && to) links.push({ from, to, ready: r.admitted, groups: [keyOf(r), `${r.namespace}/${r.service}`] });
    }
    for (const s of t.services) {
      const from = serviceEls.get(keyOf(s));
      if (!from) continue;
      for (const v of s.vmis) {
        const to = vmiEls.get(`${s.namespace}/${v.name}`);
        if (to) links.push({ from, to, ready: v.ready, groups: [keyOf(s), ...t.routes.filter((r) => r.namespace === s.namespace && r.service === s.name).map(keyOf)] });
      }
    }
    this.links.set(links);
    this.wireHighlights(t, vmiEls);
  }

  /** Hovering or focusing a Route or Service lights up its lines and the VMIs behind it. */
  private wireHighlights(t: Topology, vmiEls: Map<string, HTMLElement>): void {
    const targets = (group: string): HTMLElement[] => {
      const svc = t.services.find((s) => keyOf(s) === group)
        ?? (() => { const r = t.routes.find((x) => keyOf(x) === group); return r ? t.services.find((s) => s.namespace === r.namespace && s.name === r.service) : undefined; })();
      return svc ? svc.vmis.map((v) => vmiEls.get(`${svc.namespace}/${v.name}`)).filter((e): e is HTMLElement => !!e) : [];
    };
    for (const card of this.body.querySelectorAll<HTMLElement>('[data-service], [data-route]')) {
      const group = card.dataset.service ?? card.dataset.route!;
      const on = (): void => {
        this.links.highlight(group);
        for (const el of targets(group)) el.classList.add('highlight');
      };
      const off = (): void => {
        this.links.highlight(undefined);
        for (const el of this.body.querySelectorAll('.highlight')) el.classList.remove('highlight');
      };
      card.addEventListener('mouseenter', on);
      card.addEventListener('focus', on);
      card.addEventListener('mouseleave', off);
      card.addEventListener('blur', off);
    }
  }

  dispose(): void {
    this.resize.disconnect();
    this.links.dispose();
  }
}
