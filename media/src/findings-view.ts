/**
 * Cross-talk findings of one invocation (Managed Instances, issue 12): which module-scope
 * binding another invocation in flight in the same worker overwrote between this invocation's
 * write and its read, with the three sites and a go-to-line for each. The variable and the
 * request ids come from the user's process: text nodes only.
 */
import type { CrossTalkFinding, InvocationSite } from '../../src/core/model/snapshot';
import { codicon, el, spaced } from './dom';
import { lineButton, type SourceLinks } from './memory-view';

/** The three roles of a finding, in the order they happened. */
const ROLES: Array<{ site: 'writer' | 'interloper' | 'reader'; text: string }> = [
  { site: 'writer', text: 'written by' },
  { site: 'interloper', text: 'overwritten meanwhile by' },
  { site: 'reader', text: 'read back by' },
];

function siteRow(doc: Document, links: SourceLinks, variable: string, role: string, site: InvocationSite): HTMLElement {
  return el(doc, 'li', { class: 'ws-finding-site' }, ...spaced(doc,
    el(doc, 'span', { class: 'ws-finding-role', text: role }),
    el(doc, 'code', { class: 'ws-finding-request', text: site.requestId }),
    el(doc, 'span', { class: 'ws-muted', text: '·' }),
    lineButton(doc, links, links.handlerFile, site.line, `line ${site.line}`, `${variable} ${role} ${site.requestId}, line ${site.line}: go to line`)));
}

export function findingsBody(doc: Document, links: SourceLinks, findings: readonly CrossTalkFinding[]): HTMLElement {
  return el(doc, 'ul', { class: 'ws-findings', attrs: { 'aria-label': 'Cross-talk findings' } }, ...findings.map((finding) =>
    el(doc, 'li', { class: 'ws-finding' },
      el(doc, 'p', { class: 'ws-finding-head' }, ...spaced(doc,
        codicon(doc, 'warning', 'ws-finding-icon'),
        el(doc, 'code', { class: 'ws-finding-variable', text: finding.variable }),
        el(doc, 'span', { class: 'ws-finding-worker', text: `worker ${finding.worker}` }))),
      el(doc, 'p', { class: 'ws-finding-what', text: 'This invocation wrote it, awaited, and read back the value another invocation in flight in the same worker wrote meanwhile.' }),
      el(doc, 'ol', { class: 'ws-finding-sites' }, ...ROLES.map(({ site, text }) => siteRow(doc, links, finding.variable, text, finding[site]))))));
}
