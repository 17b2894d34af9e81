/**
 * Lists the functions a user can pick from (the editor's searchable list): ListFunctions,
 * following NextMarker page by page, stopped at a cap so a huge account never hangs the UI.
 */
import { toDeployedErrorAt } from './errors';
import { createLambdaClient, loadLambdaSdk, type ConnectionOptions } from './lambda-client';

export interface FunctionListItem {
  name: string;
  arn: string;
  runtime: string | null;
  description: string;
  lastModified: string | null;
  isNode: boolean;
}

export interface FunctionList {
  functions: FunctionListItem[];
  /** True when the cap was reached before the last page. */
  incomplete: boolean;
  pages: number;
}

export async function listFunctions(connection: ConnectionOptions, options: { pageSize?: number; maxFunctions?: number } = {}): Promise<FunctionList> {
  const { ListFunctionsCommand } = await loadLambdaSdk();
  const client = await createLambdaClient(connection);
  const maxFunctions = options.maxFunctions ?? 2000;
  const functions: FunctionListItem[] = [];
  let marker: string | undefined;
  let pages = 0;
  try {
    do {
      let page;
      try {
        page = await client.send(new ListFunctionsCommand({ Marker: marker, MaxItems: options.pageSize ?? 50 }));
      } catch (error) {
        throw await toDeployedErrorAt(error, { operation: 'ListFunctions', functionName: '(all functions)', ...connection });
      }
      pages++;
      for (const fn of page.Functions ?? []) {
        functions.push({
          name: fn.FunctionName ?? '',
          arn: fn.FunctionArn ?? '',
          runtime: fn.Runtime ?? null,
          description: fn.Description ?? '',
          lastModified: fn.LastModified ?? null,
          isNode: typeof fn.Runtime === 'string' && /^nodejs\d/.test(fn.Runtime),
        });
      }
      marker = page.NextMarker;
    } while (marker && functions.length < maxFunctions);
  } finally {
    client.destroy();
  }
  return { functions: functions.sort((a, b) => a.name.localeCompare(b.name)), incomplete: marker !== undefined, pages };
}
