// The project's live events (GET /projects/:id/events, a WebSocket; docs/live-events.md). Each
// message is a pull: what changed that the caller may see. On a lost connection the hook
// reconnects with backoff from the last cursor, so the first message after it is exactly what
// was missed. Session ended (4401) and access ended (4403) are final.
import { useEffect, useRef, useState } from 'react';
import type { LiveMessage, PullAnswer } from '@backlot/api';
import { api } from './api.ts';

export type LiveState = 'connecting' | 'live' | 'lost' | 'signed-out' | 'no-access';

export interface LiveHandlers {
  /** `first`: the first message of a connection (a snapshot when there was no cursor yet). */
  onChanges(pull: PullAnswer, info: { first: boolean; resumed: boolean }): void;
  onPresence?(online: string[]): void;
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000];

export function useLiveEvents(projectId: string, handlers: LiveHandlers): LiveState {
  const [state, setState] = useState<LiveState>('connecting');
  const latest = useRef(handlers);
  latest.current = handlers;

  useEffect(() => {
    let cursor: string | undefined;
    let stopped = false;
    let failures = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let socket: WebSocket | undefined;

    const connect = () => {
      const resumed = cursor !== undefined;
      let first = true;
      let live: ReturnType<typeof api.events.open>;
      try {
        live = api.events.open(projectId, { since: cursor });
      } catch {
        return retry();
      }
      socket = live.socket as unknown as WebSocket;
      live.onMessage((message: LiveMessage) => {
        if (message.type === 'changes') {
          const wasFirst = first;
          first = false;
          failures = 0;
          cursor = message.cursor;
          setState('live');
          latest.current.onChanges(message, { first: wasFirst, resumed });
        } else if (message.type === 'presence') {
          latest.current.onPresence?.(message.online);
        }
      });
      socket.addEventListener('close', (event) => {
        if (stopped) return;
        if (event.code === 4401) return setState('signed-out');
        if (event.code === 4403) return setState('no-access');
        retry();
      });
    };

    const retry = () => {
      setState('lost');
      const wait = BACKOFF_MS[Math.min(failures++, BACKOFF_MS.length - 1)];
      timer = setTimeout(connect, wait);
    };

    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      socket?.close(1000);
    };
  }, [projectId]);

  return state;
}
