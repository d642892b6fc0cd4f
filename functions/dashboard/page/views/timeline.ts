import { h, s } from '../dom';
import { formatDate } from '../model/format';
import { timelineLayout } from '../model/timeline';
import type { ViewContext } from './context';

/**
 * The expiry timeline in SVG: a bar per certificate from its start to its expiry, grouped by issuer, a line
 * for today and a diamond at the renewal point. Expired bars are hatched and say "expired", bars expiring
 * within 30 days are outlined and say "expires in N days": shape and words, not colour alone.
 */
export function timelineView(context: ViewContext, width: number): HTMLElement {
  const layout = timelineLayout(context.data.rows, { now: context.now, width: Math.max(340, Math.round(width)) });
  const svg = s(
    'svg',
    { class: 'timeline', viewBox: `0 0 ${layout.width} ${layout.height}`, width: layout.width, height: layout.height, role: 'img', 'aria-labelledby': 'timeline-title timeline-desc' },
    s('title', { id: 'timeline-title' }, 'Certificate validity windows by issuer'),
    s('desc', { id: 'timeline-desc' }, `${layout.groups.reduce((n, g) => n + g.bars.length, 0)} certificates; today is ${formatDate(context.now)}.`),
    s(
      'defs',
      {},
      s('pattern', { id: 'hatch', width: 6, height: 6, patternUnits: 'userSpaceOnUse', patternTransform: 'rotate(45)' }, s('rect', { width: 6, height: 6, class: 'hatch-bg' }), s('line', { x1: 0, y1: 0, x2: 0, y2: 6, class: 'hatch-line' })),
    ),
    ...layout.ticks.map((tick) => s('g', { class: 'tick' }, s('line', { x1: tick.x, x2: tick.x, y1: 18, y2: layout.height }), s('text', { x: tick.x, y: 12, 'text-anchor': 'middle' }, tick.label))),
    ...layout.groups.map((group) =>
      s(
        'g',
        { class: 'group' },
        s('text', { class: 'issuer', x: 4, y: group.y - 6 }, `Issuer: ${group.issuer}`),
        ...group.bars.map((bar) =>
          s(
            'g',
            { class: `bar ${bar.state}`, 'data-name': bar.name },
            s('title', {}, `${bar.name}: ${bar.note}`),
            s('text', { class: 'name', x: 4, y: bar.y + 15 }, bar.name.length > 18 ? `${bar.name.slice(0, 17)}…` : bar.name),
            s('rect', { x: bar.x, y: bar.y + 4, width: bar.width, height: 14, rx: 2, fill: bar.state === 'expired' ? 'url(#hatch)' : undefined }),
            bar.renewX !== undefined && s('path', { class: 'renew', d: `M${bar.renewX} ${bar.y + 1} l6 10 l-6 10 l-6 -10 z` }),
            s('text', { class: 'note', x: Math.min(bar.x + 4, layout.plotRight - 4), y: bar.y + 27 - 2, 'text-anchor': bar.x + 4 > layout.plotRight - 120 ? 'end' : 'start' }, bar.note),
          ),
        ),
      ),
    ),
    s('g', { class: 'today' }, s('line', { x1: layout.todayX, x2: layout.todayX, y1: 16, y2: layout.height }), s('text', { x: layout.todayLabel.x, y: layout.todayLabel.y, 'text-anchor': layout.todayLabel.anchor }, 'today')),
  );
  return h(
    'section',
    { 'aria-labelledby': 'timeline-heading' },
    h('h2', { id: 'timeline-heading' }, 'Expiry timeline'),
    h('p', { class: 'legend' }, h('span', { class: 'key valid' }, 'solid: valid'), h('span', { class: 'key expiring' }, 'outlined: expires within 30 days'), h('span', { class: 'key expired' }, 'hatched: expired'), h('span', { class: 'key renew' }, '◆ renewal due'), h('span', { class: 'key' }, '| today')),
    layout.groups.length === 0 ? h('p', {}, 'No issued certificate yet.') : h('div', { class: 'scroll' }, svg),
    layout.withoutWindow.length > 0 && h('p', { class: 'muted' }, `Not issued yet (no validity window): ${layout.withoutWindow.join(', ')}`),
  );
}
