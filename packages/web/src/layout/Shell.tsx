// The frame of every signed-in page: a header with the studio switcher and the account, and the
// page below. Signed-out visitors are sent to sign in (and brought back afterwards).
import { Link, Navigate, Outlet, useLocation, useNavigate, useParams } from 'react-router';
import { useQuery } from '@tanstack/react-query';
import { api } from '../app/api.ts';
import { keys } from '../app/query.ts';
import { useMe, useSessionChanged } from '../app/session.ts';
import { useStudios } from '../app/studios.ts';
import { Loading, LoadError } from '../ui/page.tsx';
import { StudioSwitcher } from './StudioSwitcher.tsx';
import { ProjectNav } from './ProjectNav.tsx';

export function Shell() {
  const me = useMe();
  const location = useLocation();
  if (me.isPending) return <Loading />;
  if (me.isError) return <main className="page"><LoadError error={me.error} retry={() => void me.refetch()} /></main>;
  if (!me.data) return <Navigate to={`/sign-in?next=${encodeURIComponent(location.pathname + location.search)}`} replace />;
  return (
    <div className="shell">
      <a className="skip-link" href="#main">Skip to content</a>
      <Header name={me.data.name} email={me.data.email} />
      <main id="main" className="shell__main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}

function Header({ name, email }: { name: string; email: string }) {
  const navigate = useNavigate();
  const sessionChanged = useSessionChanged();
  const studios = useStudios();
  const current = useCurrentStudioId();
  const signOut = async () => {
    try {
      await api.auth.logout();
    } finally {
      await sessionChanged();
      navigate('/sign-in', { replace: true });
    }
  };
  return (
    <header className="header">
      <Link to="/" className="brand"><span className="brand__mark" aria-hidden="true">B</span> Backlot</Link>
      {studios.data && <StudioSwitcher studios={studios.data} current={current} />}
      {current && <nav aria-label="Studio"><Link className="header__link" to={`/studios/${current}`}>Projects</Link></nav>}
      {current && <ProjectNav studioId={current} />}
      <div className="header__account">
        <Link className="header__user" to="/account" title={`${email}: your account`}>{name}</Link>
        <button type="button" className="button button--quiet" onClick={() => void signOut()}>Sign out</button>
      </div>
    </header>
  );
}

/** The studio the page is about: from the URL, or from the project the URL names. */
export function useCurrentStudioId(): string | null {
  const { studioId, projectId } = useParams();
  const project = useQuery({ queryKey: keys.project(projectId ?? ''), queryFn: () => api.projects.get(projectId!), enabled: !!projectId && !studioId });
  return studioId ?? project.data?.studioId ?? null;
}
