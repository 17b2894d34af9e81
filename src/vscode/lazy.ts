/**
 * Loads the heavy half of the extension (lazy-entry.ts) on first use. Every module of
 * src/vscode reaches the engine, the detector, the template reader and the AWS SDK only
 * through here (checked by test/unit/extension-bundle.test.ts), so activation stays light.
 */
type LazyEntry = typeof import('./lazy-entry');

let entry: Promise<LazyEntry> | undefined;

export function lazy(): Promise<LazyEntry> {
  entry ??= import('./lazy-entry');
  return entry;
}

/** Loads one part of the heavy half: `await load('detector')`. */
export async function load<K extends keyof LazyEntry>(part: K): Promise<Awaited<ReturnType<LazyEntry[K]>>> {
  const loaders = await lazy();
  return (await loaders[part]()) as Awaited<ReturnType<LazyEntry[K]>>;
}
