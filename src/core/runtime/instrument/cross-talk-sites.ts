/**
 * What the cross-talk instrumentation (cross-talk.ts) and the runtime tracker
 * (child/services/cross-talk.ts) agree on: the hook names on the hooks channel, the kinds of
 * access and the site table. Kept apart from the transform so that the child bundle, which
 * needs only these constants, does not pull in the parser.
 */

/** Members of the hooks channel the instrumented handler calls. */
export const CROSS_TALK_HOOKS = {
  /** `sites(json)`: the module's site table (CrossTalkSiteTable as JSON), once, after its body ran. */
  sites: 'crossTalkSites',
  /** `read(site, value)`: returns `value`; called where a module-scope path is read. */
  read: 'crossTalkRead',
  /** `write(site, value)`: returns `value`; called right before (assignments) or after (updates, delete) the write. */
  write: 'crossTalkWrite',
} as const;

/** Access kinds of a site. */
export const SITE_READ = 0;
/** `x = v`, `x.a.b = v`, `delete x.a`: the writer decides the value it will read back. */
export const SITE_SET = 1;
/**
 * `x++`, `x += v`, `x.a ||= v`: the write is computed from the value read in the same step, so
 * the writer never expects a value of its own back (an await-free update is safe, issue 12).
 */
export const SITE_UPDATE = 2;

/** Property names followed below a module binding: `state.a.b.c` at most; deeper accesses count as that prefix. */
export const MAX_PATH_DEPTH = 3;

export interface CrossTalkSiteTable {
  /** Distinct paths (`state`, `state.currentUser`), indexed by the sites. */
  paths: string[];
  /** One per site id: [index into paths, 1-based line, SITE_READ | SITE_SET | SITE_UPDATE]. */
  sites: Array<[number, number, number]>;
  /** Per path, the indices of the paths that overlap it (itself included): equal, or one below the other. */
  overlaps: number[][];
}

