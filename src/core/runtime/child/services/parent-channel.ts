/**
 * A worker thread's end of the messages (Managed Instances, worker-pool.ts): the child's main
 * thread plays the host for it. Same interface as the host channel; nothing to pause or freeze.
 */
import type { MessagePort } from 'node:worker_threads';
import type { HostToChild, WorkerToMain } from '../../protocol';
import type { HostChannel } from './host-channel';
import { encodeJson } from './json-encode';

export function openParentChannel(port: MessagePort, onMessage: (message: HostToChild) => void): HostChannel {
  // Bound now, before user code could replace MessagePort.prototype.postMessage.
  const post = port.postMessage.bind(port) as (message: WorkerToMain) => void;
  port.on('message', onMessage);
  const nothing = (): void => undefined;
  const refuse = (): void => {
    throw new Error('a worker sends messages, not encoded text');
  };
  return {
    // An invocation's messages are encoded here, in the worker, with the encoder that runs no
    // user code: the main thread then only passes the text on (one thread encodes, not two).
    send: (message) => {
      if (message.type === 'ready' || message.type === 'init-error') post(message.type === 'ready' ? { type: 'ready', message } : { type: 'init-error', message });
      else if (message.type === 'settled' || message.type === 'result') post({ type: message.type, requestId: message.requestId, text: encodeJson(message) });
    },
    sendEncoded: refuse,
    pause: nothing,
    resume: nothing,
    frozenBetweenInvocations: nothing,
  };
}
