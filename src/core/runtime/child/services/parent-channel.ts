/**
 * A worker thread's end of the messages (Managed Instances, worker-pool.ts): init's answer goes
 * to the child's main thread, which plays the host for it; an invocation's messages go straight
 * to the host's pipe (shared-pipe.ts), encoded here with the encoder that runs no user code,
 * carrying this worker's index, and the main thread is told the invocation is done.
 */
import type { MessagePort } from 'node:worker_threads';
import { CHANNEL_FD, type HostToChild, type WorkerToMain } from '../../protocol';
import type { HostChannel } from './host-channel';
import { encodeMessage } from './json-encode';
import { writeFrameLocked, type PipeLock } from './shared-pipe';

export function openParentChannel(port: MessagePort, lock: PipeLock, worker: number, onMessage: (message: HostToChild) => void): HostChannel {
  // Bound now, before user code could replace MessagePort.prototype.postMessage.
  const post = port.postMessage.bind(port) as (message: WorkerToMain) => void;
  /** The first invocation this worker is given is its cold one. */
  let first: string | null = null;
  port.on('message', (message: HostToChild) => {
    if (message.type === 'invoke') first ??= message.requestId;
    onMessage(message);
  });
  const nothing = (): void => undefined;
  const write = (text: string): void => writeFrameLocked(lock, CHANNEL_FD, text);
  return {
    send: (message) => {
      if (message.type === 'ready' || message.type === 'init-error') {
        post(message.type === 'ready' ? { type: 'ready', message } : { type: 'init-error', message });
      } else if (message.type === 'settled') {
        write(encodeMessage(message));
      } else if (message.type === 'result') {
        write(encodeMessage({ ...message, worker, ...(first === message.requestId ? { workerFirst: true } : {}) }));
        post({ type: 'done', requestId: message.requestId });
      }
    },
    pause: nothing,
    resume: nothing,
    frozenBetweenInvocations: nothing,
  };
}
