// Two handlers in one TypeScript file, and an export that is not a function.
export const handler = async (event: { name?: string }) => {
  return { hello: event.name ?? 'world' };
};

export async function other() {
  return 42;
}

export const notAHandler = 42;
