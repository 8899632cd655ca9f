// Providers and the route table. Each page lives in its own folder under pages/ and plugs in here:
// signed-out pages at the top level, everything else inside the Shell (header, studio switcher,
// sign-in guard). Big pages load on demand (`lazy`), so the first page stays small.
import { useState } from 'react';
import { QueryClientProvider } from '@tanstack/react-query';
import { createBrowserRouter, RouterProvider, type RouteObject } from 'react-router';
import { createQueryClient } from './query.ts';
import { Shell } from '../layout/Shell.tsx';
import { SetupPage } from '../pages/setup/SetupPage.tsx';
import { SignInPage } from '../pages/sign-in/SignInPage.tsx';
import { InvitePage } from '../pages/invite/InvitePage.tsx';
import { HomePage } from '../pages/home/HomePage.tsx';
import { NewStudioPage } from '../pages/studios/NewStudioPage.tsx';
import { ProjectsPage } from '../pages/projects/ProjectsPage.tsx';
import { NotFoundPage } from '../pages/not-found/NotFoundPage.tsx';

export const routes: RouteObject[] = [
  { path: '/setup', element: <SetupPage /> },
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/invite', element: <InvitePage /> },
  {
    element: <Shell />,
    children: [
      { index: true, element: <HomePage /> },
      { path: 'studios/new', element: <NewStudioPage /> },
      { path: 'studios/:studioId', element: <ProjectsPage /> },
      { path: 'projects/:projectId/board', lazy: async () => ({ Component: (await import('../pages/board/BoardPage.tsx')).BoardPage }) },
      { path: 'projects/:projectId/browse', lazy: async () => ({ Component: (await import('../pages/browser/BrowserPage.tsx')).BrowserPage }) },
      { path: 'projects/:projectId/assets/:assetId', lazy: async () => ({ Component: (await import('../pages/asset/AssetPage.tsx')).AssetPage }) },
      { path: 'projects/:projectId/audit', lazy: async () => ({ Component: (await import('../pages/audit/AuditPage.tsx')).ProjectAuditPage }) },
      { path: 'studios/:studioId/audit', lazy: async () => ({ Component: (await import('../pages/audit/AuditPage.tsx')).StudioAuditPage }) },
      { path: 'account/:section?', lazy: async () => ({ Component: (await import('../pages/account/AccountPage.tsx')).AccountPage }) },
      { path: 'studios/:studioId/settings/:section?', lazy: async () => ({ Component: (await import('../pages/studio-settings/StudioSettingsPage.tsx')).StudioSettingsPage }) },
      { path: 'projects/:projectId/settings/:section?', lazy: async () => ({ Component: (await import('../pages/project-settings/ProjectSettingsPage.tsx')).ProjectSettingsPage }) },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export function App() {
  const [queryClient] = useState(createQueryClient);
  const [router] = useState(() => createBrowserRouter(routes));
  return (
    <QueryClientProvider client={queryClient}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}
