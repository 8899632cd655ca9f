// The app's query client: invalidating after a change shows the change, even when the query's
// first load was still on its way (its answer may have been read before the change).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { QueryObserver } from '@tanstack/react-query';
import { createQueryClient } from '../src/app/query.ts';

describe('query client', () => {
  it('asks again when a change is invalidated while the first load is in flight', async () => {
    const qc = createQueryClient();
    let stored = ['brush'];
    let asked = 0;
    // The server reads the list at once and answers later, as a slow first page load does.
    const queryFn = async () => {
      const answer = [...stored];
      asked += 1;
      await delay(asked === 1 ? 80 : 5);
      return answer;
    };
    const observer = new QueryObserver(qc, { queryKey: ['tokens'], queryFn });
    const stop = observer.subscribe(() => {});
    await delay(10); // the first load has read the list and is on its way
    stored = [...stored, 'render-farm'];
    await qc.invalidateQueries({ queryKey: ['tokens'] });
    assert.deepEqual(qc.getQueryData(['tokens']), ['brush', 'render-farm']);
    assert.equal(asked, 2);
    assert.equal(observer.getCurrentResult().isError, false);
    stop();
    qc.clear();
  });

  it('keeps a query with data as react-query does: the refetch replaces the running one', async () => {
    const qc = createQueryClient();
    let value = 1;
    const observer = new QueryObserver(qc, { queryKey: ['n'], queryFn: async () => value });
    const stop = observer.subscribe(() => {});
    await delay(10);
    assert.equal(qc.getQueryData(['n']), 1);
    value = 2;
    await qc.invalidateQueries({ queryKey: ['n'] });
    assert.equal(qc.getQueryData(['n']), 2);
    stop();
    qc.clear();
  });
});
