// A studio's settings: people (invite, pending invitations, members and their studio roles),
// allowed email domains, usage and quotas. What is offered is what core's studio policy allows
// the caller's seat (as the server reported it); the server decides every change.
import { useParams } from 'react-router';
import { authorizeStudio } from '@backlot/core';
import { useMe } from '../../app/session.ts';
import { useStudios } from '../../app/studios.ts';
import { studioActor } from '../../app/actor.ts';
import { Loading, LoadError, useTitle } from '../../ui/page.tsx';
import { SettingsLayout, type SettingsSection } from '../../ui/SettingsLayout.tsx';
import { People } from './People.tsx';
import { Domains } from './Domains.tsx';
import { Usage } from './Usage.tsx';
import { SingleSignOn } from './SingleSignOn.tsx';
import { Scim } from './Scim.tsx';
import { ServiceAccounts } from './ServiceAccounts.tsx';
import './studio-settings.css';

export function StudioSettingsPage() {
  const { studioId = '', section = 'people' } = useParams();
  const me = useMe().data!;
  const studios = useStudios();
  const studio = studios.data?.find((s) => s.id === studioId);
  useTitle(studio ? `${studio.name}: settings` : 'Studio settings');
  if (studios.isPending) return <section className="page"><Loading /></section>;
  if (studios.isError) return <section className="page"><LoadError error={studios.error} retry={() => void studios.refetch()} /></section>;
  if (!studio) return <section className="page"><p className="notice notice--error" role="alert">This studio does not exist, or you are not a member of it.</p></section>;

  const actor = studioActor(me, studio);
  const base = `/studios/${studioId}/settings`;
  const sections: (SettingsSection & { key: string })[] = [
    { key: 'people', to: base, label: 'People' },
    { key: 'domains', to: `${base}/domains`, label: 'Email domains' },
    ...(authorizeStudio(actor, 'studio.usage.view').allowed ? [{ key: 'usage', to: `${base}/usage`, label: 'Usage and quotas' }] : []),
    ...(authorizeStudio(actor, 'studio.sso.mappings').allowed ? [{ key: 'sso', to: `${base}/sso`, label: 'Single sign-on' }] : []),
    ...(authorizeStudio(actor, 'studio.scim.manage').allowed ? [{ key: 'scim', to: `${base}/scim`, label: 'Provisioning (SCIM)' }] : []),
    ...(authorizeStudio(actor, 'studio.service_accounts.manage').allowed ? [{ key: 'service-accounts', to: `${base}/service-accounts`, label: 'Service accounts' }] : []),
  ];
  const current = sections.find((s) => s.key === section);
  return (
    <SettingsLayout eyebrow={studio.name} title="Studio settings" navLabel="Studio settings" sections={sections}>
      {!current ? <p className="notice notice--error" role="alert">There is no such settings page.</p>
        : current.key === 'people' ? <People studio={studio} actor={actor} />
        : current.key === 'domains' ? <Domains studio={studio} actor={actor} />
        : current.key === 'sso' ? <SingleSignOn key={studio.id} studio={studio} actor={actor} />
        : current.key === 'scim' ? <Scim studio={studio} />
        : current.key === 'service-accounts' ? <ServiceAccounts studio={studio} actor={actor} />
        : <Usage studio={studio} actor={actor} />}
    </SettingsLayout>
  );
}
