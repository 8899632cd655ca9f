// `/`: straight to the studio last worked in (or the first); an account without a studio is
// offered to make one.
import { Navigate } from 'react-router';
import { lastStudio, useStudios } from '../../app/studios.ts';
import { Loading, LoadError } from '../../ui/page.tsx';
import { NewStudioPage } from '../studios/NewStudioPage.tsx';

export function HomePage() {
  const studios = useStudios();
  if (studios.isPending) return <Loading />;
  if (studios.isError) return <LoadError error={studios.error} retry={() => void studios.refetch()} />;
  const list = studios.data;
  if (list.length === 0) return <NewStudioPage first />;
  const last = lastStudio();
  const target = list.find((s) => s.id === last) ?? list[0];
  return <Navigate to={`/studios/${target.id}`} replace />;
}
