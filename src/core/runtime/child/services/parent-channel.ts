/**
 * A worker thread's end of the messages (Managed Instances, worker-pool.ts): the child's main
 * thread plays the host for it. Same interface as the host channel; nothing to pause or freeze.
 */
import type { MessagePort } from 'node:worker_threads';
import type { ChildToHost, HostToChild } from '../../protocol';
import type { HostChannel } from './host-channel';

export function openParentChannel(port: MessagePort, onMessage: (message: HostToChild) => void): HostChannel {
  // Bound now, before user code could replace MessagePort.prototype.postMessage.
  const post = port.postMessage.bind(port) as (message: ChildToHost) => void;
  port.on('message', onMessage);
  const nothing = (): void => undefined;
  return { send: post, pause: nothing, resume: nothing, frozenBetweenInvocations: nothing };
}
