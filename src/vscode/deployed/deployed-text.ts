/** Words the deployed commands show: pure, so they are unit-tested. */
import type { FunctionListItem } from '../../core/deployed/list-functions';
import type { AttachPlan } from '../../core/deployed/probe/attach';
import type { DeployedError } from '../../core/deployed/errors';

export interface FunctionPickItem {
  label: string;
  description: string;
  detail?: string;
  functionName: string;
}

export function functionPickItems(functions: readonly FunctionListItem[]): FunctionPickItem[] {
  return functions.map((fn) => ({
    label: fn.name,
    description: [fn.runtime ?? 'container image', fn.isNode ? '' : 'probe not available'].filter(Boolean).join(' · '),
    detail: fn.description || undefined,
    functionName: fn.name,
  }));
}

/** The modal confirmation for attaching the probe: says exactly what will change. */
export function attachConfirmation(plan: AttachPlan): { message: string; detail: string; confirm: string } {
  return {
    message: `Attach the Warm State probe to ${plan.functionArn.split(':').pop() ?? plan.functionArn}?`,
    detail: [
      `Function: ${plan.functionArn} (${plan.runtime}, ${plan.region})`,
      '',
      'This will:',
      ...plan.changes.map((change) => `• ${change}`),
      '',
      `The current layers and environment variables are saved in ${plan.stateFile}; "Detach probe" restores them exactly.`,
    ].join('\n'),
    confirm: 'Attach probe',
  };
}

/** An error notification: the message, and the next step as detail. */
export function errorNotification(error: DeployedError): { message: string; detail: string } {
  return { message: `Warm State: ${error.message}`, detail: `Next step: ${error.nextStep}` };
}
