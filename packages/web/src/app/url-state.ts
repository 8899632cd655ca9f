// Pages keep their filters, tab and folder in the URL. react-router's functional setSearchParams
// hands its callback the params of the last render, not the URL's: two changes quicker than a
// render (a tab, then a filter) and the second undoes the first. This one builds each change on
// the URL as it is when the change is made.
import { useCallback } from 'react';
import { useSearchParams, type NavigateOptions } from 'react-router';

export function useUrlParams(): [URLSearchParams, (next: (current: URLSearchParams) => URLSearchParams, options?: NavigateOptions) => void] {
  const [params, setParams] = useSearchParams();
  const update = useCallback(
    (next: (current: URLSearchParams) => URLSearchParams, options?: NavigateOptions) => setParams(next(new URLSearchParams(window.location.search)), options),
    [setParams],
  );
  return [params, update];
}
